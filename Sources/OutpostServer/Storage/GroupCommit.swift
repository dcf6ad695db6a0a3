import Foundation
import OutpostStore

/// Runs concurrent write jobs in shared durable transactions (group commit), so writers don't queue
/// behind each other's fsync.
///
/// The first caller to find no transaction running becomes the group's leader: it takes every job
/// waiting (up to ``maximumGroupSize``), opens one write transaction, runs each job inside its own
/// savepoint in arrival order, commits once, and only then hands every job its result. Jobs that
/// arrive meanwhile wait for the next group, led by one of their own callers.
///
/// - Each job sees the effects of every job run before it in the group (same transaction).
/// - A job that throws rolls back its own savepoint only: the others are not affected.
/// - No job learns its result before the commit is durable; if the commit (or anything that ends
///   the transaction) fails, every job of the group that had succeeded gets that error instead.
///
/// ```swift
/// let committer = GroupCommitter(pool: pool)
/// let answer = try committer.run { db in try apply(push, db) }   // from many threads at once
/// ```
final class GroupCommitter: @unchecked Sendable {
    // Safety: `waiting`, `leading` and each job's `leads`/`finished`/`failure` are only touched
    // while holding `lock`; a job's `work` runs on the leader's thread while its caller waits on
    // the job's own semaphore (so a finished group wakes its own callers only, not every waiter).

    /// One caller's work and, once the group committed, its outcome.
    private final class Job {
        /// Dropped once finished, so nothing holds the caller's closure after it returned.
        var work: ((Database) throws -> Void)?
        var failure: (any Error)?
        var finished = false
        /// Set when this job's caller is to lead the next group.
        var leads = false
        /// Signalled once: when the job finished, or when its caller is to lead.
        let wake = DispatchSemaphore(value: 0)
        init(_ work: @escaping (Database) throws -> Void) { self.work = work }
    }

    /// The most jobs one transaction takes (bounds the latency a long group adds to its first job).
    let maximumGroupSize: Int
    private let transaction: ((Database) throws -> Void) throws -> Void
    private let lock = NSLock()
    private var waiting: [Job] = []
    private var leading = false
    /// Called inside the group's transaction after the last job, before the commit (tests use it to
    /// fail the commit). Set before the first job runs.
    var beforeCommit: (@Sendable () throws -> Void)?

    /// Creates a committer whose groups run in `pool`'s write transactions.
    convenience init(pool: DatabasePool, maximumGroupSize: Int = 64) {
        self.init(maximumGroupSize: maximumGroupSize) { body in try pool.write(body) }
    }

    /// Creates a committer whose groups run in `transaction`, which must call its argument inside
    /// one write transaction and commit durably before returning.
    init(maximumGroupSize: Int = 64, transaction: @escaping ((Database) throws -> Void) throws -> Void) {
        self.maximumGroupSize = max(1, maximumGroupSize)
        self.transaction = transaction
    }

    /// Runs `body` inside the next group's transaction (in its own savepoint) and returns its
    /// result once that transaction is committed, or throws its error (or the group's commit error).
    func run<T>(_ body: (Database) throws -> T) throws -> T {
        var result: T?
        try withoutActuallyEscaping(body) { body in
            let job = Job { db in result = try body(db) }
            try wait(for: job)
        }
        guard let result else { throw GroupCommitError.noResult }
        return result
    }

    /// Runs several bodies in one group, in order, each in its own savepoint; returns each one's
    /// outcome once the group is committed (all fail with the commit's error if it fails). Used
    /// where a caller has many writes at once, and by tests to make a group deterministic.
    func runTogether<T>(_ bodies: [(Database) throws -> T]) -> [Result<T, any Error>] {
        var outcomes: [Result<T, any Error>] = []
        do {
            try run { db in
                outcomes = []
                for body in bodies {
                    do {
                        outcomes.append(.success(try db.inSavepoint { db in try body(db) }))
                    } catch {
                        outcomes.append(.failure(error))
                        guard db.isInsideTransaction else { throw error }
                    }
                }
            }
        } catch {
            return bodies.map { _ in .failure(error) }
        }
        return outcomes
    }

    private func wait(for job: Job) throws {
        lock.lock()
        waiting.append(job)
        if !leading {
            leading = true
            job.leads = true
        }
        lock.unlock()
        if !job.leads { job.wake.wait() }
        if job.leads && !job.finished { lead() }
        if let failure = job.failure { throw failure }
    }

    /// Commits the waiting jobs as one group, then hands the lead to the first job still waiting.
    private func lead() {
        lock.lock()
        let group = Array(waiting.prefix(maximumGroupSize))
        waiting.removeFirst(group.count)
        lock.unlock()
        let failures = commit(group)
        lock.lock()
        for (index, job) in group.enumerated() {
            job.failure = failures[index]
            job.work = nil
            job.finished = true
        }
        let next = waiting.first
        if let next { next.leads = true } else { leading = false }
        lock.unlock()
        // The leader's own job is in the group and it is not waiting: wake the others.
        for job in group where !job.leads { job.wake.signal() }
        next?.wake.signal()
    }

    /// Runs `group` in one transaction; returns each job's error (the commit's for every job when
    /// the transaction did not commit).
    private func commit(_ group: [Job]) -> [(any Error)?] {
        var failures = [(any Error)?](repeating: nil, count: group.count)
        do {
            try transaction { db in
                for (index, job) in group.enumerated() {
                    do {
                        // A group of one needs no savepoint: its failure rolls the transaction back.
                        if group.count == 1 { try job.work?(db) } else { try db.inSavepoint { db in try job.work?(db) } }
                    } catch {
                        failures[index] = error
                        // Alone, the job is undone with the transaction. Some failures (a full disk)
                        // end the whole transaction: then nothing of the group holds.
                        guard group.count > 1, db.isInsideTransaction else { throw error }
                    }
                }
                try beforeCommit?()
            }
        } catch {
            for index in group.indices where failures[index] == nil { failures[index] = error }
        }
        return failures
    }
}

/// A job of a group ended without a result or an error (a programming error).
enum GroupCommitError: Error, CustomStringConvertible {
    case noResult

    var description: String { "A grouped write finished without a result." }
}
