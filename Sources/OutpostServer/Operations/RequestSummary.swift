import Dispatch
import Foundation
import OutpostCrypto
import OutpostHTTP

/// One answered request as request logs and metrics see it: never a body, a token or a query.
///
/// ```swift
/// let summary: RequestSummary = …   // handed to observers by the logging and metrics middleware
/// print(summary.route, summary.status, summary.durationSeconds)
/// ```
public struct RequestSummary: Sendable, Hashable {
    /// The route pattern that answered, e.g. `/v1/users/:name/state`, or `unmatched` (404).
    public static let unmatchedRoute = "unmatched"

    /// When the request started, UTC milliseconds.
    public var startedAt: Int64
    /// The method, e.g. `GET`.
    public var method: String
    /// The decoded path without its query (for the text log, which has always shown it).
    public var path: String
    /// The route pattern (``unmatchedRoute`` when no route has the path).
    public var route: String
    /// The response status code.
    public var status: Int
    /// From the request reaching the router until the last byte of the body was produced.
    public var durationSeconds: Double
    /// The signed-in user, when a token was accepted.
    public var user: String?
    /// The request's id: the client's or proxy's `X-Request-ID` when well-formed, else a fresh one.
    public var requestID: String
    /// Bytes of the request body.
    public var bytesIn: Int
    /// Bytes of the response body (for streamed bodies, as many as were produced).
    public var bytesOut: Int
    /// The error code of an error response, e.g. `forbidden`.
    public var errorCode: String?
}

/// Filled in while a request is handled: the signed-in user (by the authentication middleware)
/// and the request id (by the outermost observer, shared with inner ones).
final class RequestNote: @unchecked Sendable {
    /// The storage key.
    enum Key: RequestStorageKey { typealias Value = RequestNote }
    // Safety: written and read on the thread handling the request only (a streamed body is
    // produced on that same worker thread after the middleware returns).
    var user: String?
    let requestID: String

    init(requestID: String) { self.requestID = requestID }
}

enum RequestObservation {
    /// Runs `next` and hands `finish` a summary once the response is complete: at once for a
    /// body in bytes, after the producer has run for a streamed body.
    static func observe(_ request: HTTPRequest, next: (HTTPRequest) -> HTTPResponse,
                        finish: @escaping @Sendable (RequestSummary) -> Void) -> HTTPResponse {
        let start = DispatchTime.now().uptimeNanoseconds
        let startedAt = Int64(Date().timeIntervalSince1970 * 1000)
        var request = request
        let note: RequestNote
        if let existing = request.storage[RequestNote.Key.self] {
            note = existing
        } else {
            note = RequestNote(requestID: requestID(request.headers["X-Request-ID"]))
            request.storage[RequestNote.Key.self] = note
        }
        var response = next(request)
        let summary = RequestSummary(
            startedAt: startedAt, method: request.method.rawValue, path: request.path,
            route: request.storage[Router.MatchedRoute.self] ?? RequestSummary.unmatchedRoute,
            status: response.status.code, durationSeconds: 0, user: nil, requestID: note.requestID,
            bytesIn: request.body.count, bytesOut: 0, errorCode: response.errorCode)
        @Sendable func complete(bytesOut: Int) {
            var summary = summary
            summary.durationSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000_000
            summary.user = note.user
            summary.bytesOut = bytesOut
            finish(summary)
        }
        switch response.body {
        case .bytes(let bytes):
            complete(bytesOut: bytes.count)
        case .stream(let producer):
            response.body = .stream { writer in
                defer { complete(bytesOut: writer.bytesWritten) }
                try producer(writer)
            }
        }
        return response
    }

    /// A proxy's `X-Request-ID` when it is 1–128 characters of letters, digits, `-`, `_`, `.`
    /// and `:` (so it cannot forge log lines), else 16 fresh hex digits.
    static func requestID(_ given: String?) -> String {
        if let given, (1...128).contains(given.utf8.count),
           given.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || (($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A) || [0x2D, 0x5F, 0x2E, 0x3A].contains($0) }) {
            return given
        }
        return SecureRandom.bytes(count: 8).map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
