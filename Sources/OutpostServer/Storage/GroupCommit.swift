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
    // Safety: `waiting`, `leading` and each job's `finished`/`failure` are only touched while
    // holding `condition`; a job's `work` runs on the leader's thread while its caller waits.

    /// One caller's work and, once the group committed, its outcome.
    private final class Job {
        /// Dropped once finished, so nothing holds the caller's closure after it returned.
        var work: ((Database) throws -> Void)?
        var failure: (any Error)?
        var finished = false
        init(_ work: @escaping (Database) throws -> Void) { self.work = work }
    }

    /// The most jobs one transaction takes (bounds the latency a long group adds to its first job).
    let maximumGroupSize: Int
    private let transaction: ((Database) throws -> Void) throws -> Void
    private let condition = NSCondition()
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
    /// outcome once the group is committed. Used where a caller has many writes at once (and by tests,
    /// to make a group deterministic).
    func runTogether<T>(_ bodies: [(Database) throws -> T]) -> [Result<T, any Error>] {
        var results = [T?](repeating: nil, count: bodies.count)
        let jobs = bodies.indices.map { index in
            Job { db in results[index] = try bodies[index](db) }
        }
        condition.lock()
        while leading { condition.wait() }
        leading = true
        condition.unlock()
        commit(jobs)
        condition.lock()
        leading = false
        condition.broadcast()
        condition.unlock()
        return jobs.indices.map { index in
            if let failure = jobs[index].failure { return .failure(failure) }
            guard let value = results[index] else { return .failure(GroupCommitError.noResult) }
            return .success(value)
        }
    }

    private func wait(for job: Job) throws {
        condition.lock()
        waiting.append(job)
        while !job.finished {
            if leading {
                condition.wait()
                continue
            }
            leading = true
            let group = Array(waiting.prefix(maximumGroupSize))
            waiting.removeFirst(group.count)
            condition.unlock()
            commit(group)
            condition.lock()
            leading = false
            condition.broadcast()
        }
        condition.unlock()
        if let failure = job.failure { throw failure }
    }

    /// Runs `group` in one transaction and marks every job finished (under the lock) after it ended.
    private func commit(_ group: [Job]) {
        var failures = [(any Error)?](repeating: nil, count: group.count)
        do {
            try transaction { db in
                for (index, job) in group.enumerated() {
                    do {
                        try db.inSavepoint { db in try job.work?(db) }
                    } catch {
                        failures[index] = error
                        // Some failures (a full disk) end the whole transaction: nothing of the group holds.
                        guard db.isInsideTransaction else { throw error }
                    }
                }
                try beforeCommit?()
            }
        } catch {
            for index in group.indices where failures[index] == nil { failures[index] = error }
        }
        condition.lock()
        for (index, job) in group.enumerated() {
            job.failure = failures[index]
            job.work = nil
            job.finished = true
        }
        condition.unlock()
    }
}

/// A job of a group ended without a result or an error (a programming error).
enum GroupCommitError: Error, CustomStringConvertible {
    case noResult

    var description: String { "A grouped write finished without a result." }
}
