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

    /// The milliseconds a timestamp may carry on the wire (SPEC §2.5, §14): 1970-01-01 up to
    /// 9999-12-31T23:59:59.999Z. Decoders refuse others.
    public static let validMillis: ClosedRange<Int64> = 0...253_402_300_799_999

    /// `true` when ``millis`` is within ``validMillis``.
    public var isValid: Bool { Self.validMillis.contains(millis) }

    public static func < (lhs: HybridTimestamp, rhs: HybridTimestamp) -> Bool {
        lhs.millis == rhs.millis ? lhs.logical < rhs.logical : lhs.millis < rhs.millis
    }

    public var description: String { "\(millis).\(logical)" }
}

/// Issues monotonic hybrid timestamps on one node.
///
/// Never traps, whatever it is given: wall clocks are clamped to the protocol's range
/// (``HybridTimestamp/validMillis``), a stored `last` outside that range is ignored, and remote
/// timestamps too far ahead of the local wall clock are not observed (SPEC §2.5).
///
/// ```swift
/// var clock = HybridClock()
/// let t1 = clock.now(wallMillis: 1_732_000_000_000)
/// clock.observe(remoteTimestamp, wallMillis: 1_732_000_000_500)   // later local stamps sort after it
/// ```
public struct HybridClock: Sendable, Hashable {
    /// How far ahead of the local wall clock an observed timestamp may be (1 hour) by default.
    public static let defaultMaximumDrift: Int64 = 3_600_000

    /// The last timestamp issued or observed.
    public private(set) var last: HybridTimestamp

    /// Creates a clock that continues after `last`.
    public init(last: HybridTimestamp = .zero) { self.last = last }

    /// Issues a timestamp after every one issued or observed so far, within
    /// ``HybridTimestamp/validMillis``.
    ///
    /// A `last` beyond the range (stored before the limit existed) is discarded. Once `last`
    /// is the greatest valid timestamp (year 9999), that timestamp is issued again.
    public mutating func now(wallMillis: Int64) -> HybridTimestamp {
        let range = HybridTimestamp.validMillis
        let wall = min(max(wallMillis, range.lowerBound), range.upperBound)
        let previous = range.contains(last.millis) ? last : .zero
        let next: HybridTimestamp
        if wall > previous.millis {
            next = HybridTimestamp(millis: wall, logical: 0)
        } else if previous.logical < UInt32.max {
            next = HybridTimestamp(millis: previous.millis, logical: previous.logical + 1)
        } else if previous.millis < range.upperBound {
            next = HybridTimestamp(millis: previous.millis + 1, logical: 0)
        } else {
            next = previous  // saturated at the end of year 9999
        }
        last = next
        return next
    }

    /// Records a timestamp seen from another node so later local stamps sort after it
    /// (SPEC §2.5). Timestamps outside ``HybridTimestamp/validMillis``, or more than
    /// `maximumDrift` milliseconds ahead of the local wall clock, are ignored, so one device
    /// with a wrong clock cannot drag every replica into the future.
    ///
    /// - Returns: `true` when the timestamp was taken into account.
    @discardableResult
    public mutating func observe(
        _ timestamp: HybridTimestamp, wallMillis: Int64, maximumDrift: Int64 = HybridClock.defaultMaximumDrift
    ) -> Bool {
        guard HybridTimestamp.validMillis.contains(timestamp.millis) else { return false }
        let (limit, overflow) = wallMillis.addingReportingOverflow(max(maximumDrift, 0))
        if !overflow && timestamp.millis > limit { return false }
        if timestamp > last || !HybridTimestamp.validMillis.contains(last.millis) { last = timestamp }
        return true
    }
}
