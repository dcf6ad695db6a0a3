/// Anything that turns a request into a response, synchronously. The server calls it on one
/// of its worker threads (`HTTPServer.Configuration.workerThreads`), concurrently for
/// different requests; implementations must be thread-safe.
///
/// ```swift
/// struct Health: HTTPResponder {
///     func respond(to request: HTTPRequest) -> HTTPResponse { .text("ok") }
/// }
/// ```
public protocol HTTPResponder: Sendable {
    /// Produces the response for `request`. Errors must already be mapped to responses.
    func respond(to request: HTTPRequest) -> HTTPResponse
}

/// A responder backed by a closure.
///
/// ```swift
/// let responder = HTTPResponderClosure { _ in .text("hello") }
/// ```
public struct HTTPResponderClosure: HTTPResponder {
    private let closure: @Sendable (HTTPRequest) -> HTTPResponse

    /// Wraps `closure`.
    public init(_ closure: @escaping @Sendable (HTTPRequest) -> HTTPResponse) {
        self.closure = closure
    }

    public func respond(to request: HTTPRequest) -> HTTPResponse { closure(request) }
}
