/// How ``OfflineClient/startSyncing(policy:)`` schedules syncs.
///
/// ```swift
/// var policy = SyncPolicy()
/// policy.live = true                      // long-poll: see other devices' edits within a second
/// policy.interval = .seconds(15 * 60)     // and sync at least every quarter of an hour
/// await client.startSyncing(policy: policy)
/// ```
public struct SyncPolicy: Sendable, Hashable {
    /// Quiet time after the last local edit before syncing (edits in a burst go in one sync).
    public var debounce: Duration
    /// The longest a sync waits behind a stream of edits that never goes quiet.
    public var maximumDelay: Duration
    /// Sync this often even without edits (`nil`: only after edits, live changes and network returns).
    public var interval: Duration?
    /// Live sync: hold a pull open on the server (long-poll, SPEC §9.3) so other devices' edits
    /// arrive within a second while online.
    public var live: Bool
    /// Seconds the server may hold each live pull open (the server caps it, SPEC §14).
    public var liveWaitSeconds: Int
    /// Retrying after failures.
    public var backoff: Backoff

    /// Creates a policy; every parameter has a default.
    public init(debounce: Duration = .milliseconds(500), maximumDelay: Duration = .seconds(5),
                interval: Duration? = .seconds(300), live: Bool = false, liveWaitSeconds: Int = 25,
                backoff: Backoff = Backoff()) {
        self.debounce = debounce
        self.maximumDelay = maximumDelay
        self.interval = interval
        self.live = live
        self.liveWaitSeconds = liveWaitSeconds
        self.backoff = backoff
    }

    /// Exponential backoff with jitter: after the n-th consecutive failure the next attempt waits
    /// `initial × multiplier^(n−1)`, at most `maximum`, each delay moved by a random fraction of
    /// up to ±`jitter` (and never beyond `maximum`), so devices that failed together do not
    /// retry together. A success starts over.
    public struct Backoff: Sendable, Hashable {
        /// The delay after the first failure.
        public var initial: Duration
        /// The growth per further failure.
        public var multiplier: Double
        /// The longest delay.
        public var maximum: Duration
        /// The largest random change, as a fraction of the delay (0 ... 1).
        public var jitter: Double

        /// Creates a backoff.
        public init(initial: Duration = .seconds(1), multiplier: Double = 2, maximum: Duration = .seconds(300),
                    jitter: Double = 0.2) {
            self.initial = initial
            self.multiplier = max(1, multiplier)
            self.maximum = max(initial, maximum)
            self.jitter = min(max(0, jitter), 1)
        }

        /// The delay before the next attempt after `failures` consecutive failures (1 or more);
        /// `unit` is a random number in 0 ..< 1 (0.5: no jitter).
        public func delay(afterFailures failures: Int, unit: Double) -> Duration {
            let initialSeconds = Self.seconds(initial), maximumSeconds = Self.seconds(maximum)
            let exponent = Double(max(0, failures - 1))
            let base = min(initialSeconds * Self.power(multiplier, exponent, limit: maximumSeconds / max(initialSeconds, 1e-9)),
                           maximumSeconds)
            let factor = 1 + jitter * (2 * min(max(unit, 0), 1) - 1)
            return .nanoseconds(Int64(min(base * factor, maximumSeconds) * 1e9))
        }

        /// The bounds of ``delay(afterFailures:unit:)`` over every random draw.
        public func delayRange(afterFailures failures: Int) -> ClosedRange<Duration> {
            delay(afterFailures: failures, unit: 0)...delay(afterFailures: failures, unit: 1)
        }

        static func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }

        /// `base^exponent`, stopping once above `limit` (no overflow to infinity for long outages).
        private static func power(_ base: Double, _ exponent: Double, limit: Double) -> Double {
            var result = 1.0
            var left = exponent
            while left >= 1 && result <= limit {
                result *= base
                left -= 1
            }
            return result
        }
    }
}
