import Dispatch

/// A serial queue that owns a replica's database work, usable as an actor's executor.
///
/// SQLite calls block. Run on Swift concurrency's shared (cooperative) threads they would hold
/// a thread that other tasks need; like GRDB's `try await dbQueue.write { … }`, the async API of
/// Outpost runs them here instead: ``OfflineClient`` is an actor whose jobs run on this queue,
/// and ``run(_:)`` hops here for one piece of work.
///
/// ```swift
/// let count = try await replica.executor.run { try replica.pendingChangeCount() }
/// ```
public final class DatabaseExecutor: SerialExecutor, @unchecked Sendable {
    // Safety: immutable; the dispatch queue is thread-safe.
    let queue: DispatchQueue

    /// Creates an executor with its own serial queue named `label`.
    public init(label: String) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
    }

    /// Runs `work` on this executor's queue and returns its result, leaving the caller's thread free meanwhile.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedSerialExecutor()) }
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    public func checkIsolated() {
        dispatchPrecondition(condition: .onQueue(queue))
    }
}
