/// The causal relation between two vector clocks.
public enum CausalOrder: String, Sendable, Hashable {
    /// Both clocks have seen exactly the same writes.
    case equal
    /// The left clock happened before the right one (the right one has seen everything the left one has).
    case before
    /// The left clock happened after the right one.
    case after
    /// Each clock has seen writes the other has not.
    case concurrent
}

/// A vector clock: for each node, how many of its writes have been seen.
///
/// Absent nodes count as zero; zero entries are never stored, so equal clocks are
/// always `==` and encode identically.
///
/// ```swift
/// var a = VectorClock()
/// try a.increment(node)          // {node: 1}
/// a.compare(to: b)               // .before / .after / .equal / .concurrent
/// let both = a.merged(with: b)   // pointwise maximum
/// ```
public struct VectorClock: Sendable, Hashable {
    /// The non-zero counters, by node.
    public private(set) var counters: [NodeID: UInt64]

    /// An empty clock (nothing seen).
    public init() { counters = [:] }

    /// A clock with the given counters; zero counters are dropped.
    public init(_ counters: [NodeID: UInt64]) {
        self.counters = counters.filter { $0.value > 0 }
    }

    /// A clock from counters already known to be non-zero (decoders).
    init(nonZero counters: [NodeID: UInt64]) {
        self.counters = counters
    }

    /// The counter of `node` (zero when absent).
    public subscript(node: NodeID) -> UInt64 {
        get { counters[node] ?? 0 }
        set {
            if newValue == 0 { counters.removeValue(forKey: node) } else { counters[node] = newValue }
        }
    }

    /// `true` when no write has been seen.
    public var isEmpty: Bool { counters.isEmpty }

    /// The largest counter the protocol allows (2^63−1, SPEC §2.3 and §14).
    public static let maxCounter = UInt64(Int64.max)

    /// Increments the counter of `node` and returns the new dot.
    ///
    /// - Throws: ``ModelError/counterExhausted(node:)`` when the counter is already at
    ///   ``maxCounter`` (the clock is left unchanged); never traps.
    @discardableResult
    public mutating func increment(_ node: NodeID) throws(ModelError) -> Dot {
        let current = self[node]
        guard current < Self.maxCounter else { throw .counterExhausted(node: node.rawValue) }
        let next = current + 1
        counters[node] = next
        return Dot(node: node, counter: next)
    }

    /// `true` when this clock has seen the write identified by `dot`.
    @inlinable public func covers(_ dot: Dot) -> Bool { (counters[dot.node] ?? 0) >= dot.counter }

    /// The pointwise maximum of two clocks.
    public func merged(with other: VectorClock) -> VectorClock {
        var result = self
        result.merge(other)
        return result
    }

    /// Replaces this clock by the pointwise maximum of itself and `other`.
    public mutating func merge(_ other: VectorClock) {
        for (node, counter) in other.counters where counter > (counters[node] ?? 0) {
            counters[node] = counter
        }
    }

    /// `true` when this clock has seen every write `other` has seen.
    public func dominates(_ other: VectorClock) -> Bool {
        for (node, counter) in other.counters where (counters[node] ?? 0) < counter { return false }
        return true
    }

    /// Compares two clocks causally.
    public func compare(to other: VectorClock) -> CausalOrder {
        let selfSeesOther = dominates(other)
        let otherSeesSelf = other.dominates(self)
        switch (selfSeesOther, otherSeesSelf) {
        case (true, true): return .equal
        case (true, false): return .after
        case (false, true): return .before
        case (false, false): return .concurrent
        }
    }

    /// The entries sorted by node id: the deterministic order used by every encoding.
    public var sortedEntries: [(node: NodeID, counter: UInt64)] {
        counters.sorted { $0.key < $1.key }.map { (node: $0.key, counter: $0.value) }
    }
}
