import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An HTTP/1.1 server over blocking POSIX sockets, one thread per connection.
///
/// Connections are bounded by `Configuration.maxConnections`: at the limit the server stops
/// accepting and new connections wait in the listen backlog. Request handling is synchronous
/// on the connection's thread. A server is single-use: start it once, shut it down once.
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
/// with `Connection: close`, then the call returns once every connection thread is done.
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

    /// Binds (with `SO_REUSEADDR`), listens and starts accepting on a background thread.
    /// Also ignores `SIGPIPE` process-wide (writes use `MSG_NOSIGNAL` as well).
    ///
    /// ```swift
    /// try server.start()
    /// ```
    public func start() throws(HTTPServerError) {
        try state.withLock { (s) throws(HTTPServerError) in
            guard s.phase == .idle else { throw .alreadyStarted }
        }
        signal(SIGPIPE, SIG_IGN)
        let (listenFD, port) = try Self.bindAndListen(configuration)
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else {
            let code = errno
            close(listenFD)
            throw .socketFailed(operation: "pipe", errno: code)
        }
        _ = fcntl(pipeFDs[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(pipeFDs[1], F_SETFD, FD_CLOEXEC)
        let started = state.withLock { (s) -> Bool in
            guard s.phase == .idle else { return false }
            s.phase = .running
            s.port = port
            s.listenFD = listenFD
            s.wakeRead = pipeFDs[0]
            s.wakeWrite = pipeFDs[1]
            s.acceptLoopRunning = true
            return true
        }
        guard started else {
            close(listenFD); close(pipeFDs[0]); close(pipeFDs[1])
            throw .alreadyStarted
        }
        let wakeRead = pipeFDs[0]
        let thread = Thread { [self] in acceptLoop(listenFD: listenFD, wakeFD: wakeRead) }
        thread.name = "HTTPServer.accept"
        thread.start()
    }

    /// Starts a graceful shutdown and returns immediately: stops accepting and closes idle
    /// connections; in-flight requests finish. Safe to call repeatedly and from any thread.
    ///
    /// ```swift
    /// server.beginShutdown(); server.waitUntilStopped()
    /// ```
    public func beginShutdown() {
        state.withLock { s in
            switch s.phase {
            case .idle:
                s.phase = .stopped
            case .running:
                s.phase = .stopping
                var byte: UInt8 = 1
                _ = write(s.wakeWrite, &byte, 1)
            case .stopping, .stopped:
                break
            }
        }
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

    /// Makes `signals` (default SIGTERM and SIGINT) trigger `beginShutdown()`. The default
    /// disposition of those signals is replaced by `SIG_IGN` so they no longer kill the process.
    ///
    /// ```swift
    /// server.installSignalHandlers()
    /// server.waitUntilStopped()   // returns after Ctrl-C once requests drained
    /// ```
    public func installSignalHandlers(_ signals: [Int32] = [SIGTERM, SIGINT]) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.beginShutdown() }
            source.resume()
            state.withLock { $0.signalSources.append(source) }
        }
    }

    // MARK: - Accepting

    private func acceptLoop(listenFD: Int32, wakeFD: Int32) {
        let maxConnections = configuration.maxConnections
        while state.waitForCapacity(maxConnections) {
            var fds = [pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
            let rc = poll(&fds, 2, -1)
            if rc < 0 {
                if errno == EINTR { continue }
                break
            }
            if fds[1].revents != 0 { break }
            guard fds[0].revents != 0 else { continue }
            let client = accept(listenFD, nil, nil)
            if client < 0 {
                let code = errno
                if code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM {
                    // Out of descriptors: back off briefly (or until shutdown) instead of spinning.
                    var wake = [pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
                    _ = poll(&wake, 1, 100)
                }
                continue
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            guard state.registerConnection() else {
                close(client)
                break
            }
            let socket = Socket(fd: client)
            socket.configureAccepted(writeTimeout: configuration.writeTimeout)
            let connection = HTTPConnection(
                socket: socket, configuration: configuration, responder: responder, wakeFD: wakeFD,
                isStopping: { [state] in state.withLock { $0.phase != .running } }
            )
            let thread = Thread { [state] in
                connection.run()
                close(client)
                state.unregisterConnection()
            }
            thread.name = "HTTPServer.connection"
            thread.start()
        }
        close(listenFD)
        state.acceptLoopFinished()
    }

    private static func bindAndListen(_ configuration: Configuration) throws(HTTPServerError) -> (fd: Int32, port: Int) {
        guard (0...65535).contains(configuration.port) else {
            throw .invalidAddress(host: configuration.host, reason: "port \(configuration.port) is out of range")
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(configuration.host, String(configuration.port), &hints, &result)
        guard rc == 0, let info = result else {
            throw .invalidAddress(host: configuration.host, reason: String(cString: gai_strerror(rc)))
        }
        defer { freeaddrinfo(result) }
        let address = info.pointee
        let fd = socket(address.ai_family, address.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), address.ai_protocol)
        guard fd >= 0 else { throw .socketFailed(operation: "socket", errno: errno) }
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

/// Lifecycle bookkeeping shared by the accept loop, connection threads and callers.
private final class ServerState: @unchecked Sendable {
    enum Phase { case idle, running, stopping, stopped }

    struct Values {
        var phase: Phase = .idle
        var port = 0
        var listenFD: Int32 = -1
        var wakeRead: Int32 = -1
        var wakeWrite: Int32 = -1
        var activeConnections = 0
        var acceptLoopRunning = false
        var signalSources: [any DispatchSourceSignal] = []
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

    /// Waits while at capacity; returns false once the server is no longer running.
    func waitForCapacity(_ maxConnections: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while values.phase == .running && values.activeConnections >= maxConnections { condition.wait() }
        return values.phase == .running
    }

    /// Counts a new connection; false when shutdown already began.
    func registerConnection() -> Bool {
        withLock { s in
            guard s.phase == .running else { return false }
            s.activeConnections += 1
            return true
        }
    }

    func unregisterConnection() {
        withLock { $0.activeConnections -= 1 }
    }

    func acceptLoopFinished() {
        withLock { s in
            s.acceptLoopRunning = false
            s.listenFD = -1
        }
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
                if values.acceptLoopRunning || values.activeConnections > 0 {
                    condition.wait()
                    continue
                }
                values.phase = .stopped
                close(values.wakeRead)
                close(values.wakeWrite)
                values.wakeRead = -1
                values.wakeWrite = -1
                for source in values.signalSources { source.cancel() }
                values.signalSources = []
                condition.broadcast()
                return
            }
        }
    }
}
