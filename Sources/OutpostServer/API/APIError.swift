import OutpostModel

/// An error the API answers with: an HTTP status plus the protocol's error body.
///
/// ```swift
/// throw APIError.forbidden("Sales staff cannot delete records.")
/// ```
public struct APIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The HTTP status code.
    public var statusCode: Int
    /// The error body sent to the client.
    public var body: ErrorBody

    /// Creates an error.
    public init(status: Int, code: String, message: String, details: [ErrorDetail] = []) {
        self.statusCode = status
        self.body = ErrorBody(code: code, message: message, details: details)
    }

    public var description: String { "\(statusCode) \(body.code): \(body.message)" }

    /// 400 `malformed_json`.
    public static func malformedJSON(_ reason: String) -> APIError {
        APIError(status: 400, code: "malformed_json", message: "The request body is not valid JSON: \(reason)")
    }
    /// 400 `invalid_request`.
    public static func invalidRequest(_ error: WireDecodingError) -> APIError {
        APIError(status: 400, code: "invalid_request", message: "The request does not follow the protocol: \(error)",
                 details: [ErrorDetail(message: error.reason, path: error.path)])
    }
    /// 400 `invalid_request` with a plain message.
    public static func invalidRequest(_ message: String) -> APIError {
        APIError(status: 400, code: "invalid_request", message: message)
    }
    /// 400 `invalid_cursor`.
    public static func invalidCursor(_ cursor: String) -> APIError {
        APIError(status: 400, code: "invalid_cursor",
                 message: "The cursor '\(cursor)' was not issued by this server. Pull again without a cursor.")
    }
    /// 400 `unsupported_protocol`.
    public static func unsupportedProtocol(_ asked: String) -> APIError {
        APIError(status: 400, code: "unsupported_protocol",
                 message: "Protocol version '\(asked)' is not supported. Supported versions: \(SyncProtocol.supportedVersions.map(String.init).joined(separator: ", ")).",
                 details: SyncProtocol.supportedVersions.map { ErrorDetail(message: "\($0)") })
    }
    /// 401 `unauthorized`.
    public static func unauthorized(_ message: String) -> APIError {
        APIError(status: 401, code: "unauthorized", message: message)
    }
    /// 403 `forbidden`.
    public static func forbidden(_ message: String, record: RecordID? = nil) -> APIError {
        APIError(status: 403, code: "forbidden", message: message,
                 details: record.map { [ErrorDetail(message: message, record: $0.rawValue)] } ?? [])
    }
    /// 409 `batch_reused`.
    public static func batchReused(_ batch: String) -> APIError {
        APIError(status: 409, code: "batch_reused",
                 message: "Batch \(batch) was already sent with different contents. Use a new batch id for new contents.")
    }
    /// 422 `invalid_record`.
    public static func invalidRecords(_ details: [ErrorDetail]) -> APIError {
        APIError(status: 422, code: "invalid_record",
                 message: details.count == 1 ? "A record was refused: \(details[0].message)" : "\(details.count) records were refused; nothing was stored.",
                 details: details)
    }
    /// 422 `record_mismatch`.
    public static func recordMismatch(_ error: ModelError, record: RecordID) -> APIError {
        APIError(status: 422, code: "record_mismatch", message: error.description,
                 details: [ErrorDetail(message: error.description, record: record.rawValue)])
    }
    /// 404 `not_found`.
    public static let notFound = APIError(status: 404, code: "not_found", message: "There is nothing at this address.")
    /// 500 `internal`.
    public static func `internal`(_ message: String) -> APIError {
        APIError(status: 500, code: "internal", message: message)
    }
}
