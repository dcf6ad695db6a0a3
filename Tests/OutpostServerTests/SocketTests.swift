import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostServer

@Suite("The API over a loopback socket")
struct SocketTests {
    @Test func sessionPushAndPullOverLoopbackMatchInProcessAnswers() async throws {
        let h = try Harness()
        let token = try h.user("li", role: .manager, branch: "BJ")
        let server = SyncServer(database: h.database, host: "127.0.0.1", port: 0)
        try server.start()
        #expect(server.port > 0)

        let api = SyncAPI(transport: try HTTPTransport(baseURL: "http://127.0.0.1:\(server.port)"), token: token)
        let session = try await api.session()
        #expect(session.user == "li")
        #expect(session.serverID == h.database.serverID)

        let records = (0..<30).map { makeCustomer(code: "C-\($0)", extra: ["notes": .string(String(repeating: "n", count: 3000))]) }
        let pushed = try await api.push(PushRequest(batch: .random(), node: nodeA, records: records))
        #expect(pushed.results.allSatisfy { $0.status == .accepted })

        let page = try await api.pull(cursor: nil, limit: 20)
        #expect(page.records == Array(records[0..<20]))
        #expect(page.hasMore)
        let inProcess = try h.pullPage(token: token, limit: 20)
        #expect(page == inProcess)

        // The raw wire form: chunked framing that decodes to the in-process body.
        let raw = try RawHTTPClient(port: server.port).send(
            method: "GET", target: "/v1/pull?limit=20",
            headers: ["Authorization": "Bearer \(token)", "Outpost-Protocol": "2"])
        #expect(raw.status == 200)
        #expect(raw.headers["transfer-encoding"]?.lowercased() == "chunked")
        #expect(raw.headers["outpost-protocol"] == "2")
        #expect(raw.body == h.pull(token: token, limit: 20).body)
        #expect(try PullPage(json: JSONValue.parse(raw.body)) == inProcess)

        let rest = try await api.pull(cursor: page.cursor, limit: 20)
        #expect(rest.records == Array(records[20...]))
        #expect(!rest.hasMore)

        server.shutdown()
        #expect(!server.http.isRunning)
    }

    @Test func errorsOverTheSocketCarryTheJSONBodyAndProtocolHeader() throws {
        let h = try Harness()
        let server = SyncServer(database: h.database, host: "127.0.0.1", port: 0)
        try server.start()
        defer { server.shutdown() }
        let client = RawHTTPClient(port: server.port)
        let unauthorized = try client.send(method: "GET", target: "/v1/session")
        #expect(unauthorized.status == 401)
        #expect(unauthorized.headers["outpost-protocol"] == "2")
        #expect(try ErrorBody(json: JSONValue.parse(unauthorized.body)).code == "unauthorized")
        let health = try client.send(method: "GET", target: "/health")
        #expect(health.status == 200)
        #expect(try JSONValue.parse(health.body).objectValue?["status"] == "ok")
    }

    @Test func oversizedBodyIs413AndStoresNothing() throws {
        let h = try Harness()
        let token = try h.user("li")
        let server = SyncServer(database: h.database, host: "127.0.0.1", port: 0) { $0.maxBodyBytes = 1024 }
        try server.start()
        defer { server.shutdown() }
        let records = (0..<10).map { makeCustomer(code: "C-\($0)") }
        let body = h.pushBody(records)
        #expect(body.count > 1024)
        let client = RawHTTPClient(port: server.port)
        let headers = ["Authorization": "Bearer \(token)", "Content-Type": "application/json"]
        // Announced only: the server must answer before reading the body.
        let announced = try client.send(method: "POST", target: "/v1/push", headers: headers, declaredLength: body.count)
        #expect(announced.status == 413)
        // Sent in full.
        let sent = try client.send(method: "POST", target: "/v1/push", headers: headers, body: body)
        #expect(sent.status == 413)
        #expect(try h.pullPage(token: token).records.isEmpty)
        // A small push still works on the same server.
        let small = try client.send(method: "POST", target: "/v1/push", headers: headers, body: h.pushBody([records[0]]))
        #expect(small.status == 200)
    }
}
