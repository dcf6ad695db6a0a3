import Foundation

/// A response that is completed later, from any thread, without holding a worker thread while
/// it waits (e.g. a long-poll held open until data arrives). Return
/// ``HTTPResponse/deferred(headers:_:)`` from a handler; the server hands its promise to the
/// closure and writes whatever ``succeed(_:)`` receives first.
///
/// When the server shuts down while a promise is pending, the handler given to
/// ``onShutdown(_:)`` is called (once, on some thread) so the application can answer promptly;
/// without one, the server answers `503 unavailable` itself.
///
/// ```swift
/// router.get("/v1/wait") { _, _ in
///     .deferred { promise in
///         promise.onShutdown { promise.succeed(.text("bye")) }
///         waiters.add(promise)          // later: promise.succeed(.text("news"))
///     }
/// }
/// ```
public final class HTTPResponsePromise: @unchecked Sendable {
    // Safety: every `var` is only touched with `lock` held; handlers are called outside it.
    private let lock = NSLock()
    private var fulfil: (@Sendable (HTTPResponse) -> Void)?
    private var shutdownHandler: (@Sendable () -> Void)?
    private var shuttingDown = false
    private var completed = false

    /// A promise whose response goes to `fulfil` (the server's writer, or an in-process collector).
    init(_ fulfil: @escaping @Sendable (HTTPResponse) -> Void) {
        self.fulfil = fulfil
    }

    /// Completes the response; calls after the first are ignored.
    public func succeed(_ response: HTTPResponse) {
        let target = lock.withLock { () -> (@Sendable (HTTPResponse) -> Void)? in
            guard !completed else { return nil }
            completed = true
            shutdownHandler = nil
            defer { fulfil = nil }
            return fulfil
        }
        target?(response)
    }

    /// `true` once a response was given.
    public var isCompleted: Bool { lock.withLock { completed } }

    /// Sets what to do when the server shuts down while this response is pending (called at once
    /// if the shutdown has begun already).
    public func onShutdown(_ handler: @escaping @Sendable () -> Void) {
        let callNow = lock.withLock { () -> Bool in
            guard !completed else { return false }
            if shuttingDown { return true }
            shutdownHandler = handler
            return false
        }
        if callNow { handler() }
    }

    /// A promise whose answer is `transform`ed and given to this one; a shutdown reaches it too.
    /// For middleware that wraps deferred responses (logging, metrics).
    ///
    /// ```swift
    /// case .deferred(let start):
    ///     response.body = .deferred { promise in start(promise.transformed { log($0); return $0 }) }
    /// ```
    public func transformed(_ transform: @escaping @Sendable (HTTPResponse) -> HTTPResponse) -> HTTPResponsePromise {
        let derived = HTTPResponsePromise { [self] answer in succeed(transform(answer)) }
        onShutdown { derived.serverIsShuttingDown() }
        return derived
    }

    /// The server is shutting down: ask the application to answer now (or answer 503).
    func serverIsShuttingDown() {
        let (handler, pending) = lock.withLock { () -> ((@Sendable () -> Void)?, Bool) in
            guard !completed, !shuttingDown else { return (nil, false) }
            shuttingDown = true
            defer { shutdownHandler = nil }
            return (shutdownHandler, true)
        }
        guard pending else { return }
        if let handler {
            handler()
        } else {
            var unavailable = HTTPResponse.jsonError(status: .serviceUnavailable, code: "unavailable",
                                                     message: "The server is shutting down; retry shortly")
            unavailable.headers.set(name: "Retry-After", value: "1")
            succeed(unavailable)
        }
    }
}

extension HTTPResponse {
    /// A response completed later through a ``HTTPResponsePromise`` (no worker thread waits).
    /// `headers` (and any a middleware adds to this response) are added to the final response
    /// where it does not set them itself.
    ///
    /// ```swift
    /// return .deferred { promise in queue.asyncAfter(deadline: .now() + 1) { promise.succeed(.text("late")) } }
    /// ```
    public static func deferred(headers: HTTPHeaders = [:], _ start: @escaping @Sendable (HTTPResponsePromise) -> Void) -> HTTPResponse {
        HTTPResponse(status: .ok, headers: headers, body: .deferred(start))
    }

    /// This response with the headers of `shell` (a deferred response) it does not set itself.
    func addingHeaders(of shell: HTTPResponse) -> HTTPResponse {
        var merged = self
        for field in shell.headers where !merged.headers.contains(field.name) {
            merged.headers.add(name: field.name, value: field.value)
        }
        return merged
    }

    /// The final response: this one, or for a deferred one the response its promise receives
    /// (waiting for it on this thread). Meant for in-process tests and clients.
    ///
    /// ```swift
    /// let response = router.respond(to: request).resolved()
    /// ```
    public func resolved() -> HTTPResponse {
        guard case .deferred(let start) = body else { return self }
        let box = ResolvedBox()
        let promise = HTTPResponsePromise { box.put($0) }
        start(promise)
        return box.take().addingHeaders(of: self).resolved()
    }
}

/// Hands one response from the promise's thread to a waiting thread.
private final class ResolvedBox: @unchecked Sendable {
    // Safety: `value` is only touched with `condition` locked.
    private let condition = NSCondition()
    private var value: HTTPResponse?

    func put(_ response: HTTPResponse) {
        condition.lock()
        value = response
        condition.broadcast()
        condition.unlock()
    }

    func take() -> HTTPResponse {
        condition.lock()
        defer { condition.unlock() }
        while value == nil { condition.wait() }
        return value!
    }
}
