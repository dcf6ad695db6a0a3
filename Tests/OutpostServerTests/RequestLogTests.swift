import Foundation
import Testing
import OutpostClient
import OutpostHTTP
import OutpostJSON
import OutpostModel
import OutpostServer
import OutpostTestSupport

/// Collects log lines from the request logger.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ line: String) { lock.withLock { stored.append(line) } }
    var lines: [String] { lock.withLock { stored } }
}

@Suite("Request log")
struct RequestLogTests {
    @Test func everyRequestIsLoggedWithStatusAndUserButNoToken() throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let token = try server.addUser("li", role: .sales, branch: "BJ")
        let lines = LogLines()
        let router = SyncRoutes.makeRouter(database: server.database, log: RequestLogMiddleware { lines.append($0) })
        _ = router.handle(TransportRequest(method: "GET", path: "/v1/session", headers: ["Authorization": "Bearer \(token)"]))
        _ = router.handle(TransportRequest(method: "GET", path: "/v1/pull", query: [("cursor", "secret.1")],
                                           headers: ["Authorization": "Bearer wrong"]))
        #expect(lines.lines.count == 2)
        #expect(lines.lines[0].hasSuffix("ms user=li"))
        #expect(lines.lines[0].contains(" GET /v1/session 200 "))
        #expect(lines.lines[1].contains(" GET /v1/pull 401 "))
        #expect(lines.lines[1].hasSuffix("user=-"))
        #expect(!lines.lines.joined().contains(token))
        #expect(!lines.lines.joined().contains("secret"))
    }

    @Test func jsonLinesParseAsJSONNameTheRoutePatternAndNeverCarryTokensBodiesOrQueries() throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let token = try server.addUser("li", role: .sales, branch: "BJ")
        _ = try server.addUser("wu", role: .sales, branch: "BJ")
        let lines = LogLines()
        let router = SyncRoutes.makeRouter(database: server.database, log: RequestLogMiddleware(format: .json) { lines.append($0) })
        let auth = ["Authorization": "Bearer \(token)"]
        _ = router.handle(TransportRequest(method: "GET", path: "/v1/session", headers: auth.merging(["X-Request-ID": "proxy-42.a"]) { $1 }))
        _ = router.handle(TransportRequest(method: "GET", path: "/v1/pull", query: [("cursor", "secret.1")],
                                           headers: ["Authorization": "Bearer wrong-token-value", "X-Request-ID": "forged id=\"x\""]))
        let body = Array(#"{"state":"frozen","note":"body-secret"}"#.utf8)
        _ = router.handle(TransportRequest(method: "POST", path: "/v1/users/wu/state", headers: auth, body: body))
        _ = router.handle(TransportRequest(method: "GET", path: "/v1/pull", headers: auth))

        let objects = try lines.lines.map { line -> [String: JSONValue] in
            #expect(!line.contains("\n"), "one object per line")
            return try #require(JSONValue.parse(Array(line.utf8)).objectValue, "not a JSON object: \(line)")
        }
        try #require(objects.count == 4, "\(lines.lines)")
        for object in objects {
            #expect(Set(object.keys).isSuperset(of: ["time", "method", "route", "status", "durationMs", "user", "requestId", "bytesIn", "bytesOut"]))
            #expect(object["time"]?.stringValue.flatMap(Timestamps.parse) != nil)
            #expect((object["durationMs"]?.doubleValue ?? -1) >= 0)
        }
        #expect(objects[0]["route"] == "/v1/session" && objects[0]["status"] == .int(200) && objects[0]["user"] == "li")
        #expect(objects[0]["requestId"] == "proxy-42.a", "a well-formed X-Request-ID from a proxy is kept")
        #expect(objects[1]["status"] == .int(401) && objects[1]["user"] == .null && objects[1]["error"] == "unauthorized")
        #expect(objects[1]["requestId"]?.stringValue?.count == 16, "a malformed X-Request-ID is replaced")
        #expect(objects[2]["route"] == "/v1/users/:name/state", "the pattern, not the path with a user name")
        #expect(objects[2]["bytesIn"] == .int(Int64(body.count)))
        #expect(objects[3]["route"] == "/v1/pull" && objects[3]["status"] == .int(200))
        #expect((objects[3]["bytesOut"]?.intValue ?? 0) > 0, "a streamed pull is logged with the bytes it sent")
        let all = lines.lines.joined(separator: "\n")
        for secret in [token, "wrong-token-value", "secret.1", "body-secret", "/v1/users/wu"] {
            #expect(!all.contains(secret), "\(secret) must not be logged")
        }
    }
}
