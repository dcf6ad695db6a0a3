import Testing
import OutpostJSON
import OutpostModel
import OutpostServer

/// Spec §12: every response carries `Outpost-Protocol`, also errors the HTTP layer sends
/// before a request reaches the API.
@Suite("Protocol header on HTTP-level errors")
struct ProtocolHeaderTests {
    @Test func errorsFromTheHTTPLayerCarryTheProtocolHeader() throws {
        let h = try Harness()
        let server = SyncServer(database: h.database, host: "127.0.0.1", port: 0) { $0.maxBodyBytes = 64 }
        try server.start()
        defer { server.shutdown() }
        let client = RawHTTPClient(port: server.port)
        let tooLarge = try client.send(method: "POST", target: "/v1/push", body: Array(repeating: 32, count: 100))
        #expect(tooLarge.status == 413)
        #expect(tooLarge.headers["outpost-protocol"] == "2")
        let garbage = try RawHTTPClient.parse(client.exchange(Array("NOT HTTP\r\n\r\n".utf8)))
        #expect(garbage.status == 400)
        #expect(garbage.headers["outpost-protocol"] == "2")
        let chunked = try RawHTTPClient.parse(client.exchange(Array(
            "POST /v1/push HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n".utf8)))
        #expect(chunked.status == 501)
        #expect(chunked.headers["outpost-protocol"] == "2")
        let ok = try client.send(method: "GET", target: "/health")
        #expect(ok.status == 200)
        #expect(ok.headers["outpost-protocol"] == "2")
    }
}
