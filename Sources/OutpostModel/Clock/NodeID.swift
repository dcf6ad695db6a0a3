/// The identity of a replica (a client installation or a server) that writes versions.
///
/// Node ids are short opaque strings of letters, digits, `-` and `_` (1–64 characters).
/// A replica draws a fresh random node id whenever its local database is created, so
/// counters are never reused.
///
/// ```swift
/// let node = try NodeID("laptop-7f3a")
/// ```
public struct NodeID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The textual form of the id.
    public let rawValue: String

    /// Creates a node id, checking that it is 1–64 characters of `[A-Za-z0-9_-]`.
    public init(_ rawValue: String) throws(ModelError) {
        guard NodeID.isValid(rawValue) else { throw .invalidNodeID(rawValue) }
        self.rawValue = rawValue
    }

    /// Creates a node id without validation. Use only for values produced by Outpost itself.
    public init(unchecked rawValue: String) { self.rawValue = rawValue }

    /// A fresh random node id (16 lowercase hex characters).
    public static func random() -> NodeID {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return NodeID(unchecked: String(repeating: "0", count: 16 - hex.count) + hex)
    }

    /// `true` when `text` is a well-formed node id.
    public static func isValid(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard !utf8.isEmpty, utf8.count <= 64 else { return false }
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                continue
            default:
                return false
            }
        }
        return true
    }

    public static func < (lhs: NodeID, rhs: NodeID) -> Bool { lhs.rawValue.utf8.lexicographicallyPrecedes(rhs.rawValue.utf8) }
    public var description: String { rawValue }
}
