import Foundation

/// Where syncing stands, for a status line in an app (observe it with ``OfflineClient/syncStatus()``).
///
/// ```swift
/// for await status in await client.syncStatus() {
///     switch status {
///     case .idle: label = "Up to date"
///     case .syncing(let progress): label = "Syncing… \(progress?.pulled ?? 0)"
///     case .offline(let retry): label = "Offline" + (retry.map { ", retrying at \($0.date)" } ?? "")
///     case .error(let message, _): label = message
///     }
/// }
/// ```
public enum SyncStatus: Sendable, Hashable {
    /// No sync is running; the last one (if any) succeeded.
    case idle
    /// A sync is running (its progress once it reports any).
    case syncing(SyncProgress?)
    /// The server could not be reached; with automatic sync, when the next attempt is due.
    case offline(nextRetry: SyncRetry?)
    /// The last sync failed for another reason (`message` says why); with automatic sync, when
    /// the next attempt is due.
    case error(message: String, nextRetry: SyncRetry?)

    /// The same status with the next attempt's time set (for failures; others are unchanged).
    func retrying(_ retry: SyncRetry?) -> SyncStatus {
        switch self {
        case .offline: .offline(nextRetry: retry)
        case .error(let message, _): .error(message: message, nextRetry: retry)
        case .idle, .syncing: self
        }
    }

    /// The status after a sync failed with `error`.
    static func failed(_ error: any Error) -> SyncStatus {
        if case SyncError.unreachable = error { return .offline(nextRetry: nil) }
        return .error(message: String(describing: error), nextRetry: nil)
    }
}

/// When automatic sync tries again after a failure.
public struct SyncRetry: Sendable, Hashable {
    /// Consecutive failed attempts so far.
    public var failures: Int
    /// The attempt's time on the scheduler's clock (``SyncClock/now``).
    public var at: Duration
    /// The same time on the wall clock, for display only.
    public var date: Date

    /// Creates a retry time.
    public init(failures: Int, at: Duration, date: Date) {
        self.failures = failures
        self.at = at
        self.date = date
    }
}

/// The current ``SyncStatus`` and its observers.
final class SyncStatusBroadcaster: @unchecked Sendable {
    // Safety: `current`, `observers` and `nextID` are only touched with `lock` held.
    private let lock = NSLock()
    private var current: SyncStatus = .idle
    private var observers: [UInt64: AsyncStream<SyncStatus>.Continuation] = [:]
    private var nextID: UInt64 = 0

    var status: SyncStatus { lock.withLock { current } }

    func set(_ status: SyncStatus) {
        let targets = lock.withLock { () -> [AsyncStream<SyncStatus>.Continuation] in
            guard status != current else { return [] }
            current = status
            return Array(observers.values)
        }
        for target in targets { target.yield(status) }
    }

    /// Updates the status with `change` under the lock (e.g. add a retry time to a failure).
    func update(_ change: (SyncStatus) -> SyncStatus) {
        let (status, targets) = lock.withLock { () -> (SyncStatus, [AsyncStream<SyncStatus>.Continuation]) in
            let status = change(current)
            guard status != current else { return (status, []) }
            current = status
            return (status, Array(observers.values))
        }
        for target in targets { target.yield(status) }
    }

    /// The current status, then every change; a slow consumer gets the latest.
    func stream() -> AsyncStream<SyncStatus> {
        let (stream, continuation) = AsyncStream.makeStream(of: SyncStatus.self, bufferingPolicy: .bufferingNewest(1))
        let id = lock.withLock { () -> UInt64 in
            nextID += 1
            observers[nextID] = continuation
            continuation.yield(current)
            return nextID
        }
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            _ = self.lock.withLock { self.observers.removeValue(forKey: id) }
        }
        return stream
    }

    func finishAll() {
        let targets = lock.withLock { () -> [AsyncStream<SyncStatus>.Continuation] in
            defer { observers.removeAll() }
            return Array(observers.values)
        }
        for target in targets { target.finish() }
    }
}
