import Foundation
import OutpostHTTP
import OutpostJSON
import OutpostModel

/// Writes one line per request, as text (the default) or as JSON lines (`serve --log-format json`).
///
/// ```text
/// 2026-11-24T09:30:00.123Z POST /v1/push 200 3.2ms user=li
/// {"bytesIn":412,"bytesOut":96,"durationMs":3.2,"method":"POST","requestId":"5f0c…","route":"/v1/push","status":200,"time":"2026-11-24T09:30:00.123Z","user":"li"}
/// ```
///
/// Query strings are left out (they may carry cursors), and so are request bodies and tokens.
/// JSON lines name the route pattern, not the path, so user names in paths stay out too; an
/// error response adds `"error": code`. A streamed body is logged once it has been sent.
public struct RequestLogMiddleware: HTTPMiddleware {
    /// How each line is written.
    public enum Format: String, Sendable, CaseIterable {
        /// `time METHOD path status duration user=…`, for people.
        case text
        /// One JSON object per line, for log collectors.
        case json
    }

    private let format: Format
    private let write: @Sendable (String) -> Void

    /// Creates a logger that hands each line (without a newline) to `write`.
    public init(format: Format = .text, write: @escaping @Sendable (String) -> Void) {
        self.format = format
        self.write = write
    }

    /// A text logger that writes to standard error.
    public static let standardError = RequestLogMiddleware.standardError(.text)

    /// A logger that writes lines in `format` to standard error.
    public static func standardError(_ format: Format) -> RequestLogMiddleware {
        RequestLogMiddleware(format: format) { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    public func handle(_ request: HTTPRequest, next: (HTTPRequest) -> HTTPResponse) throws -> HTTPResponse {
        let (format, write) = (format, write)
        return RequestObservation.observe(request, next: next) { summary in write(Self.line(summary, format)) }
    }

    /// The log line for `summary` in `format`.
    public static func line(_ summary: RequestSummary, _ format: Format) -> String {
        let time = Timestamps.format(summary.startedAt)
        let millis = (summary.durationSeconds * 10_000).rounded() / 10
        switch format {
        case .text:
            return "\(time) \(summary.method) \(summary.path) \(summary.status) \(String(format: "%.1f", millis))ms user=\(summary.user ?? "-")"
        case .json:
            var object: [String: JSONValue] = [
                "time": .string(time), "method": .string(summary.method), "route": .string(summary.route),
                "status": .int(Int64(summary.status)), "durationMs": .double(millis),
                "user": summary.user.map(JSONValue.string) ?? .null, "requestId": .string(summary.requestID),
                "bytesIn": .int(Int64(summary.bytesIn)), "bytesOut": .int(Int64(summary.bytesOut)),
            ]
            if let code = summary.errorCode { object["error"] = .string(code) }
            return JSONValue.object(object).serialized()
        }
    }
}
