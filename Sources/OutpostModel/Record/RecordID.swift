/// The identity of a record: a UUID made on the device that created it, in lowercase text form.
public struct RecordID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The lowercase UUID text, e.g. `3f2504e0-4f89-41d3-9a0c-0305e82c3301`.
    public let rawValue: String

    /// Parses a UUID in text form (any case); stores it lowercased.
    public init(_ text: String) throws(ModelError) {
        guard let normalized = RecordID.normalize(text) else { throw .invalidRecordID(text) }
        rawValue = normalized
    }

    /// Wraps a value already known to be a lowercase UUID.
    public init(unchecked rawValue: String) { self.rawValue = rawValue }

    /// A fresh random (version 4) record id.
    public static func random() -> RecordID {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: high >> (8 * index))
            bytes[8 + index] = UInt8(truncatingIfNeeded: low >> (8 * index))
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hexDigits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0F)])
        }
        return RecordID(unchecked: String(decoding: text, as: UTF8.self))
    }

    /// ``normalize(_:)`` over raw UTF-8 bytes, allocating only the result.
    static func normalize(bytes: UnsafeRawBufferPointer) -> String? {
        guard bytes.count == 36 else { return nil }
        var lowercase = true
        for index in 0..<36 {
            let byte = bytes[index]
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): continue
            case UInt8(ascii: "A")...UInt8(ascii: "F"): lowercase = false
            default: return nil
            }
        }
        if lowercase { return String(decoding: bytes, as: UTF8.self) }
        return String(unsafeUninitializedCapacity: 36) { out in
            for index in 0..<36 {
                let byte = bytes[index]
                out[index] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F") ? byte + 32 : byte
            }
            return 36
        }
    }

    static func normalize(_ text: String) -> String? {
        let utf8 = Array(text.utf8)
        guard utf8.count == 36 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (index, byte) in utf8.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                out.append(byte)
                continue
            }
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): out.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): out.append(byte + 32)
            default: return nil
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func < (lhs: RecordID, rhs: RecordID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { rawValue }
}
