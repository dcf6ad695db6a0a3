import Foundation
import Testing
import OutpostClient
import OutpostTestSupport

@Suite("outpost-server serve: metrics options")
struct ServeOperationsProcessTests {
    @Test func theMetricsTokenFileOpensMetricsToTheScraperOnly() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-ops-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("server.db").path
        let added = try ServerProcess.run(["user", "add", "li", "--role", "manager", "--branch", "BJ", "--db", database, "--json"])
        #expect(added.status == 0)
        let tokenFile = directory.appendingPathComponent("metrics.token").path
        let scraper = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
        try Data((scraper + "\n").utf8).write(to: URL(fileURLWithPath: tokenFile))
        let server = try ServerProcess(database: database, arguments: ["--metrics-token-file", tokenFile, "--log-format", "json"])
        defer { _ = server.terminate() }
        let transport = try HTTPTransport(baseURL: server.baseURL)

        let health = try await transport.send(TransportRequest(method: "GET", path: "/health"))
        #expect(health.status == 200)
        let refused = try await transport.send(TransportRequest(method: "GET", path: "/metrics"))
        #expect(refused.status == 401)
        let scraped = try await transport.send(TransportRequest(method: "GET", path: "/metrics", headers: ["Authorization": "Bearer \(scraper)"]))
        #expect(scraped.status == 200)
        let text = String(decoding: scraped.body, as: UTF8.self)
        #expect(text.contains(#"outpost_http_requests_total{method="GET",route="/health",status="200"} 1"#), "\(text.prefix(400))")
        #expect(text.contains(#"outpost_refusals_total{code="unauthorized"} 1"#))
        #expect(text.contains("# TYPE outpost_database_size_bytes gauge"))
    }
}
