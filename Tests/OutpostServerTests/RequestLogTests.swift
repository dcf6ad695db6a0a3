import Foundation
import Testing
import OutpostClient
import OutpostHTTP
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
}
