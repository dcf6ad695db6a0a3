import Foundation

/// A coalescing wake-up between threads and one waiting task: any number of ``raise()`` calls
/// before the waiter looks count as one, so a burst of changes costs one re-fetch.
///
/// ```swift
/// let signal = ChangeSignal()
/// replica.changes.subscribe { _ in signal.raise() }
/// while await signal.next() { refetch() }   // false once cancelled or finished
/// ```
final class ChangeSignal: @unchecked Sendable {
    // Safety: `raised`, `finished` and `waiter` are only touched with `lock` held.
    private let lock = NSLock()
    private var raised = false
    private var finished = false
    private var waiter: CheckedContinuation<Bool, Never>?

    /// Notes a change and wakes the waiter, if any. Any thread.
    func raise() {
        let waiting = lock.withLock { () -> CheckedContinuation<Bool, Never>? in
            guard !finished else { return nil }
            if let waiter {
                self.waiter = nil
                return waiter
            }
            raised = true
            return nil
        }
        waiting?.resume(returning: true)
    }

    /// Ends the signal: the waiter (now or later) gets `false`.
    func finish() {
        let waiting = lock.withLock { () -> CheckedContinuation<Bool, Never>? in
            finished = true
            defer { waiter = nil }
            return waiter
        }
        waiting?.resume(returning: false)
    }

    /// Waits for the next change (returns at once when one was raised since the last call):
    /// `true` for a change, `false` once finished or when the waiting task is cancelled. One waiter at a time.
    func next() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let result = lock.withLock { () -> Bool? in
                    if finished || Task.isCancelled { return false }
                    if raised {
                        raised = false
                        return true
                    }
                    waiter = continuation
                    return nil
                }
                if let result { continuation.resume(returning: result) }
            }
        } onCancel: {
            // Only this wait ends; a later `next()` (from an uncancelled task) waits again.
            let waiting = lock.withLock { () -> CheckedContinuation<Bool, Never>? in
                defer { waiter = nil }
                return waiter
            }
            waiting?.resume(returning: false)
        }
    }
}
