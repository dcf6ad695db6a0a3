import Dispatch
import Foundation
import Testing
@testable import OutpostHTTP
#if canImport(Glibc)
import Glibc
#endif

/// A one-shot gate a handler blocks on until the test opens it.
private final class Gate: Sendable {
    let entered = DispatchSemaphore(value: 0)
    let release = DispatchSemaphore(value: 0)
}

private func makeRouter(gate: Gate = Gate()) -> Router {
    var router = Router()
    router.get("/hello/:name") { _, params in .text("hello \(try params.require("name"))") }
    router.post("/echo") { request, _ in .json(bytes: request.body) }
    router.get("/stream") { _, _ in
        .stream(contentType: "application/octet-stream") { writer in
            for i in 0..<300 { try writer.write([UInt8](repeating: UInt8(i % 251), count: 1000)) }
        }
    }
    router.get("/slow") { _, _ in
        gate.entered.signal()
        gate.release.wait()
        return .text("finished")
    }
    return router
}

private func streamExpectation() -> [UInt8] {
    (0..<300).flatMap { [UInt8](repeating: UInt8($0 % 251), count: 1000) }
}

private func withServer(
    _ configuration: HTTPServer.Configuration = .init(), gate: Gate = Gate(),
    _ body: (HTTPServer, Int) throws -> Void
) throws {
    let server = HTTPServer(configuration: configuration, responder: makeRouter(gate: gate))
    try server.start()
    defer { server.shutdown() }
    #expect(server.port > 0)
    try body(server, server.port)
}

@Suite("HTTPServer over loopback sockets")
struct ServerTests {
    @Test func keepAliveServesTwoRequestsOnOneConnection() throws {
        try withServer { _, port in
            let client = try TestClient(port: port)
            let first = try client.request("GET", "/hello/ada")
            #expect(first.status == 200)
            #expect(first.bodyText == "hello ada")
            #expect(first.headers["Connection"] == nil)
            #expect(first.headers["Date"] != nil)
            let second = try client.request("POST", "/echo", body: #"{"n":1}"#)
            #expect(second.status == 200)
            #expect(second.bodyText == #"{"n":1}"#)
            #expect(second.headers["Content-Type"] == "application/json")
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        try withServer { _, port in
            let client = try TestClient(port: port)
            try client.send("GET /hello/a HTTP/1.1\r\nHost: x\r\n\r\nGET /hello/b HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().bodyText == "hello a")
            #expect(try client.readResponse().bodyText == "hello b")
        }
    }

    @Test func connectionCloseIsHonouredAfterTheResponse() throws {
        try withServer { _, port in
            let client = try TestClient(port: port)
            let response = try client.request("GET", "/hello/x", headers: ["Connection: close"])
            #expect(response.status == 200)
            #expect(response.headers["Connection"] == "close")
            #expect(try client.readToEOF().isEmpty)
        }
    }

    @Test func http1_0ConnectionsCloseUnlessKeepAliveIsAsked() throws {
        try withServer { _, port in
            let client = try TestClient(port: port)
            try client.send("GET /hello/old HTTP/1.0\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.bodyText == "hello old")
            #expect(try client.readToEOF().isEmpty)

            let keepAlive = try TestClient(port: port)
            try keepAlive.send("GET /hello/a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(try keepAlive.readResponse().headers["Connection"] == "keep-alive")
            try keepAlive.send("GET /hello/b HTTP/1.0\r\n\r\n")
            #expect(try keepAlive.readResponse().bodyText == "hello b")
        }
    }

    @Test func oversizedBodyGets413BeforeTheBodyIsSentThenTheConnectionCloses() throws {
        try withServer(.init(maxBodyBytes: 1024)) { _, port in
            let client = try TestClient(port: port)
            try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(response.headers["Connection"] == "close")
            #expect(response.bodyText.contains("body_too_large"))
            #expect(try client.readToEOF().isEmpty)
        }
    }

    @Test func oversizedHeaderSectionGets431() throws {
        try withServer(.init(maxHeaderBytes: 1024)) { _, port in
            let client = try TestClient(port: port)
            try client.send("GET /hello/x HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 4000))\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 431)
            #expect(try client.readToEOF().isEmpty)
        }
    }

    @Test func garbageGets400WithJSONErrorAndClose() throws {
        try withServer { _, port in
            let client = try TestClient(port: port)
            try client.send("THIS IS NOT HTTP\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 400)
            #expect(response.headers["Content-Type"] == "application/json")
            #expect(response.bodyText.hasPrefix(#"{"error":{"code":"bad_request""#))
            #expect(response.headers["Connection"] == "close")
            #expect(try client.readToEOF().isEmpty)
        }
    }

    @Test func requestTransferEncodingGets501() throws {
        try withServer { _, port in
            let client = try TestClient(port: port)
            try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            #expect(try client.readResponse().status == 501)
        }
    }

    @Test func expect100ContinueGetsAnInterimResponseBeforeTheBody() throws {
        try withServer { _, port in
            let client = try TestClient(port: port)
            try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
            #expect(try client.readResponse().status == 100)
            try client.send("ping")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.bodyText == "ping")
        }
    }

    @Test func streamingResponseIsSentChunkedAndDecodesToTheFullBody() throws {
        try withServer { _, port in
            let client = try TestClient(port: port)
            let response = try client.request("GET", "/stream")
            #expect(response.status == 200)
            #expect(response.headers["Transfer-Encoding"] == "chunked")
            #expect(response.headers["Content-Length"] == nil)
            #expect(response.body == streamExpectation())
            // The connection is still usable afterwards.
            #expect(try client.request("GET", "/hello/again").bodyText == "hello again")
        }
    }

    @Test func headResponsesCarryHeadersButNoBody() throws {
        try withServer { _, port in
            let client = try TestClient(port: port)
            let response = try client.request("HEAD", "/hello/x")
            #expect(response.status == 200)
            #expect(response.headers["Content-Length"] == "7")
            #expect(try client.request("GET", "/hello/y").bodyText == "hello y")
        }
    }

    @Test func idleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws {
        try withServer(.init(idleTimeout: .milliseconds(200))) { _, port in
            let client = try TestClient(port: port)
            #expect(try client.request("GET", "/hello/x").status == 200)
            // Blocks until the server closes the idle connection (EOF), not on a sleep.
            #expect(try client.readToEOF().isEmpty)
        }
    }

    @Test func gracefulShutdownFinishesTheInFlightRequestThenRefusesConnections() throws {
        let gate = Gate()
        let server = HTTPServer(configuration: .init(), responder: makeRouter(gate: gate))
        try server.start()
        let port = server.port
        let busy = try TestClient(port: port)
        let idle = try TestClient(port: port)
        #expect(try idle.request("GET", "/hello/idle").status == 200)
        try busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        gate.entered.wait()

        server.beginShutdown()
        #expect(!server.isRunning)
        let stopped = DispatchSemaphore(value: 0)
        Thread {
            server.waitUntilStopped()
            stopped.signal()
        }.start()
        // The idle keep-alive connection is closed by the shutdown.
        #expect(try idle.readToEOF().isEmpty)
        // The handler is still blocked, so the server cannot have stopped.
        #expect(stopped.wait(timeout: .now()) == .timedOut)

        gate.release.signal()
        let response = try busy.readResponse()
        #expect(response.status == 200)
        #expect(response.bodyText == "finished")
        #expect(response.headers["Connection"] == "close")
        #expect(try busy.readToEOF().isEmpty)

        stopped.wait()
        #expect(TestClient.connectionError(port: port) == ECONNREFUSED)
    }

    @Test func whenNoConnectionIsIdleAFullServerRefusesNewConnectionsWith503() throws {
        let gate = Gate()
        try withServer(.init(maxConnections: 1), gate: gate) { server, port in
            let first = try TestClient(port: port)
            try first.send("GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            gate.entered.wait()
            // The only slot is busy (not idle): the newcomer is refused quickly instead of waiting.
            let second = try TestClient(port: port)
            try second.send("GET /hello/second HTTP/1.1\r\nHost: x\r\n\r\n")
            let refused = try second.readResponse()
            #expect(refused.status == 503)
            #expect(refused.bodyText.hasPrefix(#"{"error":{"code":"unavailable""#))
            #expect(refused.headers["Connection"] == "close")
            #expect(refused.headers["Retry-After"] == "1")
            #expect(try second.readToEOF().isEmpty)
            gate.release.signal()
            #expect(try first.readResponse().bodyText == "finished")
            #expect(server.waitForStatistics(timeout: .seconds(10)) { $0.rejected == 1 } != nil)
        }
    }

    @Test func startingTwiceOrOnABusyPortFailsWithTypedErrors() throws {
        let server = HTTPServer(configuration: .init(), responder: Router())
        try server.start()
        defer { server.shutdown() }
        #expect(throws: HTTPServerError.alreadyStarted) { try server.start() }
        let clash = HTTPServer(configuration: .init(port: server.port), responder: Router())
        #expect(throws: HTTPServerError.bindFailed(host: "127.0.0.1", port: server.port, errno: EADDRINUSE)) {
            try clash.start()
        }
    }
}
