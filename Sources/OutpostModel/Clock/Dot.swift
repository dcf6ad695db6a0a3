/// One write event: the `counter`-th write of `node` to a record.
///
/// Every write gets a dot that is unique across all replicas, which is what lets merges
/// tell "seen and overwritten" apart from "not seen yet".
public struct Dot: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The node that made the write.
    public let node: NodeID
    /// The node's write counter for the record at the time of the write (starting at 1).
    public let counter: UInt64

    /// Creates a dot.
    public init(node: NodeID, counter: UInt64) {
        self.node = node
        self.counter = counter
    }

    public static func < (lhs: Dot, rhs: Dot) -> Bool {
        lhs.node == rhs.node ? lhs.counter < rhs.counter : lhs.node < rhs.node
    }

    public var description: String { "\(node.rawValue):\(counter)" }
}
