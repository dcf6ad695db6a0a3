import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An HTTP/1.1 server: one event-loop thread over non-blocking sockets (epoll on Linux,
/// kqueue on Darwin) and a bounded pool of worker threads running the responder.
///
/// Connections cost no thread: thousands of idle or slow clients only hold descriptors, while
/// `Configuration.workerThreads` threads handle complete requests. A handler that must wait for
/// something (a long-poll) returns `HTTPResponse.deferred { promise in … }` and completes the
/// promise later from any thread: the worker is free meanwhile. Deadlines cut off slow
/// clients (`headerTimeout` for a whole request head, `bodyTimeout` for its body: 408 and
/// close; `idleTimeout` between requests: close). At `maxConnections` the connection idle the
/// longest is closed to admit a new one; when none is idle, new connections get 503. A server
/// is single-use: start it once, shut it down once.
///
/// ```swift
/// let server = HTTPServer(configuration: .init(port: 8080), responder: router)
/// try server.start()
/// server.installSignalHandlers()   // SIGTERM/SIGINT → graceful shutdown
/// server.waitUntilStopped()
/// ```
///
/// Graceful shutdown (`shutdown()`, or `beginShutdown()` + `waitUntilStopped()`): the
/// listening socket is closed (new connections are refused), idle keep-alive connections are
/// closed, requests already being received or handled finish and their responses are written
/// with `Connection: close`, deferred responses still pending are asked to answer now
/// (`HTTPResponsePromise.onShutdown`, else 503), then the call returns once every connection is closed.
public final class HTTPServer: Sendable {
    /// The configuration the server was created with.
    public let configuration: Configuration
    private let responder: any HTTPResponder
    private let state = ServerState()

    /// Creates a stopped server; call `start()` to listen.
    ///
    /// ```swift
    /// let server = HTTPServer(configuration: .init(), responder: router)
    /// ```
    public init(configuration: Configuration = Configuration(), responder: some HTTPResponder) {
        self.configuration = configuration
        self.responder = responder
    }

    /// The bound port (useful with port 0), or 0 before `start()`.
    ///
    /// ```swift
    /// try server.start(); let url = "http://127.0.0.1:\(server.port)/"
    /// ```
    public var port: Int { state.withLock { $0.port } }

    /// Whether the server accepts connections (started and not shutting down).
    public var isRunning: Bool { state.withLock { $0.phase == .running } }

    /// Counters and gauges published by the event loop (all zero before `start()`).
    ///
    /// ```swift
    /// print(server.statistics.openConnections)
    /// ```
    public var statistics: Statistics {
        state.withLock { $0.loop }?.shared.withLock { $0.statistics } ?? Statistics()
    }

    /// Waits until the published statistics satisfy `predicate`, at most `timeout`; returns
    /// them, or `nil` on timeout. Meant for tests and tools that wait for an observable state
    /// (e.g. "300 connections accepted") instead of sleeping.
    ///
    /// ```swift
    /// _ = server.waitForStatistics(timeout: .seconds(5)) { $0.openConnections >= 300 }
    /// ```
    public func waitForStatistics(timeout: Duration, until predicate: (Statistics) -> Bool) -> Statistics? {
        guard let loop = state.withLock({ $0.loop }) else { return predicate(Statistics()) ? Statistics() : nil }
        return loop.shared.wait(timeout: timeout, until: predicate)
    }

    /// Binds (with `SO_REUSEADDR`), listens and starts the event loop and the workers.
    /// Also ignores `SIGPIPE` process-wide (writes use `MSG_NOSIGNAL` as well) and raises the
    /// soft open-files limit, if needed and allowed, to fit `maxConnections`.
    ///
    /// ```swift
    /// try server.start()
    /// ```
    public func start() throws(HTTPServerError) {
        try state.withLock { (s) throws(HTTPServerError) in
            guard s.phase == .idle else { throw .alreadyStarted }
        }
        signal(SIGPIPE, SIG_IGN)
        Self.raiseDescriptorLimit(toFit: configuration.maxConnections + EventLoop.reservedDescriptors)
        let (listenFD, port) = try Self.bindAndListen(configuration)
        let loop: EventLoop
        do {
            loop = try EventLoop(configuration: configuration, responder: responder, listenFD: listenFD)
        } catch {
            close(listenFD)
            throw error
        }
        let started = state.withLock { (s) -> Bool in
            guard s.phase == .idle else { return false }
            s.phase = .running
            s.port = port
            s.loop = loop
            s.loopRunning = true
            return true
        }
        guard started else {
            loop.requestStop()
            close(listenFD)
            throw .alreadyStarted
        }
        let thread = Thread { [state] in
            loop.run()
            state.loopFinished()
        }
        thread.name = "HTTPServer.loop"
        thread.start()
    }

    /// Starts a graceful shutdown and returns immediately: stops accepting and closes idle
    /// connections; in-flight requests finish. Safe to call repeatedly and from any thread.
    ///
    /// ```swift
    /// server.beginShutdown(); server.waitUntilStopped()
    /// ```
    public func beginShutdown() {
        let loop = state.withLock { s -> EventLoop? in
            switch s.phase {
            case .idle:
                s.phase = .stopped
                return nil
            case .running:
                s.phase = .stopping
                return s.loop
            case .stopping, .stopped:
                return nil
            }
        }
        loop?.requestStop()
    }

    /// Blocks until the server has stopped: after a shutdown began and every connection
    /// finished. Returns at once if the server was never started.
    ///
    /// ```swift
    /// try server.start(); server.installSignalHandlers(); server.waitUntilStopped()
    /// ```
    public func waitUntilStopped() {
        state.waitUntilStopped()
    }

    /// Shuts down gracefully and blocks until every connection is done.
    ///
    /// ```swift
    /// server.shutdown()
    /// ```
    public func shutdown() {
        beginShutdown()
        waitUntilStopped()
    }

    /// Makes `signals` (default SIGTERM and SIGINT) trigger `beginShutdown()`; they no longer kill
    /// the process. The handlers are in place when this returns.
    ///
    /// ```swift
    /// server.installSignalHandlers()
    /// server.waitUntilStopped()   // returns after Ctrl-C once requests drained
    /// ```
    public func installSignalHandlers(_ signals: [Int32] = [SIGTERM, SIGINT]) {
        // Installed synchronously (sigaction), so a signal sent as soon as this returns is handled.
        SignalRelay.shared.install(signals) { [weak self] in self?.beginShutdown() }
    }

    // MARK: - Set-up

    /// Raises the soft `RLIMIT_NOFILE` towards `needed` (never above the hard limit).
    private static func raiseDescriptorLimit(toFit needed: Int) {
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0 else { return }
        let wanted = rlim_t(needed)
        guard limit.rlim_cur < wanted else { return }
        limit.rlim_cur = min(wanted, limit.rlim_max)
        _ = setrlimit(resource, &limit)
    }

    private static func bindAndListen(_ configuration: Configuration) throws(HTTPServerError) -> (fd: Int32, port: Int) {
        guard (0...65535).contains(configuration.port) else {
            throw .invalidAddress(host: configuration.host, reason: "port \(configuration.port) is out of range")
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        let closeOnExec = Int32(SOCK_CLOEXEC.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        let closeOnExec: Int32 = 0
        #endif
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(configuration.host, String(configuration.port), &hints, &result)
        guard rc == 0, let info = result else {
            throw .invalidAddress(host: configuration.host, reason: String(cString: gai_strerror(rc)))
        }
        defer { freeaddrinfo(result) }
        let address = info.pointee
        let fd = socket(address.ai_family, address.ai_socktype | closeOnExec, address.ai_protocol)
        guard fd >= 0 else { throw .socketFailed(operation: "socket", errno: errno) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        var one: Int32 = 1
        guard setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            let code = errno
            close(fd)
            throw .socketFailed(operation: "setsockopt(SO_REUSEADDR)", errno: code)
        }
        guard bind(fd, address.ai_addr, address.ai_addrlen) == 0 else {
            let code = errno
            close(fd)
            throw .bindFailed(host: configuration.host, port: configuration.port, errno: code)
        }
        guard listen(fd, configuration.backlog) == 0 else {
            let code = errno
            close(fd)
            throw .listenFailed(errno: code)
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else {
            let code = errno
            close(fd)
            throw .socketFailed(operation: "getsockname", errno: code)
        }
        let family = Int32(storage.ss_family)
        let port: UInt16 = withUnsafePointer(to: &storage) { pointer in
            if family == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
        return (fd, Int(port))
    }
}

/// Lifecycle bookkeeping shared by the event loop and callers.
private final class ServerState: @unchecked Sendable {
    // Safety: `values` is only read or written with `condition` locked.
    enum Phase { case idle, running, stopping, stopped }

    struct Values {
        var phase: Phase = .idle
        var port = 0
        var loop: EventLoop?
        var loopRunning = false
    }

    private let condition = NSCondition()
    private var values = Values()

    func withLock<T, E: Error>(_ body: (inout Values) throws(E) -> T) throws(E) -> T {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        return try body(&values)
    }

    func loopFinished() {
        withLock { $0.loopRunning = false }
    }

    func waitUntilStopped() {
        condition.lock()
        defer { condition.unlock() }
        while true {
            switch values.phase {
            case .idle, .stopped:
                return
            case .running:
                condition.wait()
            case .stopping:
                if values.loopRunning {
                    condition.wait()
                    continue
                }
                values.phase = .stopped
                condition.broadcast()
                return
            }
        }
    }
}
