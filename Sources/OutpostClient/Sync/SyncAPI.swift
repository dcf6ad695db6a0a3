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
    /// The protocol version sent with every request (`Outpost-Protocol`): this build's preferred
    /// one until ``negotiate()`` picks the highest version both sides speak.
    public var version: Int

    /// Creates an API client.
    public init(transport: any SyncTransport, token: String, version: Int = SyncProtocol.currentVersion) {
        self.transport = transport
        self.token = token
        self.version = version
    }

    /// `GET /v1/session`: who the token belongs to, and the server's limits.
    ///
    /// - Throws: ``SyncError/unsupportedProtocol(serverVersions:)`` when the server speaks none of
    ///   this build's protocol versions.
    public func session() async throws -> SessionInfo {
        try await negotiate().session
    }

    /// Reads `GET /v1/session` and picks the protocol version to use: the highest one both this
    /// build (``SyncProtocol/supportedVersions``) and the server (`protocolVersions`) speak. The
    /// session is asked for without a version header, so a server of any version answers it.
    ///
    /// ```swift
    /// var api = SyncAPI(transport: transport, token: token)
    /// let (session, version) = try await api.negotiate()
    /// api.version = version
    /// ```
    ///
    /// - Throws: ``SyncError/unsupportedProtocol(serverVersions:)`` when there is none.
    public func negotiate() async throws -> (session: SessionInfo, version: Int) {
        var request = TransportRequest(method: "GET", path: "/v1/session")
        request.headers["Authorization"] = "Bearer \(token)"
        request.headers["Accept"] = "application/json"
        let json = try check(try await transport.send(request))
        // Versions first: an older or newer server's session may differ in other members.
        let versions = json.objectValue?["protocolVersions"]?.arrayValue?.compactMap { $0.intValue.map(Int.init) } ?? []
        guard let version = SyncProtocol.negotiate(serverVersions: versions) else {
            throw SyncError.unsupportedProtocol(serverVersions: versions)
        }
        return (try decode(json, SessionInfo.init(json:)), version)
    }

    /// `POST /v1/diff`: which of these record versions (at most ``SyncProtocol/maxBatchRecords``)
    /// hold writes the server lacks. Used by the recovery sync after a server restore.
    public func diff(_ request: DiffRequest) async throws -> DiffResponse {
        let json = try await call(TransportRequest(method: "POST", path: "/v1/diff", headers: ["Content-Type": "application/json"],
                                                   body: request.jsonValue.serializedBytes()))
        return try decode(json, DiffResponse.init(json:))
    }

    /// `GET /v1/authors`: the user behind each node id the caller may read.
    /// Freezes (`"frozen"`), unfreezes (`"active"`) or deactivates (`"deactivated"`) a user's
    /// account at once (`POST /v1/users/{name}/state`, SPEC §9.7): for branch administrators (their
    /// branch), HQ and administrators. Refused with ``SyncError/rejected(status:error:)`` otherwise.
    public func setUserState(_ name: String, to state: String) async throws {
        guard UserName.isValid(name) else {
            throw SyncError.rejected(status: 400, error: ErrorBody(code: "invalid_request", message: "'\(name)' is not a valid user name."))
        }
        _ = try await call(TransportRequest(method: "POST", path: "/v1/users/\(name)/state", headers: ["Content-Type": "application/json"],
                                            body: JSONValue.object(["state": .string(state)]).serializedBytes()))
    }

    /// The accounts the caller may manage or oversee (`GET /v1/users`, SPEC §9.7), optionally only
    /// those who have not synced for `inactiveDays` days: name, role, branch, state and last sync.
    public func users(inactiveDays: Int? = nil) async throws -> JSONValue {
        try await call(TransportRequest(method: "GET", path: "/v1/users", query: inactiveDays.map { [("inactive", String($0))] } ?? []))
    }

    public func authors() async throws -> AuthorsResponse {
        let json = try await call(TransportRequest(method: "GET", path: "/v1/authors"))
        return try decode(json, AuthorsResponse.init(json:))
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

    /// `GET /v1/pull` as a ``PulledPage``: like ``pullReceived(cursor:limit:)``, but records of
    /// entity types this app does not know are kept opaque instead of refusing the page.
    public func pullPage(cursor: String?, limit: Int, waitSeconds: Int = 0) async throws -> PulledPage {
        try await pullBody(cursor: cursor, limit: limit, waitSeconds: waitSeconds) { body in try PulledPage.decode(bytes: body) }
    }

    private func pullBody<Page>(cursor: String?, limit: Int, waitSeconds: Int = 0, decode: ([UInt8]) throws -> Page) async throws -> Page {
        var query = [("limit", String(limit))]
        if let cursor { query.append(("cursor", cursor)) }
        if waitSeconds > 0 { query.append(("wait", String(waitSeconds))) }
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
        request.headers[SyncProtocol.versionHeader] = String(version)
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

extension SyncAPI {
    /// Holds a pull open on the server until it has changes after `cursor` that this user may
    /// read, or `waitSeconds` pass (long-poll, SPEC §9.3): `true` when there are changes to pull.
    /// Nothing is applied here; a sync pulls them.
    ///
    /// ```swift
    /// if try await api.waitForChanges(after: cursor, waitSeconds: 25) { try await engine.sync() }
    /// ```
    public func waitForChanges(after cursor: String?, waitSeconds: Int) async throws -> Bool {
        let page = try await pullPage(cursor: cursor, limit: 1, waitSeconds: max(0, waitSeconds))
        return page.count > 0 || page.hasMore
    }
}
