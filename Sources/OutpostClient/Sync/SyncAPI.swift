import OutpostJSON
import OutpostModel

/// Typed calls to the sync server's HTTP API over any ``SyncTransport``.
///
/// ```swift
/// let api = SyncAPI(transport: try HTTPTransport(baseURL: url), token: token)
/// let session = try await api.session()
/// let page = try await api.pull(cursor: nil, limit: 1000)
/// ```
public struct SyncAPI: Sendable {
    /// The transport requests travel over.
    public let transport: any SyncTransport
    /// The bearer token.
    public let token: String

    /// Creates an API client.
    public init(transport: any SyncTransport, token: String) {
        self.transport = transport
        self.token = token
    }

    /// `GET /v1/session`: who the token belongs to, and the server's limits.
    public func session() async throws -> SessionInfo {
        let json = try await call(TransportRequest(method: "GET", path: "/v1/session"))
        return try decode(json, SessionInfo.init(json:))
    }

    /// `POST /v1/push`: merges a batch atomically.
    public func push(_ request: PushRequest) async throws -> PushResponse {
        let body = request.canonicalJSON()
        let json = try await call(TransportRequest(method: "POST", path: "/v1/push",
                                                   headers: ["Content-Type": "application/json"], body: body))
        let response = try decode(json, PushResponse.init(json:))
        guard response.batch == request.batch, response.results.count == request.records.count else {
            throw SyncError.protocolViolation("the push answer does not match batch \(request.batch)")
        }
        return response
    }

    /// `GET /v1/pull`: the next page of changes after `cursor` (`nil` = from the beginning).
    public func pull(cursor: String?, limit: Int) async throws -> PullPage {
        try await pullBody(cursor: cursor, limit: limit) { body in try PullPage.decode(bytes: body) }
    }

    /// `GET /v1/pull` like ``pull(cursor:limit:)``, as a ``ReceivedPullPage``: envelopes are
    /// validated and summarised but only decoded when a replica needs them. Accepts and refuses
    /// exactly the same pages.
    public func pullReceived(cursor: String?, limit: Int) async throws -> ReceivedPullPage {
        try await pullBody(cursor: cursor, limit: limit) { body in try ReceivedPullPage.decode(bytes: body) }
    }

    private func pullBody<Page>(cursor: String?, limit: Int, decode: ([UInt8]) throws -> Page) async throws -> Page {
        var query = [("limit", String(limit))]
        if let cursor { query.append(("cursor", cursor)) }
        let response = try await send(TransportRequest(method: "GET", path: "/v1/pull", query: query))
        guard (200..<300).contains(response.status) else {
            _ = try check(response)
            throw SyncError.protocolViolation("status \(response.status)")
        }
        // The fast path: envelopes are decoded straight from the bytes, which are kept for storage.
        do {
            return try decode(response.body)
        } catch let error as JSONParseError {
            throw SyncError.protocolViolation("status \(response.status) with a body that is not JSON (\(error))")
        } catch {
            throw SyncError.protocolViolation(String(describing: error))
        }
    }

    private func send(_ request: TransportRequest) async throws -> TransportResponse {
        var request = request
        request.headers["Authorization"] = "Bearer \(token)"
        request.headers[SyncProtocol.versionHeader] = String(SyncProtocol.currentVersion)
        request.headers["Accept"] = "application/json"
        return try await transport.send(request)
    }

    private func call(_ request: TransportRequest) async throws -> JSONValue {
        try check(try await send(request))
    }

    /// Parses a response body, turning error statuses into ``SyncError``s.
    private func check(_ response: TransportResponse) throws -> JSONValue {
        let json: JSONValue
        do {
            json = try JSONValue.parse(response.body)
        } catch {
            throw SyncError.protocolViolation("status \(response.status) with a body that is not JSON (\(error))")
        }
        guard (200..<300).contains(response.status) else {
            let error = (try? ErrorBody(json: json)) ?? ErrorBody(code: "http_\(response.status)", message: "HTTP status \(response.status)")
            switch (response.status, error.code) {
            case (401, _): throw SyncError.unauthorized(error.message)
            case (_, "unsupported_protocol"):
                let versions = error.details.compactMap { Int($0.message.filter(\.isNumber)) }
                throw SyncError.unsupportedProtocol(serverVersions: versions)
            default: throw SyncError.rejected(status: response.status, error: error)
            }
        }
        return json
    }

    private func decode<T>(_ json: JSONValue, _ make: (JSONValue) throws(WireDecodingError) -> T) throws -> T {
        do {
            return try make(json)
        } catch {
            throw SyncError.protocolViolation(error.description)
        }
    }
}
