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
    /// The answer to a request body the wire decoder refused: 400 `invalid_request`, or 413
    /// `record_too_large` when a record breaks a limit of SPEC §14.
    public static func refusedBody(_ error: WireDecodingError) -> APIError {
        if error.isLimitExceeded { return .recordTooLarge([ErrorDetail(message: "\(error.path) \(error.reason)", path: error.path)]) }
        return .invalidRequest(error)
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
                 details: SyncProtocol.supportedVersions.map { ErrorDetail(message: "\($0)", path: SyncProtocol.versionHeader) })
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
    /// 409 `scope_changed`: what the user may read changed since the cursor was issued (SPEC §11.2).
    public static func scopeChanged() -> APIError {
        APIError(status: 409, code: "scope_changed",
                 message: "What you may see has changed (a customer was reassigned or shared, or your role changed). "
                    + "Pull again from the beginning; records you no longer see leave this device.")
    }
    /// 409 `batch_reused`.
    public static func batchReused(_ batch: String) -> APIError {
        APIError(status: 409, code: "batch_reused",
                 message: "Batch \(batch) was already sent with different contents. Use a new batch id for new contents.")
    }
    /// 409 `node_reused`: the node's last acknowledged batch is not the one the push names (SPEC §10.5).
    public static func nodeReused(_ node: NodeID) -> APIError {
        let message = "Another copy of this device's data (a copied file or a restored backup) has already synchronised "
            + "as device \(node.rawValue). This copy must take a new device id and re-stamp its unsent changes; "
            + "the app does this automatically, then synchronise again."
        return APIError(status: 409, code: "node_reused", message: message,
                        details: [ErrorDetail(message: "node \(node.rawValue) has pushed a batch this copy has not seen", path: "$.after")])
    }
    /// 409 `node_reused` for a node enrolled to another user (SPEC §10.5): the device takes a new
    /// node id, as for a copied replica. The other user is not named.
    public static func nodeTaken(_ node: NodeID) -> APIError {
        let message = "Device id \(node.rawValue) is already in use on the server. This device must take a new device id "
            + "and re-stamp its unsent changes; the app does this automatically, then synchronise again."
        return APIError(status: 409, code: "node_reused", message: message,
                        details: [ErrorDetail(message: "node \(node.rawValue) is enrolled for another user", path: "$.node")])
    }
    /// 409 `dot_reused`: a pushed version claims a write the server holds with other content (SPEC §10.3).
    public static func dotReused(_ problem: String, record: RecordID, field: String? = nil) -> APIError {
        let message = "Record \(record.rawValue) was refused: \(problem). The device's copy of it is damaged; "
            + "it should take a new device id and re-stamp its changes."
        return APIError(status: 409, code: "dot_reused", message: message,
                        details: [ErrorDetail(message: problem, record: record.rawValue, field: field)])
    }
    /// 409 `recovery_required`: the cursor belongs to an earlier state of the server (SPEC §11.1).
    public static func recoveryRequired(_ reason: String) -> APIError {
        APIError(status: 409, code: "recovery_required",
                 message: "The server was restored from a backup (\(reason)). The app re-offers its records and pulls again.",
                 details: [ErrorDetail(message: reason, path: "cursor")])
    }
    /// 413 `record_too_large`: a record over a size limit of SPEC §14.
    public static func recordTooLarge(_ details: [ErrorDetail]) -> APIError {
        APIError(status: 413, code: "record_too_large",
                 message: details.count == 1
                    ? "A record is too large: \(details[0].message)"
                    : "\(details.count) records are too large; nothing was stored.",
                 details: details)
    }
    /// 422 `clock_ahead`: writes stamped too far in the future (SPEC §10.2).
    public static func clockAhead(_ details: [ErrorDetail]) -> APIError {
        APIError(status: 422, code: "clock_ahead",
                 message: "Changes were stamped with a date and time in the future. Fix the device's date and time "
                    + "(set it to automatic), then edit the record again; nothing was stored.",
                 details: details)
    }
    /// 422 `invalid_record`.
    public static func invalidRecords(_ details: [ErrorDetail]) -> APIError {
        APIError(status: 422, code: "invalid_record",
                 message: details.count == 1 ? "A record was refused: \(details[0].message)" : "\(details.count) records were refused; nothing was stored.",
                 details: details)
    }
    /// 422 `record_mismatch`.
    public static func recordMismatch(_ error: ModelError, record: RecordID) -> APIError {
        recordMismatch(error.description, record: record)
    }
    /// 422 `record_mismatch` with a plain message.
    public static func recordMismatch(_ message: String, record: RecordID) -> APIError {
        APIError(status: 422, code: "record_mismatch", message: message,
                 details: [ErrorDetail(message: message, record: record.rawValue)])
    }
    /// 404 `not_found`.
    public static let notFound = APIError(status: 404, code: "not_found", message: "There is nothing at this address.")
    /// 500 `internal`.
    public static func `internal`(_ message: String) -> APIError {
        APIError(status: 500, code: "internal", message: message)
    }
}
