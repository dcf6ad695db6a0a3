/// Lowercase hexadecimal encoding and decoding of byte strings.
///
/// Usage: `Hex.encode([0xde, 0xad])   // "dead"`
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Encodes `bytes` as lowercase hexadecimal, two characters per byte.
    ///
    /// Usage: `let text = Hex.encode(digest.bytes)`
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hexadecimal text (upper- or lowercase, no separators or prefix) into bytes.
    ///
    /// Usage: `let key = try Hex.decode("0b0b0b0b")`
    /// - Throws: ``HexDecodingError`` when the text has an odd length or a non-hex character.
    public static func decode(_ text: String) throws(HexDecodingError) -> [UInt8] {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { throw .oddLength(utf8.count) }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]) else { throw .invalidCharacter(offset: index) }
            guard let low = nibble(utf8[index + 1]) else { throw .invalidCharacter(offset: index + 1) }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// Why a piece of hexadecimal text could not be decoded.
///
/// Usage: `catch let error as HexDecodingError { print(error) }`
public enum HexDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text has an odd number of characters (`count`), so it cannot describe whole bytes.
    case oddLength(Int)
    /// The UTF-8 byte at `offset` is not one of 0-9, a-f, A-F.
    case invalidCharacter(offset: Int)

    /// A one-line explanation suitable for showing to a user.
    ///
    /// Usage: `print(error.description)`
    public var description: String {
        switch self {
        case .oddLength(let count):
            return "hex text must have an even number of characters, but it has \(count)"
        case .invalidCharacter(let offset):
            return "hex text contains a character that is not 0-9 or a-f at position \(offset)"
        }
    }
}

/// URL- and filename-safe Base64 (RFC 4648 §5) without `=` padding.
///
/// Usage: `Base64URL.encode([0xfb, 0xff])   // "-_8"`
public enum Base64URL {
    private static let alphabet: [UInt8] =
        Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Encodes `bytes` with the base64url alphabet and no padding; n bytes give ⌈4n/3⌉ characters.
    ///
    /// Usage: `let text = Base64URL.encode(SecureRandom.bytes(count: 32))   // 43 characters`
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= bytes.count {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            out.append(alphabet[Int(n & 63)])
            index += 3
        }
        switch bytes.count - index {
        case 1:
            let n = UInt32(bytes[index]) << 16
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
        case 2:
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
        default:
            break
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes unpadded base64url text; trailing `=` padding is tolerated.
    ///
    /// Usage: `let bytes = try Base64URL.decode("-_8")   // [0xfb, 0xff]`
    /// - Throws: ``Base64DecodingError`` for characters outside the alphabet or an impossible length.
    public static func decode(_ text: String) throws(Base64DecodingError) -> [UInt8] {
        var chars = Array(text.utf8)
        while chars.last == UInt8(ascii: "=") { chars.removeLast() }
        guard chars.count % 4 != 1 else { throw .invalidLength(chars.count) }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for (offset, c) in chars.enumerated() {
            guard let value = sextet(c) else { throw .invalidCharacter(offset: offset) }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return out
    }

    private static func sextet(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): return 62
        case UInt8(ascii: "_"): return 63
        default: return nil
        }
    }
}

/// Why a piece of base64url text could not be decoded.
///
/// Usage: `catch let error as Base64DecodingError { print(error) }`
public enum Base64DecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text has a length (after removing padding) that no byte string encodes to.
    case invalidLength(Int)
    /// The UTF-8 byte at `offset` is not in the base64url alphabet (A-Z a-z 0-9 - _).
    case invalidCharacter(offset: Int)

    /// A one-line explanation suitable for showing to a user.
    ///
    /// Usage: `print(error.description)`
    public var description: String {
        switch self {
        case .invalidLength(let count):
            return "base64url text of \(count) characters is truncated: no byte string encodes to that length"
        case .invalidCharacter(let offset):
            return "base64url text contains a character outside A-Z, a-z, 0-9, '-' and '_' at position \(offset)"
        }
    }
}

/// Compares two byte strings in time that depends only on their lengths, not their contents.
///
/// Use it to check MACs, token hashes and other secrets so that timing does not reveal how
/// many leading bytes matched. Inputs of different lengths compare unequal immediately.
///
/// Usage: `guard constantTimeEquals(expected.bytes, presented.bytes) else { throw .unauthorized }`
public func constantTimeEquals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
    guard lhs.count == rhs.count else { return false }
    var difference: UInt8 = 0
    for (a, b) in zip(lhs, rhs) {
        difference |= a ^ b
    }
    return difference == 0
}

/// Compares the UTF-8 bytes of two strings in time that depends only on their lengths.
///
/// Usage: `constantTimeEquals(AccessToken.hash(presented), storedHash)`
public func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
    constantTimeEquals(Array(lhs.utf8), Array(rhs.utf8))
}
