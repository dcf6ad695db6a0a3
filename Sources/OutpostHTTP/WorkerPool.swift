import Foundation

/// A fixed number of threads running submitted jobs in FIFO order. The event loop submits one
/// job per complete request; a connection has at most one request in a worker at a time, so
/// the queue never holds more jobs than there are open connections.
final class WorkerPool: @unchecked Sendable {
    // Safety: `jobs`, `head`, `stopping` and `running` are only read or written with `condition` locked.

    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var head = 0
    private var stopping = false
    private var running = 0

    private let threads: Int
    private let name: String

    /// A pool of `threads` worker threads named `name`, started by `start()`.
    init(threads: Int, name: String) {
        self.threads = max(1, threads)
        self.name = name
    }

    /// Starts the threads.
    func start() {
        condition.lock()
        running = threads
        condition.unlock()
        for index in 0..<threads {
            let thread = Thread { [self] in work() }
            thread.name = "\(name).\(index)"
            thread.start()
        }
    }

    /// Queues `job` for the next free worker.
    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Jobs submitted and not yet started.
    var queuedCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return jobs.count - head
    }

    /// Lets the workers finish the queued jobs, then end. Returns at once.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while head == jobs.count && !stopping { condition.wait() }
            if head == jobs.count {
                running -= 1
                condition.unlock()
                return
            }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024 && head * 2 >= jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job()
        }
    }
}
