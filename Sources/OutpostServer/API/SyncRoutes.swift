import Foundation
import OutpostHTTP
import OutpostJSON
import OutpostModel

/// The key under which the authentication middleware leaves the signed-in user.
enum AuthenticatedUser: RequestStorageKey {
    typealias Value = UserAccount
}

/// Builds the HTTP API of the sync server (see `Protocol/openapi.yaml`).
///
/// ```swift
/// let router = SyncRoutes.makeRouter(database: database)
/// let response = router.respond(to: request)   // in-process, no socket needed
/// ```
public enum SyncRoutes {
    /// The router with every endpoint and middleware.
    /// - Parameters:
    ///   - log: writes one line per request (see ``RequestLogMiddleware``); `nil` logs nothing.
    ///   - maxClockSkewMillis: how far ahead of the server's clock pushed writes may be stamped (422 `clock_ahead`).
    ///   - metrics: counts requests, records and refusals; `nil` counts nothing.
    ///   - metricsAccess: who may read `GET /metrics` (``MetricsAccess/off``: nobody).
    public static func makeRouter(database: ServerDatabase, log: RequestLogMiddleware? = nil,
                                  maxClockSkewMillis: Int64 = PushPlanner.defaultMaxClockSkewMillis,
                                  metrics: ServerMetrics? = nil, metricsAccess: MetricsAccess = .off) -> Router {
        var router = Router()
        if let log { router.add(middleware: log) }
        if let metrics { router.add(middleware: MetricsMiddleware(metrics: metrics)) }
        router.add(middleware: ProtocolVersionMiddleware())
        router.add(middleware: AuthenticationMiddleware(database: database))
        router.get("/health") { _, _ in
            json(["status": "ok", "protocolVersions": .array(SyncProtocol.supportedVersions.map { .int(Int64($0)) })])
        }
        router.get("/v1/session") { request, _ in
            let user = try currentUser(request)
            try database.noteSync(user: user.name)
            return json(SessionInfo(user: user.name, role: user.role, branch: user.branch, serverID: database.serverID, epoch: database.epoch).jsonValue)
        }
        router.post("/v1/push") { request, _ in
            let user = try currentUser(request)
            let push: PushRequest
            do {
                push = try PushRequest.decode(bytes: request.body)
            } catch let error as JSONParseError {
                throw APIError.malformedJSON(error.description)
            } catch let error as WireDecodingError {
                throw APIError.refusedBody(error)
            }
            let (response, replayed) = try database.pushNotingReplay(push, body: request.body, user: user,
                                                                     maxClockSkewMillis: maxClockSkewMillis)
            metrics?.notePush(response, replayed: replayed)
            return json(response.jsonValue)
        }
        router.post("/v1/diff") { request, _ in
            let user = try currentUser(request)
            guard !request.body.isEmpty else {
                throw APIError.invalidRequest("The request needs a JSON body: {\"records\":[{\"id\":…,\"clock\":{…}}]}.")
            }
            let diff: DiffRequest
            do {
                diff = try DiffRequest(json: JSONValue.parse(request.body))
            } catch let error as JSONParseError {
                throw APIError.malformedJSON(error.description)
            } catch let error as WireDecodingError {
                throw APIError.refusedBody(error)
            }
            return json(try database.diff(diff, scope: user.scope).jsonValue)
        }
        router.get("/v1/authors") { request, _ in
            let user = try currentUser(request)
            if let item = request.queryItems.first {
                throw APIError.invalidRequest("Unknown query parameter '\(item.name)'. Authors takes none.")
            }
            return json(try database.authors(scope: user.scope).jsonValue)
        }
        PolicyRoutes.add(to: &router, database: database)
        MetricsRoute.add(to: &router, metrics: metrics, access: metricsAccess)
        router.get("/v1/pull") { request, _ in
            let user = try currentUser(request)
            for item in request.queryItems where item.name != "cursor" && item.name != "limit" {
                throw APIError.invalidRequest("Unknown query parameter '\(item.name)'. Pull takes cursor and limit.")
            }
            var after: Int64 = 0
            if let text = request.query["cursor"], !text.isEmpty {
                guard let cursor = Cursor(text), cursor.serverID == database.serverID else { throw APIError.invalidCursor(text) }
                guard cursor.epoch == database.epoch else {
                    throw APIError.recoveryRequired("the cursor is from an earlier state of the server")
                }
                guard cursor.seq <= (try database.newestSeq()) else {
                    throw APIError.recoveryRequired("the cursor is ahead of the server's newest change")
                }
                guard cursor.seq >= (try database.purgedThrough()) else {
                    throw APIError.recoveryRequired("deletions older than the server's tombstone horizon were purged since this device last synced")
                }
                guard cursor.generation == user.scopeGeneration else { throw APIError.scopeChanged() }
                after = cursor.seq
            }
            var limit = SyncProtocol.defaultPageRecords
            if let text = request.query["limit"] {
                guard let value = Int(text), value >= 1, value <= SyncProtocol.maxPageRecords else {
                    throw APIError.invalidRequest("limit must be a whole number from 1 to \(SyncProtocol.maxPageRecords); got '\(text)'.")
                }
                limit = value
            }
            let scope = user.scope
            let (pageAfter, pageLimit, generation) = (after, limit, user.scopeGeneration)
            return .stream(contentType: "application/json") { writer in
                let count = try database.streamPull(after: pageAfter, limit: pageLimit, scope: scope, generation: generation) { bytes in
                    try writer.write(bytes)
                }
                metrics?.notePulled(count)
            }
        }
        router.get("/v1/users") { request, _ in
            let user = try currentUser(request)
            guard user.scope.managesUsers(of: user.branch) || user.role == .manager else {
                throw APIError.forbidden("The user list is for headquarters, administrators, branch heads and branch administrators.")
            }
            var days: Int?
            for item in request.queryItems {
                guard item.name == "inactive", let value = Int(item.value), value >= 1 else {
                    throw APIError.invalidRequest("Users takes only inactive, a whole number of days (1 or more).")
                }
                days = value
            }
            let listed = try days.map { try database.inactiveUsers(days: $0) } ?? database.users()
            let visible = listed.filter { user.scope.readsAllBranches || $0.branch == user.branch }
            return json(.object(["users": .array(visible.map { account in
                .object(["name": .string(account.name), "role": .string(account.role.rawValue), "branch": .string(account.branch),
                         "state": .string(account.status.rawValue),
                         "lastSync": account.lastSyncAt.map { .string(Timestamps.format($0)) } ?? .null])
            })]))
        }
        router.post("/v1/users/:name/state") { request, parameters in
            let user = try currentUser(request)
            let name = parameters["name"] ?? ""
            let state: UserAccount.Status
            do {
                let body = try JSONValue.parse(request.body)
                guard let object = body.objectValue, object.count == 1, let text = object["state"]?.stringValue,
                      let parsed = UserAccount.Status(rawValue: text)
                else {
                    throw APIError.invalidRequest(#"The body must be {"state": "active" | "frozen" | "deactivated"}."#)
                }
                state = parsed
            } catch let error as JSONParseError {
                throw APIError.malformedJSON(error.description)
            }
            try database.setState(of: name, to: state, by: user)
            return json(.object(["user": .string(name), "state": .string(state.rawValue)]))
        }
        router.get("/v1/audit") { request, _ in
            let user = try currentUser(request)
            guard user.role != .sales else {
                throw APIError.forbidden("The audit log of access changes is for headquarters, administrators, auditors and branch heads.")
            }
            var limit = 1000
            for item in request.queryItems {
                guard item.name == "limit", let value = Int(item.value), (1...10_000).contains(value) else {
                    throw APIError.invalidRequest("Audit takes only limit, a whole number from 1 to 10000.")
                }
                limit = value
            }
            return json(.object(["entries": .array(try database.auditLog(scope: user.scope, limit: limit).map { entry in
                .object(["at": .string(Timestamps.format(entry.at)), "actor": .string(entry.actor), "action": .string(entry.action),
                         "subject": .string(entry.subject), "branch": .string(entry.branch), "detail": .string(entry.detail)])
            })]))
        }
        return router
    }

    static func currentUser(_ request: HTTPRequest) throws -> UserAccount {
        guard let user = request.storage[AuthenticatedUser.self] else {
            throw APIError.unauthorized("Sign in with an access token (Authorization: Bearer …).")
        }
        return user
    }

    static func json(_ value: JSONValue) -> HTTPResponse {
        .json(bytes: value.serializedBytes())
    }
}

/// Refuses protocol versions this server does not speak and labels every answer with the version.
struct ProtocolVersionMiddleware: HTTPMiddleware {
    func handle(_ request: HTTPRequest, next: (HTTPRequest) -> HTTPResponse) throws -> HTTPResponse {
        if let asked = request.headers[SyncProtocol.versionHeader] {
            let trimmed = asked.trimmingCharacters(in: .whitespaces)
            guard let version = Int(trimmed), SyncProtocol.supportedVersions.contains(version) else {
                throw APIError.unsupportedProtocol(asked)
            }
        }
        var response = next(request)
        response.headers.set(name: SyncProtocol.versionHeader, value: String(SyncProtocol.currentVersion))
        return response
    }
}

/// Resolves the bearer token of `/v1/…` requests to a live user; refuses the rest with 401.
struct AuthenticationMiddleware: HTTPMiddleware {
    let database: ServerDatabase

    func handle(_ request: HTTPRequest, next: (HTTPRequest) -> HTTPResponse) throws -> HTTPResponse {
        guard request.path.hasPrefix("/v1/") else { return next(request) }
        guard let header = request.headers["Authorization"] else {
            throw APIError.unauthorized("No access token was sent. Send Authorization: Bearer <token>.")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthorized("The Authorization header must be 'Bearer <token>'.")
        }
        guard let user = try database.account(token: String(parts[1]).trimmingCharacters(in: .whitespaces)) else {
            throw APIError.unauthorized("The access token is unknown or has been revoked.")
        }
        switch user.status {
        case .active: break
        case .frozen: throw APIError.unauthorized("Your account is frozen. Ask your branch administrator.")
        case .deactivated: throw APIError.unauthorized("Your account has been deactivated. Ask your branch administrator.")
        }
        var request = request
        request.storage[AuthenticatedUser.self] = user
        request.storage[RequestNote.Key.self]?.user = user.name
        return next(request)
    }
}
