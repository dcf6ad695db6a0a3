import Dispatch
import Foundation
import Testing
@testable import OutpostHTTP
#if canImport(Glibc)
import Glibc
#endif

/// Collects results from many client threads.
private final class Results: @unchecked Sendable {
    // Safety: `values` and `failures` are only accessed with `lock` held.
    private let lock = NSLock()
    private var values: [String] = []
    private var failures: [String] = []

    func add(_ value: String) { lock.withLock { values.append(value) } }
    func fail(_ message: String) { lock.withLock { failures.append(message) } }
    var all: [String] { lock.withLock { values } }
    var errors: [String] { lock.withLock { failures } }
}

private func echoRouter() -> Router {
    var router = Router()
    router.get("/health") { _, _ in .text("ok") }
    router.get("/hello/:name") { _, params in .text("hello \(try params.require("name"))") }
    router.post("/echo") { request, _ in .json(bytes: request.body) }
    router.get("/big") { _, _ in HTTPResponse(body: .bytes(bigBody)) }
    router.get("/big-stream") { _, _ in
        .stream(contentType: "application/octet-stream") { writer in
            for offset in stride(from: 0, to: bigBody.count, by: 10_000) {
                try writer.write(Array(bigBody[offset..<min(bigBody.count, offset + 10_000)]))
            }
        }
    }
    return router
}

/// Larger than the loopback socket buffers, so a client that does not read blocks the writer.
private let bigBody: [UInt8] = (0..<8_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31 >> 3) }

private func withServer(_ configuration: HTTPServer.Configuration = .init(), _ body: (HTTPServer, Int) throws -> Void) throws {
    let server = HTTPServer(configuration: configuration, responder: echoRouter())
    try server.start()
    defer { server.shutdown() }
    try body(server, server.port)
}

/// Sends `bytes` on `fd` from another thread, one byte per `interval`, until sending fails or
/// `limit` bytes went out: a client trickling its request.
private func trickle(_ bytes: [UInt8], on fd: Int32, interval: Duration) -> DispatchSemaphore {
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        for byte in bytes {
            var one = byte
            if Glibc.send(fd, &one, 1, Int32(MSG_NOSIGNAL)) != 1 { break }
            Thread.sleep(forTimeInterval: Double(Socket.milliseconds(interval)) / 1000) // the client's pace, not synchronisation
        }
        done.signal()
    }
    thread.start()
    return done
}

// Serialized: each test holds hundreds of sockets, and together they would push the test process
// past ~1,300 open descriptors, where Foundation's `Process.run()` on Linux reads past the end of its
// /proc/self/fd listing and crashes other suites' child-process spawns.
@Suite("HTTPServer under many and slow connections", .serialized)
struct ServerLoadTests {
    @Test func healthAnswersWhile300IdleConnectionsAreOpen() throws {
        try withServer { server, port in
            var idle: [TestClient] = []
            for _ in 0..<300 { idle.append(try TestClient(port: port)) }
            // Every idle connection was accepted by the server itself, not parked in the backlog.
            let accepted = server.waitForStatistics(timeout: .seconds(20)) { $0.openConnections >= 300 }
            #expect(accepted?.idleConnections == 300)
            let health = try TestClient(port: port)
            let response = try health.request("GET", "/health")
            #expect(response.status == 200)
            #expect(response.bodyText == "ok")
            // The idle ones are still open and usable.
            #expect(try idle[0].request("GET", "/hello/first").bodyText == "hello first")
            #expect(try idle[299].request("GET", "/hello/last").bodyText == "hello last")
        }
    }

    @Test func trickledHeadersGet408AndTheConnectionIsClosed() throws {
        try withServer(.init(headerTimeout: .milliseconds(300))) { server, port in
            let client = try TestClient(port: port)
            // 2 s worth of bytes at 10 ms each: steady progress must not extend the head deadline.
            let head = Array("GET /hello/slow HTTP/1.1\r\nHost: x\r\nX-Pad: \(String(repeating: "a", count: 200))\r\n\r\n".utf8)
            let finished = trickle(head, on: client.fd, interval: .milliseconds(10))
            let response = try client.readResponse()
            #expect(response.status == 408)
            #expect(response.bodyText.hasPrefix(#"{"error":{"code":"request_timeout""#))
            #expect(response.headers["Connection"] == "close")
            #expect(try client.readToEOF().isEmpty)
            finished.wait()
            #expect(server.waitForStatistics(timeout: .seconds(10)) { $0.requestTimeouts == 1 } != nil)
        }
    }

    @Test func aPartialHeadPipelinedBehindARequestIsAlsoUnderTheHeaderDeadline() throws {
        try withServer(.init(headerTimeout: .milliseconds(200))) { _, port in
            let client = try TestClient(port: port)
            try client.send("GET /hello/first HTTP/1.1\r\nHost: x\r\n\r\nGET /hello/sec")
            #expect(try client.readResponse().bodyText == "hello first")
            #expect(try client.readResponse().status == 408)
            #expect(try client.readToEOF().isEmpty)
        }
    }

    @Test func aBodyThatStopsArrivingGets408() throws {
        try withServer(.init(bodyTimeout: .milliseconds(200))) { _, port in
            let client = try TestClient(port: port)
            try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
            let response = try client.readResponse()
            #expect(response.status == 408)
            #expect(try client.readToEOF().isEmpty)
        }
    }

    @Test func aConnectionThatNeverSendsARequestIsClosedSilentlyAfterTheHeaderTimeout() throws {
        try withServer(.init(headerTimeout: .milliseconds(200))) { server, port in
            let client = try TestClient(port: port)
            #expect(try client.readToEOF().isEmpty) // EOF, and no 408 for a request never started
            #expect(server.waitForStatistics(timeout: .seconds(5)) { $0.idleTimeouts == 1 } != nil)
        }
    }

    @Test func twoHundredConcurrentKeepAliveClientsEachDoingSeveralRequestsAllGetAnswers() throws {
        try withServer(.init(workerThreads: 4)) { server, port in
            let results = Results()
            let group = DispatchGroup()
            for index in 0..<200 {
                group.enter()
                let thread = Thread {
                    defer { group.leave() }
                    do {
                        let client = try TestClient(port: port)
                        for round in 0..<5 {
                            let body = #"{"client":\#(index),"round":\#(round)}"#
                            let pushed = try client.request("POST", "/echo", body: body)
                            guard pushed.status == 200, pushed.bodyText == body else {
                                results.fail("client \(index) round \(round): \(pushed.status) \(pushed.bodyText)")
                                return
                            }
                            results.add(body)
                        }
                        let pulled = try client.request("GET", "/hello/\(index)")
                        guard pulled.bodyText == "hello \(index)" else {
                            results.fail("client \(index): \(pulled.bodyText)")
                            return
                        }
                    } catch {
                        results.fail("client \(index): \(error)")
                    }
                }
                thread.stackSize = 256 * 1024
                thread.start()
            }
            #expect(group.wait(timeout: .now() + 120) == .success)
            #expect(results.errors == [])
            #expect(results.all.count == 1000)
            // Statistics are published after each loop iteration: wait for them, do not sample.
            #expect(server.waitForStatistics(timeout: .seconds(10)) { $0.requests == 1200 && $0.accepted == 200 } != nil)
        }
    }

    @Test(arguments: ["/big", "/big-stream"])
    func aClientThatDoesNotReadItsLargeResponseBlocksNobodyElse(_ path: String) throws {
        try withServer(.init(workerThreads: 2)) { _, port in
            let slow = try TestClient(port: port)
            try slow.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
            // 8 MB cannot all be written until `slow` reads. A complete body waits in the loop's
            // output buffer (the loop goes on serving); a stream blocks only its own worker.
            let other = try TestClient(port: port)
            for _ in 0..<3 { #expect(try other.request("GET", "/health").bodyText == "ok") }
            let response = try slow.readResponse()
            #expect(response.body == bigBody)
            #expect(try slow.request("GET", "/health").bodyText == "ok")
        }
    }

    @Test(arguments: ["/big", "/big-stream"])
    func aClientThatNeverReadsIsDisconnectedAfterTheWriteTimeout(_ path: String) throws {
        try withServer(.init(writeTimeout: .milliseconds(200))) { server, port in
            let stuck = try TestClient(port: port)
            try stuck.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
            let stats = server.waitForStatistics(timeout: .seconds(20)) { $0.writeTimeouts == 1 && $0.openConnections == 0 }
            #expect(stats != nil)
        }
    }

    @Test func bodiesBeyondTheServerWideBudgetGet503BeforeTheyAreRead() throws {
        try withServer(.init(maxBodyBytes: 1000, maxBufferedBodyBytes: 1000)) { server, port in
            let first = try TestClient(port: port)
            try first.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 800\r\n\r\nabc")
            #expect(server.waitForStatistics(timeout: .seconds(10)) { $0.bufferedBodyBytes == 800 } != nil)
            // 800 + 500 > 1000: refused before its body is read, with the retry-later code.
            let second = try TestClient(port: port)
            try second.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n")
            let refused = try second.readResponse()
            #expect(refused.status == 503)
            #expect(refused.bodyText.hasPrefix(#"{"error":{"code":"unavailable""#))
            #expect(try second.readToEOF().isEmpty)
            // The first body completes; its bytes go back to the budget once it was answered.
            try first.send(String(repeating: "d", count: 797))
            #expect(try first.readResponse().body.count == 800)
            #expect(server.waitForStatistics(timeout: .seconds(10)) { $0.bufferedBodyBytes == 0 } != nil)
            let retry = try TestClient(port: port)
            #expect(try retry.request("POST", "/echo", body: String(repeating: "r", count: 500)).status == 200)
            #expect(server.statistics.bodyBudgetRejections == 1)
        }
    }

    @Test func aFullServerClosesTheOldestIdleConnectionToAdmitANewOne() throws {
        try withServer(.init(maxConnections: 2)) { server, port in
            let oldest = try TestClient(port: port)
            #expect(try oldest.request("GET", "/hello/oldest").status == 200)
            let newer = try TestClient(port: port)
            #expect(try newer.request("GET", "/hello/newer").status == 200)
            // Both slots hold idle keep-alive connections: the third closes the oldest one.
            let third = try TestClient(port: port)
            #expect(try third.request("GET", "/hello/third").bodyText == "hello third")
            #expect(try oldest.readToEOF().isEmpty)
            #expect(try newer.request("GET", "/hello/again").bodyText == "hello again")
            let stats = server.waitForStatistics(timeout: .seconds(10)) { $0.idleClosedForCapacity == 1 && $0.openConnections == 2 }
            #expect(stats != nil)
            #expect(stats?.rejected == 0)
        }
    }

    @Test func bareLFRequestGets400AndTheConnectionCloses() throws {
        try withServer { _, port in
            let client = try TestClient(port: port)
            try client.send("GET /health HTTP/1.1\nHost: x\n\n")
            let response = try client.readResponse()
            #expect(response.status == 400)
            #expect(response.bodyText.hasPrefix(#"{"error":{"code":"bad_request""#))
            #expect(response.headers["Connection"] == "close")
            #expect(try client.readToEOF().isEmpty)
        }
    }

    @Test func requestsPipelinedAfterConnectionCloseAreDrainedNotAnswered() throws {
        try withServer { _, port in
            let client = try TestClient(port: port)
            try client.send("GET /hello/a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /hello/b HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.bodyText == "hello a")
            #expect(response.headers["Connection"] == "close")
            #expect(try client.readToEOF().isEmpty) // a clean EOF, not a reset
        }
    }

    @Test func aKeepAliveConnectionIsClosedAfterMaxRequestsPerConnection() throws {
        try withServer(.init(maxRequestsPerConnection: 3)) { _, port in
            let client = try TestClient(port: port)
            #expect(try client.request("GET", "/health").headers["Connection"] == nil)
            #expect(try client.request("GET", "/health").headers["Connection"] == nil)
            let last = try client.request("GET", "/health")
            #expect(last.status == 200)
            #expect(last.headers["Connection"] == "close")
            #expect(try client.readToEOF().isEmpty)
        }
    }

    @Test func idleConnectionsDoNotDelayShutdownAndRequestsInFlightFinish() throws {
        let server = HTTPServer(configuration: .init(), responder: echoRouter())
        try server.start()
        let port = server.port
        var idle: [TestClient] = []
        for _ in 0..<50 { idle.append(try TestClient(port: port)) }
        #expect(server.waitForStatistics(timeout: .seconds(10)) { $0.openConnections >= 50 } != nil)
        // A request whose body is still arriving when the shutdown starts is finished.
        let busy = try TestClient(port: port)
        try busy.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\npi")
        #expect(server.waitForStatistics(timeout: .seconds(10)) { $0.openConnections >= 51 && $0.idleConnections == 50 } != nil)
        server.beginShutdown()
        for client in idle { #expect(try client.readToEOF().isEmpty) }
        try busy.send("ng")
        let response = try busy.readResponse()
        #expect(response.bodyText == "ping")
        #expect(response.headers["Connection"] == "close")
        server.waitUntilStopped()
        #expect(TestClient.connectionError(port: port) == ECONNREFUSED)
    }
}
