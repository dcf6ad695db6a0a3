import Synchronization
import Testing
@testable import OutpostHTTP

private final class Trace: Sendable {
    let entries = Mutex<[String]>([])
    func record(_ entry: String) { entries.withLock { $0.append(entry) } }
    var all: [String] { entries.withLock { $0 } }
}

private struct Tracing: HTTPMiddleware {
    let name: String
    let trace: Trace
    func handle(_ request: HTTPRequest, next: (HTTPRequest) -> HTTPResponse) throws -> HTTPResponse {
        trace.record("\(name) in")
        let response = next(request)
        trace.record("\(name) out")
        return response
    }
}

private enum CurrentUser: RequestStorageKey { typealias Value = String }

private struct Authenticate: HTTPMiddleware {
    func handle(_ request: HTTPRequest, next: (HTTPRequest) -> HTTPResponse) throws -> HTTPResponse {
        guard let token = request.headers["Authorization"] else {
            throw HTTPError(.unauthorized, code: "unauthorized", message: "Missing token")
        }
        var request = request
        request.storage[CurrentUser.self] = "user-" + token
        return next(request)
    }
}

private struct RecordMissing: HTTPResponseError {
    var status: HTTPStatus { .notFound }
    var errorCode: String { "record_not_found" }
    var errorMessage: String { "No record \"x\"" }
}

private struct Opaque: Error {}

private func get(_ target: String, _ method: HTTPMethod = .get, headers: HTTPHeaders = [:]) -> HTTPRequest {
    HTTPRequest(method: method, target: target, headers: headers)
}

@Suite("Router")
struct RouterTests {
    @Test func pathParametersAreCapturedAndPercentDecoded() throws {
        var router = Router()
        router.get("/v1/records/:id/versions/:version") { _, params in
            .text("\(try params.require("id"))@\(try params.require("version", as: Int.self))")
        }
        let response = router.respond(to: get("/v1/records/a%2Fb/versions/7"))
        #expect(response.status == .ok)
        #expect(String(decoding: try response.collectBody(), as: UTF8.self) == "a/b@7")
    }

    @Test func literalSegmentsWinOverParameters() throws {
        var router = Router()
        router.get("/v1/records/:id") { _, _ in .text("param") }
        router.get("/v1/records/changes") { _, _ in .text("literal") }
        #expect(try router.respond(to: get("/v1/records/changes")).collectBody() == Array("literal".utf8))
        #expect(try router.respond(to: get("/v1/records/other")).collectBody() == Array("param".utf8))
    }

    @Test func unknownPathGets404WithJSONError() throws {
        let response = Router().respond(to: get("/nope"))
        #expect(response.status == .notFound)
        #expect(response.headers["Content-Type"] == "application/json")
        let body = String(decoding: try response.collectBody(), as: UTF8.self)
        #expect(body.hasPrefix(#"{"error":{"code":"not_found","message":"#))
    }

    @Test func knownPathWithWrongMethodGets405WithAllowHeader() {
        var router = Router()
        router.get("/v1/records/:id") { _, _ in .text("") }
        router.put("/v1/records/:id") { _, _ in .text("") }
        let response = router.respond(to: get("/v1/records/1", .delete))
        #expect(response.status == .methodNotAllowed)
        #expect(response.headers["Allow"] == "GET, PUT, HEAD")
    }

    @Test func headFallsBackToTheGetRoute() {
        var router = Router()
        router.get("/ping") { _, _ in .text("pong") }
        #expect(router.respond(to: get("/ping", .head)).status == .ok)
    }

    @Test func middlewareRunsInRegistrationOrderOutermostFirstAlsoFor404() {
        let trace = Trace()
        var router = Router()
        router.add(middleware: Tracing(name: "a", trace: trace))
        router.add(middleware: Tracing(name: "b", trace: trace))
        router.get("/x") { _, _ in
            trace.record("handler")
            return .text("")
        }
        _ = router.respond(to: get("/x"))
        #expect(trace.all == ["a in", "b in", "handler", "b out", "a out"])
        _ = router.respond(to: get("/missing"))
        #expect(trace.all.suffix(4) == ["a in", "b in", "b out", "a out"])
    }

    @Test func middlewareCanAttachTypedValuesForHandlers() throws {
        var router = Router()
        router.add(middleware: Authenticate())
        router.get("/me") { request, _ in .text(request.storage[CurrentUser.self] ?? "nobody") }
        let response = router.respond(to: get("/me", headers: ["Authorization": "42"]))
        #expect(try response.collectBody() == Array("user-42".utf8))
    }

    @Test func errorThrownByMiddlewareBecomesItsResponseAndSkipsTheHandler() {
        let trace = Trace()
        var router = Router()
        router.add(middleware: Tracing(name: "outer", trace: trace))
        router.add(middleware: Authenticate())
        router.get("/me") { _, _ in
            trace.record("handler")
            return .text("")
        }
        let response = router.respond(to: get("/me"))
        #expect(response.status == .unauthorized)
        #expect(trace.all == ["outer in", "outer out"])
    }

    @Test func thrownHTTPResponseErrorIsMappedToItsStatusAndJSONBody() throws {
        var router = Router()
        router.get("/r") { _, _ in throw RecordMissing() }
        let response = router.respond(to: get("/r"))
        #expect(response.status == .notFound)
        let body = String(decoding: try response.collectBody(), as: UTF8.self)
        #expect(body == #"{"error":{"code":"record_not_found","message":"No record \"x\""}}"#)
    }

    @Test func otherThrownErrorsBecomeAGeneric500() throws {
        var router = Router()
        router.get("/r") { _, _ in throw Opaque() }
        let response = router.respond(to: get("/r"))
        #expect(response.status == .internalServerError)
        let body = String(decoding: try response.collectBody(), as: UTF8.self)
        #expect(body == #"{"error":{"code":"internal","message":"Internal server error"}}"#)
    }

    @Test func malformedTypedParameterGets400() {
        var router = Router()
        router.get("/n/:n") { _, params in .text("\(try params.require("n", as: Int.self))") }
        #expect(router.respond(to: get("/n/abc")).status == .badRequest)
    }

    @Test func streamingBodyCanBeCollectedInProcess() throws {
        let response = HTTPResponse.stream(contentType: "text/plain") { writer in
            for i in 0..<3 { try writer.write("line \(i)\n") }
        }
        #expect(String(decoding: try response.collectBody(), as: UTF8.self) == "line 0\nline 1\nline 2\n")
    }

    @Test func bodyWriterBuffersUntilItsBufferSizeBeforeEmittingAChunk() throws {
        var chunks: [[UInt8]] = []
        let writer = HTTPBodyWriter(bufferSize: 4) { chunks.append($0) }
        try writer.write([1, 2])
        #expect(chunks.isEmpty)
        try writer.write([3, 4, 5])
        #expect(chunks == [[1, 2, 3, 4, 5]])
        try writer.write([6])
        try writer.flush()
        #expect(chunks == [[1, 2, 3, 4, 5], [6]])
    }

    @Test func headersAreOrderedAndLookedUpCaseInsensitively() {
        var headers: HTTPHeaders = ["Content-Type": "text/plain", "Vary": "a"]
        headers.add(name: "vary", value: "b")
        #expect(headers["content-TYPE"] == "text/plain")
        #expect(headers.values(for: "VARY") == ["a", "b"])
        headers.set(name: "Vary", value: "c")
        #expect(headers.values(for: "vary") == ["c"])
        headers["Content-Type"] = nil
        #expect(headers.fields.map(\.name) == ["Vary"])
    }

    @Test func methodsFromTheWireMapToDedicatedCases() {
        #expect(HTTPMethod("PATCH") == .patch)
        #expect(HTTPMethod("PROPFIND") == .other("PROPFIND"))
        #expect(HTTPMethod.other("GET") == .get)
    }

    @Test func middlewareSeesTheMatchedRoutePatternNotTheRawPath() {
        var router = Router()
        let seen = Trace()
        router.add(middleware: HTTPMiddlewareClosure { request, next in
            seen.record(request.storage[Router.MatchedRoute.self] ?? "none")
            return next(request)
        })
        router.get("/v1/records/:id") { _, _ in .text("one") }
        router.get("/v1/records/latest") { _, _ in .text("latest") }
        router.post("/v1/push") { _, _ in .text("ok") }
        _ = router.respond(to: HTTPRequest(method: .get, target: "/v1/records/42?full=1"))
        _ = router.respond(to: HTTPRequest(method: .get, target: "/v1/records/latest"))
        _ = router.respond(to: HTTPRequest(method: .head, target: "/v1/records/7"))
        _ = router.respond(to: HTTPRequest(method: .get, target: "/v1/push"))      // 405: still the route's pattern
        _ = router.respond(to: HTTPRequest(method: .get, target: "/elsewhere"))    // 404: no pattern
        #expect(seen.all == ["/v1/records/:id", "/v1/records/latest", "/v1/records/:id", "/v1/push", "none"])
        #expect(router.routePattern(for: HTTPRequest(method: .get, target: "/v1/records/%34%32")) == "/v1/records/:id")
    }

    @Test func errorResponsesCarryTheirCodeForLogsButNotOnTheWire() throws {
        var router = Router()
        router.get("/thrown") { _, _ in throw RecordMissing() }
        router.get("/crash") { _, _ in throw CancellationError() }
        router.get("/fine") { _, _ in .text("ok") }
        #expect(router.respond(to: HTTPRequest(method: .get, target: "/thrown")).errorCode == "record_not_found")
        #expect(router.respond(to: HTTPRequest(method: .get, target: "/crash")).errorCode == "internal")
        #expect(router.respond(to: HTTPRequest(method: .get, target: "/nope")).errorCode == "not_found")
        #expect(router.respond(to: HTTPRequest(method: .post, target: "/fine")).errorCode == "method_not_allowed")
        let fine = router.respond(to: HTTPRequest(method: .get, target: "/fine"))
        #expect(fine.errorCode == nil)
        #expect(!fine.headers.contains { $0.name.lowercased().contains("error") })
    }
}
