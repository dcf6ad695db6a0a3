import Foundation
import OutpostHTTP
import OutpostModel

/// Writes one line per request: time, method, path, status, duration and user.
///
/// ```text
/// 2026-11-24T09:30:00.123Z POST /v1/push 200 3.2ms user=li
/// ```
///
/// Query strings are left out (they may carry cursors), and so are request bodies and tokens.
public struct RequestLogMiddleware: HTTPMiddleware {
    private let write: @Sendable (String) -> Void

    /// Creates a logger that hands each line (without a newline) to `write`.
    public init(write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    /// A logger that writes to standard error.
    public static let standardError = RequestLogMiddleware { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    public func handle(_ request: HTTPRequest, next: (HTTPRequest) -> HTTPResponse) throws -> HTTPResponse {
        let start = DispatchTime.now().uptimeNanoseconds
        let note = RequestLogNote()
        var request = request
        request.storage[RequestLogNote.Key.self] = note
        let response = next(request)
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
        let user = note.user ?? "-"
        let time = Timestamps.format(Int64(Date().timeIntervalSince1970 * 1000))
        write("\(time) \(request.method) \(request.path) \(response.status.code) \(String(format: "%.1f", elapsed))ms user=\(user)")
        return response
    }
}

/// Filled in by inner middleware (the signed-in user) for the request log line.
final class RequestLogNote: @unchecked Sendable {
    /// The storage key.
    enum Key: RequestStorageKey { typealias Value = RequestLogNote }
    // Written and read on the thread handling the request only.
    var user: String?
}
