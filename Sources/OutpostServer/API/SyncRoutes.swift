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
    public static func makeRouter(database: ServerDatabase, log: RequestLogMiddleware? = nil,
                                  maxClockSkewMillis: Int64 = PushPlanner.defaultMaxClockSkewMillis) -> Router {
        var router = Router()
        if let log { router.add(middleware: log) }
        router.add(middleware: ProtocolVersionMiddleware())
        router.add(middleware: AuthenticationMiddleware(database: database))
        router.get("/health") { _, _ in
            json(["status": "ok", "protocolVersions": .array(SyncProtocol.supportedVersions.map { .int(Int64($0)) })])
        }
        router.get("/v1/session") { request, _ in
            let user = try currentUser(request)
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
            let response = try database.push(push, body: request.body, user: user, maxClockSkewMillis: maxClockSkewMillis)
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
            let (pageAfter, pageLimit) = (after, limit)
            return .stream(contentType: "application/json") { writer in
                try database.streamPull(after: pageAfter, limit: pageLimit, scope: scope) { bytes in try writer.write(bytes) }
            }
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
        guard let user = try database.authenticate(token: String(parts[1]).trimmingCharacters(in: .whitespaces)) else {
            throw APIError.unauthorized("The access token is unknown or has been revoked.")
        }
        var request = request
        request.storage[AuthenticatedUser.self] = user
        request.storage[RequestLogNote.Key.self]?.user = user.name
        return next(request)
    }
}
