import OutpostJSON

/// A value a ``Register`` can hold: field values (``JSONValue``) and lifecycle writes (``Lifecycle``).
///
/// Both have a canonical JSON form (members sorted bytewise, no whitespace: SPEC §7.2), which the
/// merge uses to settle corrupt input deterministically and conflict detection uses to tell
/// distinct values apart.
public protocol RegisterValue: Sendable, Hashable {
    /// Appends the canonical JSON of the sibling's wire object (`{"dot","hlc","value"}` for a
    /// field sibling; `{"deleted","dot","hlc"[,"seen"]}` for a lifecycle sibling).
    static func appendCanonicalSibling(_ sibling: Sibling<Self>, to out: inout [UInt8])
    /// Appends the canonical JSON of the value alone.
    func appendCanonicalValue(to out: inout [UInt8])
    /// `true` when both values have the same canonical JSON (stricter than `==`, which takes
    /// `0.0` and `-0.0` for equal although they are written differently).
    func isIdentical(to other: Self) -> Bool
}

extension JSONValue: RegisterValue {
    public static func appendCanonicalSibling(_ sibling: Sibling<JSONValue>, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"dot":"#.utf8)
        Record.appendDot(sibling.dot, to: &out)
        out.append(contentsOf: #","hlc":"#.utf8)
        Record.appendTimestamp(sibling.timestamp, to: &out)
        out.append(contentsOf: #","value":"#.utf8)
        _JSONWriter.write(sibling.value, into: &out)
        out.append(UInt8(ascii: "}"))
    }

    public func appendCanonicalValue(to out: inout [UInt8]) {
        _JSONWriter.write(self, into: &out)
    }

    public func isIdentical(to other: JSONValue) -> Bool {
        switch (self, other) {
        case (.double(let a), .double(let b)):
            return a.bitPattern == b.bitPattern
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.isIdentical(to: $1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { key, value in b[key].map { value.isIdentical(to: $0) } ?? false }
        default:
            return self == other
        }
    }
}

extension Lifecycle: RegisterValue {
    public static func appendCanonicalSibling(_ sibling: Sibling<Lifecycle>, to out: inout [UInt8]) {
        switch sibling.value {
        case .deleted(let seen):
            out.append(contentsOf: #"{"deleted":true,"dot":"#.utf8)
            Record.appendDot(sibling.dot, to: &out)
            out.append(contentsOf: #","hlc":"#.utf8)
            Record.appendTimestamp(sibling.timestamp, to: &out)
            out.append(contentsOf: #","seen":"#.utf8)
            Record.appendClock(seen, to: &out)
        case .restored:
            out.append(contentsOf: #"{"deleted":false,"dot":"#.utf8)
            Record.appendDot(sibling.dot, to: &out)
            out.append(contentsOf: #","hlc":"#.utf8)
            Record.appendTimestamp(sibling.timestamp, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    public func appendCanonicalValue(to out: inout [UInt8]) {
        switch self {
        case .deleted(let seen):
            out.append(contentsOf: #"{"deleted":true,"seen":"#.utf8)
            Record.appendClock(seen, to: &out)
            out.append(UInt8(ascii: "}"))
        case .restored:
            out.append(contentsOf: #"{"deleted":false}"#.utf8)
        }
    }

    public func isIdentical(to other: Lifecycle) -> Bool { self == other }
}

/// The provisional-winner key of a sibling (SPEC §4.4): hybrid timestamp, then node id compared
/// bytewise, then dot counter. The greatest key wins; display order is descending key.
public struct SiblingPrecedence: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The sibling's hybrid timestamp (compared first).
    public let timestamp: HybridTimestamp
    /// The writing node (compared bytewise second).
    public let node: NodeID
    /// The dot counter (compared last).
    public let counter: UInt64

    /// The key of a sibling written with `dot` at `timestamp`.
    public init(timestamp: HybridTimestamp, dot: Dot) {
        self.timestamp = timestamp
        self.node = dot.node
        self.counter = dot.counter
    }

    public static func < (lhs: SiblingPrecedence, rhs: SiblingPrecedence) -> Bool {
        if lhs.timestamp != rhs.timestamp { return lhs.timestamp < rhs.timestamp }
        if lhs.node != rhs.node { return lhs.node < rhs.node }
        return lhs.counter < rhs.counter
    }

    public var description: String { "\(timestamp)@\(node.rawValue):\(counter)" }
}

/// One value written to a register, tagged with the write that produced it.
public struct Sibling<Value: RegisterValue>: Sendable, Hashable {
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

    /// The provisional-winner key (SPEC §4.4).
    @inlinable
    public var precedence: SiblingPrecedence { SiblingPrecedence(timestamp: timestamp, dot: dot) }

    /// The deterministic winner order: `true` when this sibling's ``precedence`` is greater.
    @inlinable
    public func sortsAfter(_ other: Sibling) -> Bool { precedence > other.precedence }

    /// The sibling's canonical JSON bytes (its wire object, members sorted bytewise, no whitespace).
    public var canonicalJSON: [UInt8] {
        var out: [UInt8] = []
        Value.appendCanonicalSibling(self, to: &out)
        return out
    }

    /// `true` when both siblings have the same canonical JSON: the same write with the same content.
    public func isIdentical(to other: Sibling) -> Bool {
        dot == other.dot && timestamp == other.timestamp && value.isIdentical(to: other.value)
    }

    /// The canonical JSON bytes of ``value`` alone (equal bytes: the same value, SPEC §5).
    public var canonicalValueJSON: [UInt8] {
        var out: [UInt8] = []
        value.appendCanonicalValue(to: &out)
        return out
    }
}

/// A multi-value register: the current value of one field, or several when concurrent
/// writes have not been resolved yet (conflict siblings).
///
/// Siblings are kept sorted by dot so equal registers are `==` on every replica.
public struct Register<Value: RegisterValue>: Sendable, Hashable {
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

    /// `true` when the register holds at least two *distinct* values (SPEC §5): siblings whose
    /// values have the same canonical JSON show as one value and are not a conflict.
    public var isConflicted: Bool {
        guard siblings.count > 1 else { return false }
        let first = siblings[0].canonicalValueJSON
        for sibling in siblings.dropFirst() where sibling.canonicalValueJSON != first { return true }
        return false
    }

    /// `true` when the register has never been written (or all writes were superseded).
    public var isEmpty: Bool { siblings.isEmpty }

    /// The provisional winner: the sibling with the greatest ``SiblingPrecedence``.
    public var winner: Sibling<Value>? {
        siblings.max { $0.precedence < $1.precedence }
    }

    /// The siblings, winner first, then the others in descending ``SiblingPrecedence``.
    public var siblingsByPrecedence: [Sibling<Value>] {
        siblings.sorted { $0.precedence > $1.precedence }
    }

    /// One sibling per distinct value (by canonical JSON), each value represented by its
    /// highest-precedence sibling, in descending precedence: what a person is shown (SPEC §5).
    public var distinctValues: [Sibling<Value>] {
        var shown = Set<[UInt8]>()
        var result: [Sibling<Value>] = []
        for sibling in siblingsByPrecedence where shown.insert(sibling.canonicalValueJSON).inserted {
            result.append(sibling)
        }
        return result
    }

    /// Replaces every sibling by a single new write (the writer has seen them all).
    public mutating func assign(_ sibling: Sibling<Value>) { siblings = [sibling] }

    /// Of two siblings with the same dot, the one every replica keeps: the one whose canonical
    /// JSON is bytewise smaller (SPEC §4.1). Identical siblings give either (they are equal).
    static func keeper(_ lhs: Sibling<Value>, _ rhs: Sibling<Value>) -> Sibling<Value> {
        if lhs.isIdentical(to: rhs) { return lhs }
        let left = lhs.canonicalJSON
        let right = rhs.canonicalJSON
        return right.lexicographicallyPrecedes(left) ? rhs : lhs
    }

    /// Merges two registers given the clocks of the records that hold them (SPEC §4.1).
    ///
    /// A sibling survives when the other side still holds it, or has not seen it yet.
    /// A sibling the other side has seen but no longer holds was overwritten there.
    /// Should both sides hold the same dot with different content (never produced by honest
    /// replicas), the sibling with the bytewise smaller canonical JSON is kept on every replica.
    /// Linear in the number of siblings (both registers are sorted by dot).
    public static func merge(
        _ left: Register, leftClock: VectorClock, _ right: Register, rightClock: VectorClock
    ) -> Register {
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
                result.append(keeper(a[i], b[j]))
                i += 1
                j += 1
            }
        }
        var merged = Register()
        merged.siblings = result
        return merged
    }
}
