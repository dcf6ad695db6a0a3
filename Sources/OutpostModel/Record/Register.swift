/// One value written to a register, tagged with the write that produced it.
public struct Sibling<Value: Sendable & Hashable>: Sendable, Hashable {
    /// The write that produced the value (unique across replicas).
    public let dot: Dot
    /// The writer's hybrid timestamp: display order and deterministic tie-break only.
    public let timestamp: HybridTimestamp
    /// The value written.
    public let value: Value

    /// Creates a sibling.
    public init(dot: Dot, timestamp: HybridTimestamp, value: Value) {
        self.dot = dot
        self.timestamp = timestamp
        self.value = value
    }

    /// The deterministic winner order: later timestamp first, then node id, then counter.
    @inlinable
    public func sortsAfter(_ other: Sibling) -> Bool {
        if timestamp != other.timestamp { return timestamp > other.timestamp }
        if dot.node != other.dot.node { return dot.node > other.dot.node }
        return dot.counter > other.dot.counter
    }
}

/// A multi-value register: the current value of one field, or several when concurrent
/// writes have not been resolved yet (conflict siblings).
///
/// Siblings are kept sorted by dot so equal registers are `==` on every replica.
public struct Register<Value: Sendable & Hashable>: Sendable, Hashable {
    /// The surviving writes, sorted by dot. Empty when the field was never written.
    public private(set) var siblings: [Sibling<Value>]

    /// An empty register.
    public init() { siblings = [] }

    /// A register holding the given siblings (sorted on the way in).
    public init(siblings: [Sibling<Value>]) {
        self.siblings = siblings.sorted { $0.dot < $1.dot }
    }

    /// A register holding one value.
    public init(_ sibling: Sibling<Value>) { siblings = [sibling] }

    /// `true` when concurrent writes are both kept.
    public var isConflicted: Bool { siblings.count > 1 }

    /// `true` when the register has never been written (or all writes were superseded).
    public var isEmpty: Bool { siblings.isEmpty }

    /// The provisional winner: the sibling every replica shows, chosen deterministically.
    public var winner: Sibling<Value>? {
        guard var best = siblings.first else { return nil }
        for sibling in siblings.dropFirst() where sibling.sortsAfter(best) { best = sibling }
        return best
    }

    /// The siblings, winner first, then the others in winner order.
    public var siblingsByPrecedence: [Sibling<Value>] {
        siblings.sorted { $0.sortsAfter($1) }
    }

    /// Replaces every sibling by a single new write (the writer has seen them all).
    public mutating func assign(_ sibling: Sibling<Value>) { siblings = [sibling] }

    /// A total order on siblings that carry the same dot but differ (corrupt input only).
    static func precedes(_ lhs: Sibling<Value>, _ rhs: Sibling<Value>) -> Bool {
        if lhs.timestamp != rhs.timestamp { return lhs.timestamp < rhs.timestamp }
        return String(describing: lhs.value) < String(describing: rhs.value)
    }

    /// Merges two registers given the clocks of the records that hold them.
    ///
    /// A sibling survives when the other side still holds it, or has not seen it yet.
    /// A sibling the other side has seen but no longer holds was overwritten there.
    public static func merge(
        _ left: Register, leftClock: VectorClock, _ right: Register, rightClock: VectorClock
    ) -> Register {
        if left.siblings == right.siblings { return left }
        var result: [Sibling<Value>] = []
        result.reserveCapacity(left.siblings.count + right.siblings.count)
        var i = 0
        var j = 0
        let a = left.siblings
        let b = right.siblings
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i].dot < b[j].dot) {
                if !rightClock.covers(a[i].dot) { result.append(a[i]) }
                i += 1
            } else if i == a.count || b[j].dot < a[i].dot {
                if !leftClock.covers(b[j].dot) { result.append(b[j]) }
                j += 1
            } else {
                // Same write on both sides: identical by construction. Should corrupt input disagree,
                // keep one chosen by content so the result does not depend on the merge order.
                result.append(a[i] == b[j] || Self.precedes(b[j], a[i]) ? a[i] : b[j])
                i += 1
                j += 1
            }
        }
        var merged = Register()
        merged.siblings = result
        return merged
    }
}
