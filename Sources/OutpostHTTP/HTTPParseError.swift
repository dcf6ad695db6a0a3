/// Why a request could not be parsed. Each case maps to the status the server answers
/// with before closing the connection.
///
/// ```swift
/// do { _ = try parser.next() } catch { error.status }   // e.g. 431
/// ```
public enum HTTPParseError: HTTPResponseError, Hashable, CustomStringConvertible {
    /// The request line is not `METHOD SP target SP HTTP/x.y`.
    case invalidRequestLine
    /// The method is not a valid token.
    case invalidMethod
    /// The request target has invalid characters or percent-encoding.
    case invalidTarget
    /// The version is well-formed but not HTTP/1.0 or HTTP/1.1.
    case unsupportedVersion(String)
    /// A header line is malformed (bad name, missing colon, invalid characters).
    case invalidHeader
    /// A header line starts with whitespace (obsolete line folding, rejected per RFC 9112 §5.2).
    case obsoleteLineFolding
    /// The request line and headers exceed the limit (in bytes).
    case headerSectionTooLarge(limit: Int)
    /// `Content-Length` is malformed, or several differ.
    case invalidContentLength
    /// The declared body exceeds the limit.
    case bodyTooLarge(length: Int, limit: Int)
    /// `Transfer-Encoding` in a request; chunked request bodies are not supported.
    case transferEncodingNotSupported
    /// An HTTP/1.1 request without `Host`, or with several.
    case invalidHost
    /// `Expect` carries something other than `100-continue`.
    case unsupportedExpectation

    public var status: HTTPStatus {
        switch self {
        case .unsupportedVersion: return .httpVersionNotSupported
        case .headerSectionTooLarge: return .requestHeaderFieldsTooLarge
        case .bodyTooLarge: return .contentTooLarge
        case .transferEncodingNotSupported: return .notImplemented
        case .unsupportedExpectation: return .expectationFailed
        default: return .badRequest
        }
    }

    public var errorCode: String {
        switch self {
        case .unsupportedVersion: return "http_version_not_supported"
        case .headerSectionTooLarge: return "headers_too_large"
        case .bodyTooLarge: return "body_too_large"
        case .transferEncodingNotSupported: return "transfer_encoding_not_supported"
        case .unsupportedExpectation: return "expectation_failed"
        default: return "bad_request"
        }
    }

    public var errorMessage: String {
        switch self {
        case .invalidRequestLine: return "Malformed request line"
        case .invalidMethod: return "Malformed request method"
        case .invalidTarget: return "Malformed request target"
        case .unsupportedVersion(let version): return "HTTP version \(version) is not supported"
        case .invalidHeader: return "Malformed header field"
        case .obsoleteLineFolding: return "Obsolete header line folding is not allowed"
        case .headerSectionTooLarge(let limit): return "Request header section exceeds \(limit) bytes"
        case .invalidContentLength: return "Invalid Content-Length"
        case .bodyTooLarge(let length, let limit): return "Request body of \(length) bytes exceeds \(limit) bytes"
        case .transferEncodingNotSupported: return "Transfer-Encoding in requests is not supported; send Content-Length"
        case .invalidHost: return "HTTP/1.1 requests need exactly one Host header"
        case .unsupportedExpectation: return "Only Expect: 100-continue is supported"
        }
    }

    public var description: String { "\(status.code) \(errorMessage)" }
}
