/// An error that knows the HTTP response it should become. Throw one from a handler or
/// middleware and the router sends `makeResponse()`; any other error becomes a generic 500.
///
/// ```swift
/// struct RecordNotFound: HTTPResponseError {
///     var status: HTTPStatus { .notFound }
///     var errorCode: String { "not_found" }
///     var errorMessage: String { "No such record" }
/// }
/// ```
public protocol HTTPResponseError: Error {
    /// The status to respond with.
    var status: HTTPStatus { get }
    /// A stable machine-readable code, e.g. `"not_found"`.
    var errorCode: String { get }
    /// A human-readable message safe to show to clients.
    var errorMessage: String { get }
    /// The response to send; defaults to `HTTPResponse.jsonError(status:code:message:)`.
    func makeResponse() -> HTTPResponse
}

extension HTTPResponseError {
    /// The standard JSON error envelope for this error.
    public func makeResponse() -> HTTPResponse {
        .jsonError(status: status, code: errorCode, message: errorMessage)
    }
}

/// A ready-made `HTTPResponseError` for ad-hoc failures.
///
/// ```swift
/// throw HTTPError(.badRequest, code: "invalid_json", message: "Body is not valid JSON")
/// ```
public struct HTTPError: HTTPResponseError, Hashable, CustomStringConvertible {
    public var status: HTTPStatus
    public var errorCode: String
    public var errorMessage: String
    /// Extra headers for the response, e.g. `WWW-Authenticate`.
    public var headers: HTTPHeaders

    /// Creates an error response description.
    ///
    /// ```swift
    /// HTTPError(.unauthorized, code: "unauthorized", message: "Missing token", headers: ["WWW-Authenticate": "Bearer"])
    /// ```
    public init(_ status: HTTPStatus, code: String, message: String, headers: HTTPHeaders = [:]) {
        self.status = status
        self.errorCode = code
        self.errorMessage = message
        self.headers = headers
    }

    public func makeResponse() -> HTTPResponse {
        .jsonError(status: status, code: errorCode, message: errorMessage, headers: headers)
    }

    public var description: String { "\(status.code) \(errorCode): \(errorMessage)" }

    /// The generic 500 response used for errors that are not `HTTPResponseError`s.
    public static let internalError = HTTPError(.internalServerError, code: "internal", message: "Internal server error")
}

extension HTTPResponse {
    /// The response for any error: `makeResponse()` for `HTTPResponseError`s, else a generic 500.
    ///
    /// ```swift
    /// do { return try handler(request) } catch { return HTTPResponse(error: error) }
    /// ```
    public init(error: any Error) {
        let error = error as? any HTTPResponseError ?? HTTPError.internalError
        self = error.makeResponse()
        errorCode = error.errorCode
    }
}
