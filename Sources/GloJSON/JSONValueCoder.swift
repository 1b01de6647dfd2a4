/// `Codable` to and from `JSONValue`, without Foundation: the entities' coder (with `JSONWriter`
/// and `JSONParser` for the bytes). Several times faster than Foundation's JSONEncoder/Decoder on
/// Linux, which matters on the store's hot path.
///
/// Integers stay integers (`.int`), floating-point numbers are `.double`; a `JSONValue` member (the
/// facts and results entities hold) is carried as it is. Decoding errors are `DecodingError`s with
/// the coding path, so a caller can name the field.
public enum JSONValueCoder {
    public static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        try encodeMember(value, path: nil).built
    }

    /// The value as compact JSON text with sorted keys: the same bytes as
    /// `JSONWriter.bytes(encode(value), sortKeys: true)`, written straight from what the containers
    /// gathered, with no dictionary made for any object (each store write encodes its records so).
    public static func encodeText<T: Encodable>(_ value: T) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1_024)
        try encodeMember(value, path: nil).write(into: &out)
        return out
    }

    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try decodeValue(type, from: value, path: nil)
    }
}

// MARK: - Encoding
//
// The entities are encoded on every write and every answer, so this path is kept lean: a member
// whose value is known at once (a string, a number, an enum's raw value...) is stored as that value,
// with no slot of its own; common types are told apart by comparing metatypes, not by dynamic casts;
// and the coding path is a chain of nodes, turned into an array only if someone asks for it.

/// Where one encoded value goes; containers fill it in place.
final class Slot {
    var value: JSONValue?
    /// An object's members in the order written; a key written again replaces its earlier value.
    var object: [(key: String, member: Member)]?
    var array: [Member]?

    /// The finished value.
    func build() -> JSONValue {
        if let object {
            var members = [String: JSONValue](minimumCapacity: object.count)
            for (key, member) in object { members[key] = member.built }
            return .object(members)
        }
        if let array { return .array(array.map { $0.built }) }
        return value ?? .null
    }

    /// Writes the finished value as `JSONWriter` writes what `build` makes: members sorted by key
    /// (bytewise), the last of a repeated key kept. (Two keys that Swift holds equal but that differ
    /// in their bytes, such as "é" composed and decomposed, are one member in `build` and two here;
    /// no entity has such keys.)
    func write(into out: inout [UInt8]) {
        if let object {
            // By key, then by the order written, so that the last of equal keys comes last.
            let sorted = object.indices.sorted { a, b in
                let order = JSONWriter.bytewiseCompare(object[a].key, object[b].key)
                return order == 0 ? a < b : order < 0
            }
            out.append(UInt8(ascii: "{"))
            var first = true
            for (n, i) in sorted.enumerated()
            where n + 1 == sorted.count || JSONWriter.bytewiseCompare(object[sorted[n + 1]].key, object[i].key) != 0 {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                JSONWriter.writeString(object[i].key, into: &out)
                out.append(UInt8(ascii: ":"))
                object[i].member.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        } else if let array {
            out.append(UInt8(ascii: "["))
            for (n, member) in array.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                member.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        } else {
            JSONWriter.write(value ?? .null, into: &out, sortKeys: true)
        }
    }
}

/// A container's member: a finished value, or a slot that a nested encoder fills.
enum Member {
    case done(JSONValue)
    case pending(Slot)

    var built: JSONValue {
        switch self {
        case .done(let value): return value
        case .pending(let slot): return slot.build()
        }
    }

    func write(into out: inout [UInt8]) {
        switch self {
        case .done(let value): JSONWriter.write(value, into: &out, sortKeys: true)
        case .pending(let slot): slot.write(into: &out)
        }
    }
}

/// A coding path, built only when read (errors, or an `encode(to:)` that asks).
final class CodingPathNode: Sendable {
    let key: any CodingKey & Sendable
    let parent: CodingPathNode?

    init(_ key: some CodingKey & Sendable, parent: CodingPathNode?) {
        self.key = key
        self.parent = parent
    }

    static func keys(_ node: CodingPathNode?) -> [any CodingKey] {
        var keys: [any CodingKey] = []
        var node = node
        while let n = node {
            keys.append(n.key)
            node = n.parent
        }
        return keys.reversed()
    }
}

/// A key as it appears in a path (the container's own key type need not be Sendable).
struct PathKey: CodingKey, Sendable {
    var stringValue: String
    var intValue: Int?
    init(_ key: some CodingKey) {
        stringValue = key.stringValue
        intValue = key.intValue
    }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) {
        self.intValue = intValue
        stringValue = "\(intValue)"
    }
}

struct ArrayIndexKey: CodingKey {
    var stringValue: String { "\(intValue!)" }
    var intValue: Int?
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

extension CodingPathNode {
    convenience init(index: Int, parent: CodingPathNode?) { self.init(PathKey(ArrayIndexKey(index)), parent: parent) }
}

struct ValueEncoder: Encoder {
    let path: CodingPathNode?
    var codingPath: [any CodingKey] { CodingPathNode.keys(path) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    /// Where the value encoded goes.
    let target: Slot

    init(path: CodingPathNode?, slot: Slot) {
        self.path = path
        self.target = slot
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if target.object == nil { target.object = [] }
        return KeyedEncodingContainer(KeyedEncoder<Key>(slot: target, path: path))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if target.array == nil { target.array = [] }
        return UnkeyedEncoder(slot: target, path: path)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleEncoder(slot: target, path: path)
    }
}

/// The value as JSON when it is one of the common leaf types (or a `JSONValue`, or a list of
/// strings); nil for anything that encodes itself.
@inline(__always)
func leafValue<T: Encodable>(_ value: T) -> JSONValue? {
    // Metatype comparisons are a pointer compare; `as?` casts go through the runtime every time
    // (and a failed cast to a protocol searches the conformance tables).
    if T.self == String.self { return .string(unsafeBitCast(value, to: String.self)) }
    if T.self == Int.self { return .int(Int64(unsafeBitCast(value, to: Int.self))) }
    if T.self == Bool.self { return .bool(unsafeBitCast(value, to: Bool.self)) }
    if T.self == Int64.self { return .int(unsafeBitCast(value, to: Int64.self)) }
    if T.self == Double.self { return .double(unsafeBitCast(value, to: Double.self)) }
    if T.self == JSONValue.self { return unsafeBitCast(value, to: JSONValue.self) }
    if T.self == [String].self { return .array(unsafeBitCast(value, to: [String].self).map(JSONValue.string)) }
    return nil
}

/// Encodes one value into a member: leaves directly, everything else through its `encode(to:)`.
func encodeMember<T: Encodable>(_ value: T, path: @autoclosure () -> CodingPathNode?) throws -> Member {
    if let leaf = leafValue(value) { return .done(leaf) }
    let slot = Slot()
    try value.encode(to: ValueEncoder(path: path(), slot: slot))
    // A type that encoded one value (an enum's raw value, an id's text) needs no slot kept.
    if slot.object == nil && slot.array == nil { return .done(slot.value ?? .null) }
    return .pending(slot)
}

struct KeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: Slot
    let path: CodingPathNode?
    var codingPath: [any CodingKey] { CodingPathNode.keys(path) }

    init(slot: Slot, path: CodingPathNode?) {
        self.slot = slot
        self.path = path
    }

    private func put(_ key: Key, _ member: Member) { slot.object!.append((key.stringValue, member)) }
    private func child(_ key: Key) -> Slot {
        let s = Slot()
        put(key, .pending(s))
        return s
    }
    private func node(_ key: Key) -> CodingPathNode { CodingPathNode(PathKey(key), parent: path) }

    mutating func encodeNil(forKey key: Key) throws { put(key, .done(.null)) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { put(key, .done(.bool(value))) }
    mutating func encode(_ value: String, forKey key: Key) throws { put(key, .done(.string(value))) }
    mutating func encode(_ value: Double, forKey key: Key) throws { put(key, .done(.double(value))) }
    mutating func encode(_ value: Int, forKey key: Key) throws { put(key, .done(.int(Int64(value)))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { put(key, .done(.int(value))) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        put(key, try encodeMember(value, path: node(key)))
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let s = child(key)
        s.object = []
        return KeyedEncodingContainer(KeyedEncoder<NestedKey>(slot: s, path: node(key)))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let s = child(key)
        s.array = []
        return UnkeyedEncoder(slot: s, path: node(key))
    }
    mutating func superEncoder() -> any Encoder { ValueEncoder(path: path, slot: slot) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { ValueEncoder(path: node(key), slot: child(key)) }
}

struct UnkeyedEncoder: UnkeyedEncodingContainer {
    let slot: Slot
    let path: CodingPathNode?
    var codingPath: [any CodingKey] { CodingPathNode.keys(path) }
    var count: Int { slot.array!.count }

    private func append(_ member: Member) { slot.array!.append(member) }
    private func next() -> Slot {
        let s = Slot()
        append(.pending(s))
        return s
    }

    mutating func encodeNil() throws { append(.done(.null)) }
    mutating func encode(_ value: Bool) throws { append(.done(.bool(value))) }
    mutating func encode(_ value: String) throws { append(.done(.string(value))) }
    mutating func encode(_ value: Double) throws { append(.done(.double(value))) }
    mutating func encode(_ value: Int) throws { append(.done(.int(Int64(value)))) }
    mutating func encode(_ value: Int64) throws { append(.done(.int(value))) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let index = count
        append(try encodeMember(value, path: CodingPathNode(index: index, parent: path)))
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let s = next()
        s.object = []
        return KeyedEncodingContainer(KeyedEncoder<NestedKey>(slot: s, path: CodingPathNode(index: count - 1, parent: path)))
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let s = next()
        s.array = []
        return UnkeyedEncoder(slot: s, path: CodingPathNode(index: count - 1, parent: path))
    }
    mutating func superEncoder() -> any Encoder { ValueEncoder(path: path, slot: next()) }
}

struct SingleEncoder: SingleValueEncodingContainer {
    let slot: Slot
    let path: CodingPathNode?
    var codingPath: [any CodingKey] { CodingPathNode.keys(path) }

    mutating func encodeNil() throws { slot.value = .null }
    mutating func encode(_ value: Bool) throws { slot.value = .bool(value) }
    mutating func encode(_ value: String) throws { slot.value = .string(value) }
    mutating func encode(_ value: Double) throws { slot.value = .double(value) }
    mutating func encode(_ value: Float) throws { slot.value = .double(Double(value)) }
    mutating func encode(_ value: Int) throws { slot.value = .int(Int64(value)) }
    mutating func encode(_ value: Int8) throws { slot.value = .int(Int64(value)) }
    mutating func encode(_ value: Int16) throws { slot.value = .int(Int64(value)) }
    mutating func encode(_ value: Int32) throws { slot.value = .int(Int64(value)) }
    mutating func encode(_ value: Int64) throws { slot.value = .int(value) }
    mutating func encode(_ value: UInt8) throws { slot.value = .int(Int64(value)) }
    mutating func encode(_ value: UInt16) throws { slot.value = .int(Int64(value)) }
    mutating func encode(_ value: UInt32) throws { slot.value = .int(Int64(value)) }
    mutating func encode(_ value: UInt) throws { try encode(UInt64(value)) }
    mutating func encode(_ value: UInt64) throws {
        guard let v = Int64(exactly: value) else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "too large for JSON's integers"))
        }
        slot.value = .int(v)
    }
    mutating func encode<T: Encodable>(_ value: T) throws {
        switch try encodeMember(value, path: path) {
        case .done(let v): slot.value = v
        case .pending(let inner):
            slot.value = inner.value
            slot.object = inner.object
            slot.array = inner.array
        }
    }
}

// MARK: - Decoding

struct ValueDecoder: Decoder {
    let value: JSONValue
    let path: CodingPathNode?
    var codingPath: [any CodingKey] { CodingPathNode.keys(path) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw mismatch([String: JSONValue].self, value, path) }
        return KeyedDecodingContainer(KeyedDecoder<Key>(members: members, path: path))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw mismatch([JSONValue].self, value, path) }
        return UnkeyedDecoder(items: items, path: path)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleDecoder(value: value, path: path) }
}

func mismatch(_ type: Any.Type, _ value: JSONValue, _ path: CodingPathNode?) -> DecodingError {
    let found: String
    switch value {
    case .null: found = "null"
    case .bool: found = "a boolean"
    case .int, .double: found = "a number"
    case .string: found = "a string"
    case .array: found = "an array"
    case .object: found = "an object"
    }
    return .typeMismatch(type, .init(codingPath: CodingPathNode.keys(path), debugDescription: "expected \(type), found \(found)"))
}

/// Decodes one value: primitives directly, everything else through its `init(from:)`.
func decodeValue<T: Decodable>(_ type: T.Type, from value: JSONValue, path: @autoclosure () -> CodingPathNode?) throws -> T {
    // Metatype comparisons, as in `leafValue`.
    if T.self == String.self {
        guard case .string(let s) = value else { throw mismatch(type, value, path()) }
        return unsafeBitCast(s, to: T.self)
    }
    if T.self == Int.self { return unsafeBitCast(Int(try integer(value, type, path())), to: T.self) }
    if T.self == Bool.self {
        guard case .bool(let b) = value else { throw mismatch(type, value, path()) }
        return unsafeBitCast(b, to: T.self)
    }
    if T.self == Int64.self { return unsafeBitCast(try integer(value, type, path()), to: T.self) }
    if T.self == Double.self { return unsafeBitCast(try double(value, type, path()), to: T.self) }
    if T.self == JSONValue.self { return unsafeBitCast(value, to: T.self) }
    if T.self == [String].self {
        guard case .array(let items) = value else { throw mismatch(type, value, path()) }
        var strings: [String] = []
        strings.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard case .string(let s) = item else {
                throw mismatch(String.self, item, CodingPathNode(index: index, parent: path()))
            }
            strings.append(s)
        }
        return unsafeBitCast(strings, to: T.self)
    }
    return try T(from: ValueDecoder(value: value, path: path()))
}

func integer(_ value: JSONValue, _ type: Any.Type, _ path: @autoclosure () -> CodingPathNode?) throws -> Int64 {
    switch value {
    case .int(let i): return i
    case .double(let d) where d.rounded() == d && abs(d) < 9.2e18: return Int64(d)
    default: throw mismatch(type, value, path())
    }
}

func double(_ value: JSONValue, _ type: Any.Type, _ path: @autoclosure () -> CodingPathNode?) throws -> Double {
    switch value {
    case .int(let i): return Double(i)
    case .double(let d): return d
    default: throw mismatch(type, value, path())
    }
}

struct KeyedDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONValue]
    let path: CodingPathNode?
    var codingPath: [any CodingKey] { CodingPathNode.keys(path) }

    init(members: [String: JSONValue], path: CodingPathNode?) {
        self.members = members
        self.path = path
    }

    private func node(_ key: Key) -> CodingPathNode { CodingPathNode(PathKey(key), parent: path) }

    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }
    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func member(_ key: Key) throws -> JSONValue {
        guard let v = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "\(key.stringValue) is required"))
        }
        return v
    }

    func decodeNil(forKey key: Key) throws -> Bool { (members[key.stringValue] ?? .null) == .null }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decodeValue(type, from: try member(key), path: node(key))
    }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let v = members[key.stringValue], v != .null else { return nil }
        return try decodeValue(type, from: v, path: node(key))
    }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try ValueDecoder(value: try member(key), path: node(key)).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ValueDecoder(value: try member(key), path: node(key)).unkeyedContainer()
    }
    func superDecoder() throws -> any Decoder { ValueDecoder(value: .object(members), path: path) }
    func superDecoder(forKey key: Key) throws -> any Decoder {
        ValueDecoder(value: members[key.stringValue] ?? .null, path: node(key))
    }
}

struct UnkeyedDecoder: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let path: CodingPathNode?
    var codingPath: [any CodingKey] { CodingPathNode.keys(path) }
    var currentIndex = 0
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private mutating func next<T>(_ type: T.Type) throws -> JSONValue {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: CodingPathNode.keys(CodingPathNode(index: currentIndex, parent: path)),
                                                          debugDescription: "the list ends here"))
        }
        defer { currentIndex += 1 }
        return items[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let here = CodingPathNode(index: currentIndex, parent: path)
        return try decodeValue(type, from: try next(type), path: here)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let here = CodingPathNode(index: currentIndex, parent: path)
        return try ValueDecoder(value: try next([String: JSONValue].self), path: here).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let here = CodingPathNode(index: currentIndex, parent: path)
        return try ValueDecoder(value: try next([JSONValue].self), path: here).unkeyedContainer()
    }
    mutating func superDecoder() throws -> any Decoder {
        let here = CodingPathNode(index: currentIndex, parent: path)
        return ValueDecoder(value: try next(JSONValue.self), path: here)
    }
}

struct SingleDecoder: SingleValueDecodingContainer {
    let value: JSONValue
    let path: CodingPathNode?
    var codingPath: [any CodingKey] { CodingPathNode.keys(path) }

    func decodeNil() -> Bool { value == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try decodeValue(type, from: value, path: path) }
    func decode(_ type: String.Type) throws -> String { try decodeValue(type, from: value, path: path) }
    func decode(_ type: Double.Type) throws -> Double { try double(value, type, path) }
    func decode(_ type: Float.Type) throws -> Float { Float(try double(value, type, path)) }
    func decode(_ type: Int.Type) throws -> Int { Int(try integer(value, type, path)) }
    func decode(_ type: Int8.Type) throws -> Int8 { try narrow(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try narrow(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try narrow(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(value, type, path) }
    func decode(_ type: UInt.Type) throws -> UInt { try narrow(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try narrow(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try narrow(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try narrow(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try narrow(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(type, from: value, path: path) }

    private func narrow<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard let v = T(exactly: try integer(value, type, path)) else {
            throw DecodingError.dataCorruptedError(in: self, debugDescription: "out of range for \(type)")
        }
        return v
    }
}
