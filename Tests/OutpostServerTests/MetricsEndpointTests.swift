import Foundation
import Testing
import OutpostJSON
import OutpostModel
import OutpostServer

@Suite("GET /metrics")
struct MetricsEndpointTests {
    static let scraperToken = "scraper-token-0123456789abcdef"

    /// A server on a loopback port whose /metrics needs the scraper's token.
    static func serve(_ h: Harness) throws -> (SyncServer, RawHTTPClient) {
        let server = SyncServer(database: h.database, port: 0, metricsAccess: .token(scraperToken))
        try server.start()
        return (server, RawHTTPClient(port: server.port))
    }

    static func scrape(_ client: RawHTTPClient) throws -> Exposition {
        let response = try client.send(method: "GET", target: "/metrics", headers: ["Authorization": "Bearer \(scraperToken)"])
        try #require(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
        #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        return try Exposition(String(decoding: response.body, as: UTF8.self))
    }

    static func push(_ client: RawHTTPClient, token: String, _ request: PushRequest) throws -> RawHTTPClient.Response {
        try client.send(method: "POST", target: "/v1/push",
                        headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json", "Outpost-Protocol": "2"],
                        body: request.jsonValue.serializedBytes())
    }

    @Test func countsGrowByExactlyTheRequestsMadeLabelledByRoutePattern() throws {
        let h = try Harness()
        let token = try h.user("li", role: .sales)
        _ = try h.user("wu", role: .sales)
        let (server, client) = try Self.serve(h)
        defer { server.shutdown() }
        let auth = ["Authorization": "Bearer \(token)", "Outpost-Protocol": "2"]

        let before = try Self.scrape(client)
        for _ in 0..<2 { #expect(try client.send(method: "GET", target: "/v1/session", headers: auth).status == 200) }
        // Three records pushed: a customer, then two devices' concurrent renames (the second is a conflict).
        let base = makeCustomer()
        let first = PushRequest(batch: .random(), node: nodeA, records: [base])
        #expect(try Self.push(client, token: token, first).status == 200)
        let renameA = PushRequest(batch: .random(), node: nodeA, after: first.batch, records: [try edited(base, ["name": "Acme Ltd"], node: nodeA, at: 10)])
        #expect(try Self.push(client, token: token, renameA).status == 200)
        let renameB = PushRequest(batch: .random(), node: nodeB, records: [try edited(base, ["name": "ACME Group"], node: nodeB, at: 11)])
        let conflicted = try Self.push(client, token: token, renameB)
        #expect(try PushResponse(json: JSONValue.parse(conflicted.body)).results.map(\.status) == [.conflict])
        // A retry of the same batch is answered from the stored answer and counted as a replay.
        #expect(try Self.push(client, token: token, renameB).status == 200)
        #expect(try client.send(method: "GET", target: "/v1/pull", headers: auth).status == 200)
        let forbidden = try client.send(method: "POST", target: "/v1/users/wu/state", headers: auth, body: Array(#"{"state":"frozen"}"#.utf8))
        let forbiddenCode = try #require(JSONValue.parse(forbidden.body).objectValue?["error"]?.objectValue?["code"]?.stringValue)
        #expect(forbidden.status == 403)
        #expect(try client.send(method: "GET", target: "/no/such/path").status == 404)
        #expect(try client.send(method: "GET", target: "/metrics", headers: ["Authorization": "Bearer \(token)"]).status == 401,
                "a user's token does not open the metrics")
        let after = try Self.scrape(client)

        func delta(_ name: String, _ labels: [String: String] = [:]) -> Double { after.value(name, labels) - before.value(name, labels) }
        let requests = "outpost_http_requests_total"
        #expect(delta(requests, ["method": "GET", "route": "/v1/session", "status": "200"]) == 2)
        #expect(delta(requests, ["method": "POST", "route": "/v1/push", "status": "200"]) == 4)
        #expect(delta(requests, ["method": "GET", "route": "/v1/pull", "status": "200"]) == 1)
        #expect(delta(requests, ["method": "POST", "route": "/v1/users/:name/state", "status": "403"]) == 1)
        #expect(delta(requests, ["method": "GET", "route": "unmatched", "status": "404"]) == 1)
        #expect(delta(requests, ["method": "GET", "route": "/metrics", "status": "200"]) == 1, "the first scrape")
        #expect(delta(requests, ["method": "GET", "route": "/metrics", "status": "401"]) == 1)
        let totalAfter: Double = after.all(requests).map(\.value).reduce(0, +)
        let totalBefore: Double = before.all(requests).map(\.value).reduce(0, +)
        #expect(totalAfter - totalBefore == 11, "2 sessions, 4 pushes, a pull, 403, 404, 401 and the first scrape")
        let routes = Set(after.samples.compactMap { $0.labels["route"] })
        #expect(routes.allSatisfy { !$0.contains("wu") && !$0.contains("no/such") }, "routes are patterns, never raw paths: \(routes)")

        #expect(delta("outpost_records_pushed_total") == 3)
        #expect(delta("outpost_conflicts_total") == 1)
        #expect(delta("outpost_push_replays_total") == 1)
        #expect(delta("outpost_records_pulled_total") == 1)
        #expect(delta("outpost_refusals_total", ["code": forbiddenCode]) == 1)
        #expect(delta("outpost_refusals_total", ["code": "not_found"]) == 1)
        #expect(delta("outpost_refusals_total", ["code": "unauthorized"]) == 1)
        #expect(after.value("outpost_database_size_bytes") > 0)
        #expect(after.value("outpost_http_open_connections") >= 1, "the scrape's own connection")

        // Histograms: per series, buckets grow with le, +Inf equals _count, and _count matches the requests.
        #expect(after.types["outpost_http_request_duration_seconds"] == "histogram")
        let buckets = after.all("outpost_http_request_duration_seconds_bucket")
        let series = Set(buckets.map { $0.labels.filter { $0.key != "le" } })
        #expect(series.contains(["method": "POST", "route": "/v1/push"]))
        for labels in series {
            let ordered = buckets.filter { $0.labels.filter { $0.key != "le" } == labels }
                .map { (le: $0.labels["le"] == "+Inf" ? Double.infinity : Double($0.labels["le"]!)!, count: $0.value) }
            #expect(ordered.map(\.le) == ordered.map(\.le).sorted(), "buckets in increasing le")
            #expect(zip(ordered, ordered.dropFirst()).allSatisfy { $0.count <= $1.count }, "cumulative counts never fall: \(labels)")
            #expect(ordered.last?.le == .infinity)
            #expect(ordered.last?.count == after.value("outpost_http_request_duration_seconds_count", labels))
            #expect(after.value("outpost_http_request_duration_seconds_sum", labels) >= 0)
        }
        #expect(after.value("outpost_http_request_duration_seconds_count", ["method": "POST", "route": "/v1/push"])
            - before.value("outpost_http_request_duration_seconds_count", ["method": "POST", "route": "/v1/push"]) == 4)
    }

    @Test func metricsAreOffUnlessTheServerIsToldWhoMayReadThem() throws {
        let h = try Harness()
        let off = SyncServer(database: h.database, port: 0)
        let open = SyncServer(database: h.database, port: 0, metricsAccess: .open)
        try off.start()
        try open.start()
        defer { off.shutdown(); open.shutdown() }
        #expect(try RawHTTPClient(port: off.port).send(method: "GET", target: "/metrics").status == 404)
        let answer = try RawHTTPClient(port: open.port).send(method: "GET", target: "/metrics")
        #expect(answer.status == 200)
        #expect(try Exposition(String(decoding: answer.body, as: UTF8.self)).types["outpost_http_requests_total"] == "counter")
        let (guarded, client) = try Self.serve(h)
        defer { guarded.shutdown() }
        let wrong = try client.send(method: "GET", target: "/metrics", headers: ["Authorization": "Bearer scraper-token-0123456789abcdeX"])
        #expect(wrong.status == 401)
    }
}
