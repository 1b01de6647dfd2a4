// CalendarDate is GloBase's; whoever uses the rules uses dates.
@_exported import GloBase
