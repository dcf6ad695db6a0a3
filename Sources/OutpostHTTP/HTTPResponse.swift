/// The body of a response: complete bytes, or a producer streamed with chunked encoding.
///
/// ```swift
/// let body: HTTPResponseBody = .bytes(Array("hi".utf8))
/// ```
public enum HTTPResponseBody: Sendable {
    /// A complete body, sent with `Content-Length`.
    case bytes([UInt8])
    /// A body produced while sending, sent with `Transfer-Encoding: chunked`
    /// (for HTTP/1.0 clients: unframed, then the connection closes).
    /// The closure runs on the worker thread that ran the responder and writes straight to
    /// the socket (waiting for a slow client up to the write timeout, so memory stays bounded
    /// by the writer's buffer); if it throws after output started,
    /// the connection is closed without the terminating chunk so the client sees a truncated body.
    case stream(@Sendable (HTTPBodyWriter) throws -> Void)
}

/// An HTTP response: status, headers and body. The server adds `Content-Length` or
/// `Transfer-Encoding`, `Connection` and `Date` itself.
///
/// ```swift
/// return .json(status: .created, bytes: Array(#"{"id":"42"}"#.utf8))
/// ```
public struct HTTPResponse: Sendable {
    /// The response status.
    public var status: HTTPStatus
    /// Header fields to send. Framing headers set here are replaced by the server.
    public var headers: HTTPHeaders
    /// The body.
    public var body: HTTPResponseBody
    /// The machine-readable code of an error response made from an ``HTTPResponseError``
    /// (e.g. `"forbidden"`), for logs and metrics; not sent.
    public var errorCode: String?

    /// Creates a response; `HTTPResponse(status: .noContent)`.
    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], body: HTTPResponseBody = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response with a JSON body (`Content-Type: application/json`).
    ///
    /// ```swift
    /// HTTPResponse.json(status: .ok, bytes: Array(#"{"ok":true}"#.utf8))
    /// ```
    public static func json(status: HTTPStatus = .ok, bytes: [UInt8], headers: HTTPHeaders = [:]) -> HTTPResponse {
        var headers = headers
        headers.set(name: "Content-Type", value: "application/json")
        return HTTPResponse(status: status, headers: headers, body: .bytes(bytes))
    }

    /// A response with a UTF-8 plain-text body.
    ///
    /// ```swift
    /// HTTPResponse.text("pong")
    /// ```
    public static func text(status: HTTPStatus = .ok, _ text: String, headers: HTTPHeaders = [:]) -> HTTPResponse {
        var headers = headers
        headers.set(name: "Content-Type", value: "text/plain; charset=utf-8")
        return HTTPResponse(status: status, headers: headers, body: .bytes(Array(text.utf8)))
    }

    /// A streamed response, sent with chunked transfer encoding.
    ///
    /// ```swift
    /// HTTPResponse.stream(contentType: "application/x-ndjson") { try $0.write("{}\n") }
    /// ```
    public static func stream(
        status: HTTPStatus = .ok, contentType: String, headers: HTTPHeaders = [:],
        _ producer: @escaping @Sendable (HTTPBodyWriter) throws -> Void
    ) -> HTTPResponse {
        var headers = headers
        headers.set(name: "Content-Type", value: contentType)
        return HTTPResponse(status: status, headers: headers, body: .stream(producer))
    }

    /// The standard Outpost JSON error: `{"error":{"code":"…","message":"…"}}`.
    ///
    /// ```swift
    /// HTTPResponse.jsonError(status: .notFound, code: "not_found", message: "No such record")
    /// ```
    public static func jsonError(status: HTTPStatus, code: String, message: String, headers: HTTPHeaders = [:]) -> HTTPResponse {
        let text = #"{"error":{"code":"# + JSONString.quote(code) + #","message":"# + JSONString.quote(message) + "}}"
        var response = HTTPResponse.json(status: status, bytes: Array(text.utf8), headers: headers)
        response.errorCode = code
        return response
    }

    /// The complete body: the bytes, or everything a stream produces (runs the producer).
    /// Meant for in-process tests and clients.
    ///
    /// ```swift
    /// let bytes = try router.respond(to: request).collectBody()
    /// ```
    public func collectBody() throws -> [UInt8] {
        switch body {
        case .bytes(let bytes):
            return bytes
        case .stream(let producer):
            var collected: [UInt8] = []
            let writer = HTTPBodyWriter { collected.append(contentsOf: $0) }
            try producer(writer)
            try writer.flush()
            return collected
        }
    }
}

/// Minimal JSON string quoting, so this module needs no JSON dependency.
enum JSONString {
    static func quote(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
