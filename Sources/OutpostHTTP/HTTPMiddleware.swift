/// Cross-cutting request processing wrapped around the router (logging, auth, CORS…).
/// Call `next` to continue the chain, possibly with a modified request; return without
/// calling it to short-circuit. Thrown errors become responses as for handlers, and `next`
/// never throws: inner errors arrive as error responses.
///
/// ```swift
/// struct RequireToken: HTTPMiddleware {
///     func handle(_ request: HTTPRequest, next: (HTTPRequest) -> HTTPResponse) throws -> HTTPResponse {
///         guard let token = request.headers["Authorization"] else {
///             throw HTTPError(.unauthorized, code: "unauthorized", message: "Missing token")
///         }
///         var request = request
///         request.storage[AuthToken.self] = token
///         return next(request)
///     }
/// }
/// ```
public protocol HTTPMiddleware: Sendable {
    /// Handles `request`, usually by calling `next`.
    func handle(_ request: HTTPRequest, next: (HTTPRequest) -> HTTPResponse) throws -> HTTPResponse
}

/// A middleware backed by a closure.
///
/// ```swift
/// router.add(middleware: HTTPMiddlewareClosure { request, next in
///     var response = next(request); response.headers["X-Served-By"] = "outpost"; return response
/// })
/// ```
public struct HTTPMiddlewareClosure: HTTPMiddleware {
    private let closure: @Sendable (HTTPRequest, (HTTPRequest) -> HTTPResponse) throws -> HTTPResponse

    /// Wraps `closure`.
    public init(_ closure: @escaping @Sendable (HTTPRequest, (HTTPRequest) -> HTTPResponse) throws -> HTTPResponse) {
        self.closure = closure
    }

    public func handle(_ request: HTTPRequest, next: (HTTPRequest) -> HTTPResponse) throws -> HTTPResponse {
        try closure(request, next)
    }
}
