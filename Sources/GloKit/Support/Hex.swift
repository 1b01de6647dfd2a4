/// Lowercase hexadecimal text of bytes (hashes, keyed name hashes), without `String(format:)`,
/// which goes through `sprintf` for every byte.
extension Sequence where Element == UInt8 {
    public var hexText: String {
        var out: [UInt8] = []
        out.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            out.append(Hex.digit(byte >> 4))
            out.append(Hex.digit(byte & 0x0F))
        }
        return String(decoding: out, as: UTF8.self)
    }
}

enum Hex {
    static func digit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x61 + v - 10 }

    static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }
}
