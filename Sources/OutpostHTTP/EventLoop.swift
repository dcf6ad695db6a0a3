import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The server's single event-loop thread and its worker pool.
///
/// The loop accepts connections, reads and parses requests incrementally on non-blocking
/// sockets, enforces the header, body, idle and write deadlines, and writes serialized
/// responses. A complete request goes to a worker, which runs the responder; a response with
/// a complete body comes back to the loop to be written, while a streamed body is written by
/// the worker itself (waiting with `poll` when the client is slow, so memory stays bounded).
/// An idle or slow connection therefore costs a descriptor and a little memory, no thread.
final class EventLoop: @unchecked Sendable {
    // Safety: everything below `// Loop thread only` is touched only by the loop thread (in
    // `run()` and what it calls). The configuration, responder, poller (see its own note) and
    // pool are immutable or thread-safe. `shared` holds what other threads see, behind its lock.

    private let configuration: HTTPServer.Configuration
    private let responder: any HTTPResponder
    private let poller: Poller
    private let pool: WorkerPool
    private let listenFD: Int32
    let shared = Shared()

    /// Descriptors the server needs besides its connections (listening socket, poller,
    /// wake pipe, and headroom for the responder's own files such as a database).
    static let reservedDescriptors = 64 + maxRejecting

    /// The token of the listening socket (0 is the poller's wake token).
    private static let listenToken: UInt64 = 1
    /// How long an error response's connection drains the client's unread bytes.
    private static let lingerTime: Duration = .seconds(2)
    private static let lingerMaxBytes = 1 << 20
    /// How many refused connections may be answering `503` at the same time.
    private static let maxRejecting = 256
    /// Deadlines are checked at most this often (they are seconds long in production).
    private static let scanGranularity: Duration = .milliseconds(5)

    // Loop thread only.
    private var connections: [UInt64: HTTPConnection] = [:]
    private var idle = IdleList()
    private var admittedCount = 0
    private var rejectingCount = 0
    private var nextID: UInt64 = 2
    private var activityCounter: UInt64 = 0
    /// Sum of the connections' `reservedBodyBytes`.
    private var bufferedBodyBytes = 0
    private var listening = false
    private var acceptPausedUntil: ContinuousClock.Instant?
    private var stopping = false
    private var nextScan: ContinuousClock.Instant?
    private var lastScan = ContinuousClock.now
    private var now = ContinuousClock.now
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var counters = HTTPServer.Statistics()

    init(configuration: HTTPServer.Configuration, responder: any HTTPResponder, listenFD: Int32) throws(HTTPServerError) {
        self.configuration = configuration
        self.responder = responder
        self.listenFD = listenFD
        self.poller = try Poller()
        self.pool = WorkerPool(threads: configuration.workerThreads, name: "HTTPServer.worker")
    }

    /// Asks the loop to shut down gracefully. Any thread.
    func requestStop() {
        shared.withLock { $0.stopRequested = true }
        poller.wake()
    }

    // MARK: - The loop

    /// Runs until a requested stop has finished every connection; then closes the listening
    /// socket (if still open) and stops the workers.
    func run() {
        pool.start()
        setListening(true)
        while true {
            poller.wait(timeoutMilliseconds: waitTimeout()) { event in
                now = ContinuousClock.now
                switch event.token {
                case Poller.wakeToken:
                    poller.drainWake()
                case Self.listenToken:
                    acceptConnections()
                default:
                    if let connection = connections[event.token] { handleReady(connection) }
                }
            }
            now = ContinuousClock.now
            processCompletions()
            if !stopping && shared.withLock({ $0.stopRequested }) { beginStopping() }
            if let until = acceptPausedUntil, now >= until, !stopping {
                acceptPausedUntil = nil
                setListening(true)
            }
            if let scan = nextScan, now >= max(scan, lastScan.advanced(by: Self.scanGranularity)) { scanDeadlines() }
            publishStatistics()
            if stopping && connections.isEmpty { break }
        }
        pool.stop()
        publishStatistics()
    }

    private func waitTimeout() -> Int32 {
        var wakeAt = nextScan.map { max($0, lastScan.advanced(by: Self.scanGranularity)) }
        if let until = acceptPausedUntil { wakeAt = min(wakeAt ?? until, until) }
        guard let wakeAt else { return -1 }
        return Socket.milliseconds(ContinuousClock.now.duration(to: wakeAt))
    }

    private func setListening(_ on: Bool) {
        guard on != listening else { return }
        poller.register(fd: listenFD, token: Self.listenToken, from: on ? .none : .read, to: on ? .read : .none)
        listening = on
    }

    private func beginStopping() {
        stopping = true
        // Responses held open (long-polls) are asked to answer now.
        for promise in shared.withLock({ Array($0.deferred.values) }) { promise.serverIsShuttingDown() }
        setListening(false)
        acceptPausedUntil = nil
        close(listenFD) // new connections are refused from now on
        while let connection = idle.first { closeConnection(connection) }
    }

    // MARK: - Accepting

    private func acceptConnections() {
        for _ in 0..<256 {
            let fd = accept(listenFD, nil, nil)
            if fd < 0 {
                let code = errno
                if code == EINTR || code == ECONNABORTED { continue }
                if code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM {
                    // Out of descriptors: free one held by an idle connection, else pause accepting.
                    if let victim = idle.first {
                        counters.idleClosedForCapacity += 1
                        closeConnection(victim)
                        continue
                    }
                    setListening(false)
                    acceptPausedUntil = now.advanced(by: .milliseconds(100))
                }
                return
            }
            admit(Socket(fd: fd))
        }
    }

    private func admit(_ socket: Socket) {
        socket.configureAccepted()
        if admittedCount >= configuration.maxConnections, let victim = idle.first {
            counters.idleClosedForCapacity += 1
            closeConnection(victim)
        }
        let admitted = admittedCount < configuration.maxConnections
        if !admitted && rejectingCount >= Self.maxRejecting {
            counters.rejected += 1
            close(socket.fd)
            return
        }
        let connection = HTTPConnection(
            id: nextID, socket: socket, admitted: admitted, limits: configuration.parserLimits,
            idleDeadline: now.advanced(by: configuration.headerTimeout)
        )
        nextID += 1
        connections[connection.id] = connection
        if admitted {
            admittedCount += 1
            counters.accepted += 1
            activityCounter += 1
            connection.lastActivity = activityCounter
            waitForBytes(connection)
        } else {
            rejectingCount += 1
            counters.rejected += 1
            var unavailable = HTTPResponse.jsonError(
                status: .serviceUnavailable, code: "unavailable",
                message: "The server is at its connection limit; retry later"
            )
            unavailable.headers.set(name: "Retry-After", value: "1")
            respondWithError(connection, unavailable)
        }
    }

    // MARK: - Reading and parsing

    private func handleReady(_ connection: HTTPConnection) {
        switch connection.phase {
        case .reading: receive(connection)
        case .writing: flush(connection)
        case .lingering: drain(connection)
        case .processing: break
        }
    }

    private func receive(_ connection: HTTPConnection) {
        switch connection.socket.receive(into: &readBuffer) {
        case .wouldBlock:
            return
        case .failed, .done(0):
            closeConnection(connection)
        case .done(let count):
            if connection.parser.isIdle {
                // The first bytes of a request: the whole head must arrive within the header timeout.
                idle.remove(connection)
                connection.requestDeadline = now.advanced(by: configuration.headerTimeout)
            }
            connection.parser.append(readBuffer[0..<count])
            advance(connection)
        }
    }

    /// Parses what is buffered: answers `100 Continue`, dispatches a complete request, or waits.
    private func advance(_ connection: HTTPConnection) {
        while true {
            let event: HTTPRequestParser.Event?
            do {
                event = try connection.parser.next()
            } catch {
                counters.parseErrors += 1
                respondWithError(connection, error.makeResponse())
                return
            }
            switch event {
            case .head(let head):
                connection.requestDeadline = now.advanced(by: configuration.bodyTimeout)
                guard reserveBody(head.contentLength, for: connection) else {
                    counters.bodyBudgetRejections += 1
                    var busy = HTTPResponse.jsonError(
                        status: .serviceUnavailable, code: "unavailable",
                        message: "The server holds too many request bodies at the moment; retry later"
                    )
                    busy.headers.set(name: "Retry-After", value: "1")
                    respondWithError(connection, busy)
                    return
                }
                if head.expectsContinue && head.contentLength > 0 && !connection.parser.hasCompleteBody {
                    // Once flushed (now or when writable), `.continueRequest` resumes parsing.
                    send(Self.continueBytes, on: connection, then: .continueRequest)
                    return
                }
            case .request(let request):
                dispatch(request, on: connection)
                return
            case nil:
                waitForBytes(connection)
                return
            }
        }
    }

    /// Counts `length` body bytes against the server-wide budget; false when they do not fit.
    private func reserveBody(_ length: Int, for connection: HTTPConnection) -> Bool {
        guard length > 0 else { return true }
        let budget = max(configuration.maxBufferedBodyBytes, configuration.maxBodyBytes)
        guard bufferedBodyBytes + length <= budget else { return false }
        bufferedBodyBytes += length
        connection.reservedBodyBytes = length
        return true
    }

    /// Returns the connection's body bytes to the budget (request done or connection closed).
    private func releaseBody(of connection: HTTPConnection) {
        bufferedBodyBytes -= connection.reservedBodyBytes
        connection.reservedBodyBytes = 0
    }

    private static let continueBytes = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Watches the connection for more bytes under the right deadline.
    private func waitForBytes(_ connection: HTTPConnection) {
        connection.phase = .reading
        if connection.parser.isIdle {
            if stopping {
                closeConnection(connection)
                return
            }
            // Drop the previous request's buffer so an idle connection holds little memory.
            connection.parser = HTTPRequestParser(limits: configuration.parserLimits)
            connection.requestDeadline = nil
            setDeadline(connection, connection.idleDeadline)
            idle.insert(connection)
        } else {
            // Part of a request is buffered (possibly pipelined behind the previous one).
            if connection.requestDeadline == nil {
                connection.requestDeadline = now.advanced(by: configuration.headerTimeout)
            }
            setDeadline(connection, connection.requestDeadline)
        }
        setInterest(connection, .read)
    }

    // MARK: - Handing requests to workers

    private func dispatch(_ request: HTTPRequest, on connection: HTTPConnection) {
        idle.remove(connection)
        connection.phase = .processing
        setInterest(connection, .none)
        connection.deadline = nil
        connection.requestDeadline = nil
        activityCounter += 1
        connection.lastActivity = activityCounter
        connection.requestsServed += 1
        counters.requests += 1
        let allowKeepAlive = connection.requestsServed < configuration.maxRequestsPerConnection
        pool.submit { [self] in serve(request, on: connection, allowKeepAlive: allowKeepAlive) }
    }

    /// What a worker reports back after running the responder.
    enum Completion {
        /// Write these bytes (the whole response); then keep the connection if `keepAlive`.
        case send([UInt8], keepAlive: Bool)
        /// The worker wrote a streamed response itself.
        case streamed(keepAlive: Bool)
        /// Writing failed (`timedOut`: the client did not read in time) or a stream broke off: close.
        case failed(timedOut: Bool)
    }

    /// Runs on a worker thread.
    private func serve(_ request: HTTPRequest, on connection: HTTPConnection, allowKeepAlive: Bool) {
        let response = withDefaultHeaders(responder.respond(to: request))
        guard case .deferred(let start) = response.body else {
            return finish(response, for: request, on: connection, allowKeepAlive: allowKeepAlive)
        }
        // Completed later from any thread: the worker is free meanwhile. A streamed final
        // response goes back to a worker to be written.
        let promise = HTTPResponsePromise { [self] final in
            shared.withLock { _ = $0.deferred.removeValue(forKey: connection.id) }
            let final = final.addingHeaders(of: response)
            if case .stream = final.body {
                pool.submit { [self] in finish(final, for: request, on: connection, allowKeepAlive: allowKeepAlive) }
            } else {
                finish(final, for: request, on: connection, allowKeepAlive: allowKeepAlive)
            }
        }
        let stopping = shared.withLock { state -> Bool in
            state.deferred[connection.id] = promise
            return state.stopRequested
        }
        start(promise)
        if stopping { promise.serverIsShuttingDown() }
    }

    /// Writes `response` (serialized here, or streamed by this thread) and reports to the loop.
    private func finish(_ response: HTTPResponse, for request: HTTPRequest, on connection: HTTPConnection, allowKeepAlive: Bool) {
        if case .deferred = response.body {
            // A deferred response completed with another deferred one: resolve it in turn.
            return finish(response.resolved(), for: request, on: connection, allowKeepAlive: allowKeepAlive)
        }
        let response = withDefaultHeaders(response)
        let keepAlive = allowKeepAlive && request.wantsKeepAlive && !shared.withLock({ $0.stopRequested })
            && !response.headers.tokens(for: "Connection").contains("close")
        let completion: Completion
        switch HTTPResponseWriter.plan(response, requestVersion: request.version, requestMethod: request.method, keepAlive: keepAlive) {
        case .bytes(let bytes, let keepAlive):
            completion = .send(bytes, keepAlive: keepAlive)
        case .stream(let head, let producer, let chunked, let keepAlive):
            do {
                let reusable = try HTTPResponseWriter.writeStream(
                    producer, headBytes: head, chunked: chunked, keepAlive: keepAlive,
                    requestVersion: request.version, to: connection.socket, timeout: configuration.writeTimeout
                )
                completion = .streamed(keepAlive: reusable)
            } catch {
                if case .timedOut = error { completion = .failed(timedOut: true) } else { completion = .failed(timedOut: false) }
            }
        }
        shared.withLock { $0.completions.append((connection, completion)) }
        poller.wake()
    }

    private func processCompletions() {
        let completed = shared.withLock { state -> [(HTTPConnection, Completion)] in
            defer { state.completions.removeAll(keepingCapacity: true) }
            return state.completions
        }
        for (connection, completion) in completed {
            guard connections[connection.id] === connection, connection.phase == .processing else { continue }
            releaseBody(of: connection)
            switch completion {
            case .send(let bytes, let keepAlive):
                send(bytes, on: connection, then: keepAlive ? .nextRequest : .close)
            case .streamed(let keepAlive):
                if keepAlive { startNextRequest(connection) } else { closeConnection(connection) }
            case .failed(let timedOut):
                if timedOut { counters.writeTimeouts += 1 }
                closeConnection(connection)
            }
        }
    }

    private func startNextRequest(_ connection: HTTPConnection) {
        connection.idleDeadline = now.advanced(by: configuration.idleTimeout)
        connection.phase = .reading
        advance(connection) // pipelined bytes may already hold the next request
    }

    // MARK: - Writing

    /// Queues `bytes` and writes what the socket takes now; the rest when it becomes writable.
    private func send(_ bytes: [UInt8], on connection: HTTPConnection, then after: HTTPConnection.AfterFlush) {
        connection.phase = .writing
        connection.output = bytes
        connection.outputOffset = 0
        connection.afterFlush = after
        setDeadline(connection, now.advanced(by: configuration.writeTimeout))
        flush(connection)
    }

    private func flush(_ connection: HTTPConnection) {
        while connection.outputOffset < connection.output.count {
            switch connection.socket.sendSome(connection.output, from: connection.outputOffset) {
            case .done(let count):
                connection.outputOffset += count
                setDeadline(connection, now.advanced(by: configuration.writeTimeout))
            case .wouldBlock:
                setInterest(connection, .write)
                return
            case .failed:
                closeConnection(connection)
                return
            }
        }
        connection.output = []
        connection.outputOffset = 0
        switch connection.afterFlush {
        case .continueRequest:
            connection.phase = .reading
            advance(connection)
        case .nextRequest:
            startNextRequest(connection)
        case .close where connection.parser.bufferedByteCount == 0:
            closeConnection(connection)
        case .close, .linger:
            // Unread bytes (e.g. pipelined requests after `Connection: close`) would make the
            // kernel reset the connection and could destroy the response: drain them first.
            connection.socket.shutdownWrite()
            connection.phase = .lingering
            connection.lingeredBytes = 0
            setDeadline(connection, now.advanced(by: Self.lingerTime))
            setInterest(connection, .read)
        }
    }

    /// Sends an error response with `Connection: close`, then lingers and closes.
    private func respondWithError(_ connection: HTTPConnection, _ response: HTTPResponse) {
        idle.remove(connection)
        releaseBody(of: connection)
        connection.requestDeadline = nil
        guard case .bytes(let bytes, _) = HTTPResponseWriter.plan(
            withDefaultHeaders(response), requestVersion: .http1_1, requestMethod: .get, keepAlive: false
        ) else {
            closeConnection(connection)
            return
        }
        send(bytes, on: connection, then: .linger)
    }

    private func drain(_ connection: HTTPConnection) {
        switch connection.socket.receive(into: &readBuffer) {
        case .wouldBlock:
            return
        case .failed, .done(0):
            closeConnection(connection)
        case .done(let count):
            connection.lingeredBytes += count
            if connection.lingeredBytes > Self.lingerMaxBytes { closeConnection(connection) }
        }
    }

    // MARK: - Deadlines

    private func setDeadline(_ connection: HTTPConnection, _ deadline: ContinuousClock.Instant?) {
        connection.deadline = deadline
        if let deadline, nextScan.map({ deadline < $0 }) ?? true { nextScan = deadline }
    }

    private func scanDeadlines() {
        lastScan = now
        var expired: [HTTPConnection] = []
        var next: ContinuousClock.Instant?
        for connection in connections.values {
            guard let deadline = connection.deadline else { continue }
            if deadline <= now {
                expired.append(connection)
            } else if next.map({ deadline < $0 }) ?? true {
                next = deadline
            }
        }
        nextScan = next
        for connection in expired where connections[connection.id] === connection {
            expire(connection)
        }
    }

    private func expire(_ connection: HTTPConnection) {
        switch connection.phase {
        case .reading:
            if connection.parser.isIdle {
                counters.idleTimeouts += 1
                closeConnection(connection)
            } else {
                // A started request that did not arrive in time (trickled head or body).
                counters.requestTimeouts += 1
                respondWithError(connection, HTTPError(.requestTimeout, code: "request_timeout",
                                                       message: "The request was not received in time").makeResponse())
            }
        case .writing:
            counters.writeTimeouts += 1
            closeConnection(connection)
        case .lingering:
            closeConnection(connection)
        case .processing:
            connection.deadline = nil
        }
    }

    // MARK: - Bookkeeping

    private func setInterest(_ connection: HTTPConnection, _ interest: PollInterest) {
        poller.register(fd: connection.socket.fd, token: connection.id, from: connection.interest, to: interest)
        connection.interest = interest
    }

    private func closeConnection(_ connection: HTTPConnection) {
        guard connections.removeValue(forKey: connection.id) != nil else { return }
        idle.remove(connection)
        releaseBody(of: connection)
        // Closing the descriptor also removes it from the poller.
        connection.interest = .none
        connection.deadline = nil
        close(connection.socket.fd)
        if connection.admitted { admittedCount -= 1 } else { rejectingCount -= 1 }
    }

    /// Adds the configured default headers the response does not set itself.
    private func withDefaultHeaders(_ response: HTTPResponse) -> HTTPResponse {
        guard !configuration.defaultHeaders.fields.isEmpty else { return response }
        var response = response
        for field in configuration.defaultHeaders where !response.headers.contains(field.name) {
            response.headers.add(name: field.name, value: field.value)
        }
        return response
    }

    private func publishStatistics() {
        counters.openConnections = admittedCount
        counters.idleConnections = idle.count
        counters.bufferedBodyBytes = bufferedBodyBytes
        counters.queuedRequests = pool.queuedCount
        let snapshot = counters
        shared.publish(snapshot)
    }

    /// What other threads read or write: stop request, completions, statistics.
    final class Shared: @unchecked Sendable {
        // Safety: `state` is only accessed with `condition` locked.
        struct State {
            var stopRequested = false
            var completions: [(HTTPConnection, Completion)] = []
            /// Deferred responses not completed yet, by connection id.
            var deferred: [UInt64: HTTPResponsePromise] = [:]
            var statistics = HTTPServer.Statistics()
        }

        private let condition = NSCondition()
        private var state = State()

        func withLock<T>(_ body: (inout State) -> T) -> T {
            condition.lock()
            defer { condition.unlock() }
            return body(&state)
        }

        func publish(_ statistics: HTTPServer.Statistics) {
            condition.lock()
            defer { condition.unlock() }
            guard statistics != state.statistics else { return }
            state.statistics = statistics
            condition.broadcast()
        }

        /// Waits until `predicate` holds for the published statistics or `timeout` passes.
        func wait(timeout: Duration, until predicate: (HTTPServer.Statistics) -> Bool) -> HTTPServer.Statistics? {
            let deadline = Date().addingTimeInterval(Double(Socket.milliseconds(timeout)) / 1000)
            condition.lock()
            defer { condition.unlock() }
            while !predicate(state.statistics) {
                if !condition.wait(until: deadline) { return predicate(state.statistics) ? state.statistics : nil }
            }
            return state.statistics
        }
    }
}
