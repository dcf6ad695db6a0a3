import Dispatch
import Foundation
import Testing
@testable import OutpostHTTP

/// Promises handed out by a deferred route, for the test to complete.
private final class PromiseBox: @unchecked Sendable {
    private let lock = NSLock()
    private var promises: [HTTPResponsePromise] = []
    let arrived = DispatchSemaphore(value: 0)

    func put(_ promise: HTTPResponsePromise) {
        lock.withLock { promises.append(promise) }
        arrived.signal()
    }

    /// Waits (bounded) for the next promise.
    func next() -> HTTPResponsePromise? {
        guard arrived.wait(timeout: .now() + 20) == .success else { return nil }
        return lock.withLock { promises.removeFirst() }
    }
}

/// Adds a header to every response, to show middleware headers reach deferred answers.
private struct LayerMiddleware: HTTPMiddleware {
    func handle(_ request: HTTPRequest, next: (HTTPRequest) -> HTTPResponse) throws -> HTTPResponse {
        var response = next(request)
        response.headers.set(name: "X-Layer", value: "outer")
        return response
    }
}

private func makeRouter(_ box: PromiseBox) -> Router {
    var router = Router()
    router.add(middleware: LayerMiddleware())
    router.get("/hello") { _, _ in .text("hello") }
    router.get("/held") { _, _ in .deferred { promise in box.put(promise) } }
    router.get("/held-politely") { _, _ in
        .deferred { promise in
            promise.onShutdown { promise.succeed(.text("goodbye")) }
            box.put(promise)
        }
    }
    return router
}

@Suite("Deferred responses: answered later, no worker thread held")
struct DeferredResponseTests {
    @Test func aHeldResponseLeavesTheOnlyWorkerFreeAndIsWrittenWhenCompleted() throws {
        let box = PromiseBox()
        let server = HTTPServer(configuration: .init(workerThreads: 1), responder: makeRouter(box))
        try server.start()
        defer { server.shutdown() }
        let waiting = try TestClient(port: server.port)
        try waiting.send("GET /held HTTP/1.1\r\nHost: t\r\n\r\n")
        let promise = try #require(box.next())
        // With the one worker free, other requests are served while the first is held.
        for _ in 0..<3 {
            #expect(try TestClient(port: server.port).request("GET", "/hello").bodyText == "hello")
        }
        #expect(!promise.isCompleted)
        DispatchQueue.global().async { promise.succeed(.text("later")) }
        let response = try waiting.readResponse()
        #expect(response.status == 200)
        #expect(response.bodyText == "later")
        #expect(response.headers["X-Layer"] == "outer")
        // The connection stays usable; a second answer to the same promise is ignored.
        promise.succeed(.text("again"))
        #expect(try waiting.request("GET", "/hello").bodyText == "hello")
    }

    @Test func aStreamedAnswerIsWrittenByAWorker() throws {
        let box = PromiseBox()
        let server = HTTPServer(configuration: .init(workerThreads: 1), responder: makeRouter(box))
        try server.start()
        defer { server.shutdown() }
        let client = try TestClient(port: server.port)
        try client.send("GET /held HTTP/1.1\r\nHost: t\r\n\r\n")
        let promise = try #require(box.next())
        promise.succeed(.stream(contentType: "text/plain") { writer in
            for index in 0..<100 { try writer.write(Array("line \(index)\n".utf8)) }
        })
        let response = try client.readResponse()
        #expect(response.headers.tokens(for: "Transfer-Encoding").contains("chunked"))
        #expect(response.bodyText.hasSuffix("line 99\n"))
    }

    @Test func aShutdownAsksHeldResponsesToAnswerNow() throws {
        let box = PromiseBox()
        let server = HTTPServer(configuration: .init(workerThreads: 1), responder: makeRouter(box))
        try server.start()
        let polite = try TestClient(port: server.port)
        try polite.send("GET /held-politely HTTP/1.1\r\nHost: t\r\n\r\n")
        _ = try #require(box.next())
        let plain = try TestClient(port: server.port)
        try plain.send("GET /held HTTP/1.1\r\nHost: t\r\n\r\n")
        _ = try #require(box.next())
        server.beginShutdown()
        let answered = try polite.readResponse()
        #expect(answered.bodyText == "goodbye")
        #expect(answered.headers.tokens(for: "Connection").contains("close"))
        // Without a shutdown handler, the server answers 503 itself.
        let refused = try plain.readResponse()
        #expect(refused.status == 503)
        server.waitUntilStopped()
        #expect(!server.isRunning)
    }

    @Test func inProcessCallersResolveADeferredResponse() throws {
        let box = PromiseBox()
        let router = makeRouter(box)
        DispatchQueue.global().async { box.next()?.succeed(.text("resolved")) }
        var parser = HTTPRequestParser()
        parser.append(Array("GET /held HTTP/1.1\r\nHost: t\r\n\r\n".utf8))
        let request = try #require(try parser.nextRequest())
        let response = router.respond(to: request).resolved()
        #expect(try response.collectBody() == Array("resolved".utf8))
        #expect(response.headers["X-Layer"] == "outer")
    }
}
