/// `Codable` to and from `JSONValue`, without Foundation: the entities' coder (with `JSONWriter`
/// and `JSONParser` for the bytes). Several times faster than Foundation's JSONEncoder/Decoder on
/// Linux, which matters on the store's hot path.
///
/// Integers stay integers (`.int`), floating-point numbers are `.double`; a type that conforms to
/// `JSONValueCodable` is carried as its `JSONValue` directly. Decoding errors are `DecodingError`s
/// with the coding path, so a caller can name the field.
public enum JSONValueCoder {
    public static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        if let direct = value as? any JSONValueCodable { return direct.jsonValue }
        let slot = Slot()
        try value.encode(to: ValueEncoder(codingPath: [], slot: slot))
        return slot.build()
    }

    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        if let direct = type as? any JSONValueCodable.Type { return direct.init(jsonValue: value) as! T }
        return try T(from: ValueDecoder(value: value, codingPath: []))
    }
}

/// A type that is a JSON value already (such as a box around `JSONValue`).
public protocol JSONValueCodable {
    var jsonValue: JSONValue { get }
    init(jsonValue: JSONValue)
}

// MARK: - Encoding

/// Where one encoded value goes; containers fill it in place.
final class Slot {
    var value: JSONValue?
    var object: [String: Slot]?
    var array: [Slot]?

    /// The finished value.
    func build() -> JSONValue {
        if let object { return .object(object.mapValues { $0.build() }) }
        if let array { return .array(array.map { $0.build() }) }
        return value ?? .null
    }
}

struct ArrayIndexKey: CodingKey {
    var stringValue: String { "\(intValue!)" }
    var intValue: Int?
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

struct ValueEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    /// Where the value encoded goes.
    let target: Slot

    init(codingPath: [any CodingKey], slot: Slot) {
        self.codingPath = codingPath
        self.target = slot
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if target.object == nil { target.object = [:] }
        return KeyedEncodingContainer(KeyedEncoder<Key>(slot: target, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if target.array == nil { target.array = [] }
        return UnkeyedEncoder(slot: target, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleEncoder(slot: target, codingPath: codingPath)
    }
}

/// Encodes one value into a slot: primitives directly, everything else through its `encode(to:)`.
func encodeValue<T: Encodable>(_ value: T, into slot: Slot, codingPath: [any CodingKey]) throws {
    switch value {
    case let v as String: slot.value = .string(v)
    case let v as Bool: slot.value = .bool(v)
    case let v as Int: slot.value = .int(Int64(v))
    case let v as Int64: slot.value = .int(v)
    case let v as Double: slot.value = .double(v)
    case let v as any JSONValueCodable: slot.value = v.jsonValue
    default: try value.encode(to: ValueEncoder(codingPath: codingPath, slot: slot))
    }
}

struct KeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: Slot
    let codingPath: [any CodingKey]

    private func child(_ key: Key) -> Slot {
        let s = Slot()
        slot.object![key.stringValue] = s
        return s
    }

    mutating func encodeNil(forKey key: Key) throws { child(key).value = .null }
    mutating func encode(_ value: Bool, forKey key: Key) throws { child(key).value = .bool(value) }
    mutating func encode(_ value: String, forKey key: Key) throws { child(key).value = .string(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { child(key).value = .double(value) }
    mutating func encode(_ value: Int, forKey key: Key) throws { child(key).value = .int(Int64(value)) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { child(key).value = .int(value) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try encodeValue(value, into: child(key), codingPath: codingPath + [key])
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let s = child(key)
        s.object = [:]
        return KeyedEncodingContainer(KeyedEncoder<NestedKey>(slot: s, codingPath: codingPath + [key]))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let s = child(key)
        s.array = []
        return UnkeyedEncoder(slot: s, codingPath: codingPath + [key])
    }
    mutating func superEncoder() -> any Encoder { ValueEncoder(codingPath: codingPath, slot: slot) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { ValueEncoder(codingPath: codingPath + [key], slot: child(key)) }
}

struct UnkeyedEncoder: UnkeyedEncodingContainer {
    let slot: Slot
    let codingPath: [any CodingKey]
    var count: Int { slot.array!.count }

    private func next() -> Slot {
        let s = Slot()
        slot.array!.append(s)
        return s
    }

    mutating func encodeNil() throws { next().value = .null }
    mutating func encode(_ value: Bool) throws { next().value = .bool(value) }
    mutating func encode(_ value: String) throws { next().value = .string(value) }
    mutating func encode(_ value: Double) throws { next().value = .double(value) }
    mutating func encode(_ value: Int) throws { next().value = .int(Int64(value)) }
    mutating func encode(_ value: Int64) throws { next().value = .int(value) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try encodeValue(value, into: next(), codingPath: codingPath + [ArrayIndexKey(count)])
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let s = next()
        s.object = [:]
        return KeyedEncodingContainer(KeyedEncoder<NestedKey>(slot: s, codingPath: codingPath + [ArrayIndexKey(count - 1)]))
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let s = next()
        s.array = []
        return UnkeyedEncoder(slot: s, codingPath: codingPath + [ArrayIndexKey(count - 1)])
    }
    mutating func superEncoder() -> any Encoder { ValueEncoder(codingPath: codingPath, slot: next()) }
}

struct SingleEncoder: SingleValueEncodingContainer {
    let slot: Slot
    let codingPath: [any CodingKey]

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
    mutating func encode<T: Encodable>(_ value: T) throws { try encodeValue(value, into: slot, codingPath: codingPath) }
}

// MARK: - Decoding

struct ValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw mismatch([String: JSONValue].self, value, codingPath) }
        return KeyedDecodingContainer(KeyedDecoder<Key>(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw mismatch([JSONValue].self, value, codingPath) }
        return UnkeyedDecoder(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleDecoder(value: value, codingPath: codingPath) }
}

func mismatch(_ type: Any.Type, _ value: JSONValue, _ path: [any CodingKey]) -> DecodingError {
    let found: String
    switch value {
    case .null: found = "null"
    case .bool: found = "a boolean"
    case .int, .double: found = "a number"
    case .string: found = "a string"
    case .array: found = "an array"
    case .object: found = "an object"
    }
    return .typeMismatch(type, .init(codingPath: path, debugDescription: "expected \(type), found \(found)"))
}

/// Decodes one value: primitives directly, everything else through its `init(from:)`.
func decodeValue<T: Decodable>(_ type: T.Type, from value: JSONValue, codingPath: [any CodingKey]) throws -> T {
    switch type {
    case is String.Type:
        guard case .string(let s) = value else { throw mismatch(type, value, codingPath) }
        return s as! T
    case is Bool.Type:
        guard case .bool(let b) = value else { throw mismatch(type, value, codingPath) }
        return b as! T
    case is Int.Type:
        return Int(try integer(value, type, codingPath)) as! T
    case is Int64.Type:
        return try integer(value, type, codingPath) as! T
    case is Double.Type:
        return try double(value, type, codingPath) as! T
    case let direct as any JSONValueCodable.Type:
        return direct.init(jsonValue: value) as! T
    default:
        return try T(from: ValueDecoder(value: value, codingPath: codingPath))
    }
}

func integer(_ value: JSONValue, _ type: Any.Type, _ path: [any CodingKey]) throws -> Int64 {
    switch value {
    case .int(let i): return i
    case .double(let d) where d.rounded() == d && abs(d) < 9.2e18: return Int64(d)
    default: throw mismatch(type, value, path)
    }
}

func double(_ value: JSONValue, _ type: Any.Type, _ path: [any CodingKey]) throws -> Double {
    switch value {
    case .int(let i): return Double(i)
    case .double(let d): return d
    default: throw mismatch(type, value, path)
    }
}

struct KeyedDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONValue]
    let codingPath: [any CodingKey]

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
        try decodeValue(type, from: try member(key), codingPath: codingPath + [key])
    }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let v = members[key.stringValue], v != .null else { return nil }
        return try decodeValue(type, from: v, codingPath: codingPath + [key])
    }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try ValueDecoder(value: try member(key), codingPath: codingPath + [key]).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ValueDecoder(value: try member(key), codingPath: codingPath + [key]).unkeyedContainer()
    }
    func superDecoder() throws -> any Decoder { ValueDecoder(value: .object(members), codingPath: codingPath) }
    func superDecoder(forKey key: Key) throws -> any Decoder {
        ValueDecoder(value: members[key.stringValue] ?? .null, codingPath: codingPath + [key])
    }
}

struct UnkeyedDecoder: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private mutating func next<T>(_ type: T.Type) throws -> JSONValue {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath + [ArrayIndexKey(currentIndex)], debugDescription: "the list ends here"))
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
        let path = codingPath + [ArrayIndexKey(currentIndex)]
        return try decodeValue(type, from: try next(type), codingPath: path)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let path = codingPath + [ArrayIndexKey(currentIndex)]
        return try ValueDecoder(value: try next([String: JSONValue].self), codingPath: path).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let path = codingPath + [ArrayIndexKey(currentIndex)]
        return try ValueDecoder(value: try next([JSONValue].self), codingPath: path).unkeyedContainer()
    }
    mutating func superDecoder() throws -> any Decoder {
        let path = codingPath + [ArrayIndexKey(currentIndex)]
        return ValueDecoder(value: try next(JSONValue.self), codingPath: path)
    }
}

struct SingleDecoder: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { value == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try decodeValue(type, from: value, codingPath: codingPath) }
    func decode(_ type: String.Type) throws -> String { try decodeValue(type, from: value, codingPath: codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try double(value, type, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { Float(try double(value, type, codingPath)) }
    func decode(_ type: Int.Type) throws -> Int { Int(try integer(value, type, codingPath)) }
    func decode(_ type: Int8.Type) throws -> Int8 { try narrow(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try narrow(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try narrow(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(value, type, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try narrow(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try narrow(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try narrow(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try narrow(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try narrow(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(type, from: value, codingPath: codingPath) }

    private func narrow<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard let v = T(exactly: try integer(value, type, codingPath)) else {
            throw DecodingError.dataCorruptedError(in: self, debugDescription: "out of range for \(type)")
        }
        return v
    }
}
