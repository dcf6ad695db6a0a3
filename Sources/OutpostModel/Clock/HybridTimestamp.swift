/// A hybrid logical clock timestamp: wall-clock milliseconds plus a logical counter.
///
/// Timestamps never decide what survives a merge; they only order values for display and
/// pick the provisional winner among conflict siblings deterministically.
public struct HybridTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z as the writer's clock saw them (never decreasing on one node).
    public let millis: Int64
    /// Logical counter that orders events within the same millisecond.
    public let logical: UInt32

    /// Creates a timestamp.
    public init(millis: Int64, logical: UInt32 = 0) {
        self.millis = millis
        self.logical = logical
    }

    /// The zero timestamp.
    public static let zero = HybridTimestamp(millis: 0, logical: 0)

    public static func < (lhs: HybridTimestamp, rhs: HybridTimestamp) -> Bool {
        lhs.millis == rhs.millis ? lhs.logical < rhs.logical : lhs.millis < rhs.millis
    }

    public var description: String { "\(millis).\(logical)" }
}

/// Issues monotonic hybrid timestamps on one node.
///
/// ```swift
/// var clock = HybridClock()
/// let t1 = clock.now(wallMillis: 1_732_000_000_000)
/// clock.observe(remoteTimestamp)   // keeps later local stamps after what was seen
/// ```
public struct HybridClock: Sendable, Hashable {
    /// The last timestamp issued or observed.
    public private(set) var last: HybridTimestamp

    /// Creates a clock that continues after `last`.
    public init(last: HybridTimestamp = .zero) { self.last = last }

    /// Issues a timestamp after every one issued or observed so far.
    public mutating func now(wallMillis: Int64) -> HybridTimestamp {
        let next: HybridTimestamp
        if wallMillis > last.millis {
            next = HybridTimestamp(millis: wallMillis, logical: 0)
        } else if last.logical == UInt32.max {
            next = HybridTimestamp(millis: last.millis + 1, logical: 0)
        } else {
            next = HybridTimestamp(millis: last.millis, logical: last.logical + 1)
        }
        last = next
        return next
    }

    /// Records a timestamp seen from another node so later local stamps sort after it.
    public mutating func observe(_ timestamp: HybridTimestamp) {
        if timestamp > last { last = timestamp }
    }
}
