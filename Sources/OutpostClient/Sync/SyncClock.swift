/// The time automatic sync schedules by: debounce, periodic syncs, backoff after failures.
/// Injectable, so tests drive schedules on a virtual clock instead of waiting
/// (`VirtualSyncClock` in OutpostTestSupport). Only durations matter: the origin is arbitrary.
///
/// ```swift
/// let clock = SystemSyncClock()
/// try await clock.sleep(until: clock.now + .seconds(2))
/// ```
public protocol SyncClock: Sendable {
    /// The time since the clock's origin; never goes backwards.
    var now: Duration { get }
    /// Suspends until ``now`` reaches `deadline` (returns at once when it has); throws
    /// `CancellationError` when the task is cancelled first.
    func sleep(until deadline: Duration) async throws
}

/// The real monotonic clock (`ContinuousClock`), counted from when this value was created.
public struct SystemSyncClock: SyncClock {
    private let origin: ContinuousClock.Instant

    /// A clock starting now.
    public init() { origin = ContinuousClock.now }

    public var now: Duration { ContinuousClock.now - origin }

    public func sleep(until deadline: Duration) async throws {
        try await ContinuousClock().sleep(until: origin + deadline, tolerance: .milliseconds(5))
    }
}
