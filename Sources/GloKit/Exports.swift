// A plugin imports GloKit and nothing else of the host: the dates its entities use come with it.
@_exported import GloBase
