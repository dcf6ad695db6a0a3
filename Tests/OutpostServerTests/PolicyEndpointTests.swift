import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
@testable import OutpostServer

@Suite("Policy endpoints")
struct PolicyEndpointTests {
    func json(_ response: TransportResponse) throws -> JSONValue { try JSONValue.parse(response.body) }
    func etag(_ response: TransportResponse) -> String? { response.headers.first { $0.key.lowercased() == "etag" }?.value }

    @Test func policyIsServedWithAnETagAndNotResentUnchanged() throws {
        let harness = try Harness()
        let token = try harness.user("li")
        let first = harness.send("GET", "/v1/policy", token: token)
        #expect(first.status == 200 && etag(first) == "\"policy-0\"")
        #expect(try PolicyDocument(json: json(first), strict: true) == .default)
        var changed = PolicyDocument.default
        changed.cadence.intervalDays["core"] = 21
        try harness.database.setPolicy(changed)
        let second = harness.send("GET", "/v1/policy", token: token, headers: ["If-None-Match": "\"policy-0\""])
        #expect(second.status == 200 && etag(second) == "\"policy-1\"")
        #expect(try PolicyDocument(json: json(second)).cadence.intervalDays["core"] == 21)
        let same = harness.send("GET", "/v1/policy", token: token, headers: ["If-None-Match": "\"policy-1\""])
        #expect(same.status == 304 && same.body.isEmpty)
        #expect(harness.send("GET", "/v1/policy").status == 401)
        #expect(harness.send("GET", "/v1/policy", token: token, query: [("x", "1")]).status == 400)
    }

    @Test func leaseBodiesAreCheckedStrictlyAndLeaseIdsCannotBeReused() throws {
        let harness = try Harness()
        let li = try harness.user("li", branch: "SH"), wang = try harness.user("wang", branch: "SH")
        let lease = RecordID.random().rawValue
        let body = Array(#"{"lease":"\#(lease)","branch":"SH","year":2026}"#.utf8)
        let first = harness.send("POST", "/v1/codes/lease", token: li, body: body)
        #expect(first.status == 200)
        let block = try CodeBlock(json: json(first))
        #expect((block.first, block.last, block.scheme, block.series) == (1, 50, "{branch}-{yyyy}-{seq:05}", CodeSeries(branch: "SH", year: 2026)))
        #expect(try CodeBlock(json: json(harness.send("POST", "/v1/codes/lease", token: li, body: body))) == block, "same lease, same block")
        let reused = harness.send("POST", "/v1/codes/lease", token: wang, body: body)
        let reusedBody = try json(reused)
        #expect(reused.status == 409 && reusedBody.objectValue?["error"]?.objectValue?["code"] == "lease_reused")
        let otherYear = harness.send("POST", "/v1/codes/lease", token: li, body: Array(#"{"lease":"\#(lease)","branch":"SH","year":2027}"#.utf8))
        #expect(otherYear.status == 409)
        for bad in [#"{"lease":"\#(lease)","branch":"SH"}"#, #"{"lease":"x","branch":"SH","year":2026}"#,
                    #"{"lease":"\#(lease)","branch":"SH","year":2026,"count":5}"#, #"{"lease":"\#(lease)","branch":"SH","year":2026.0}"#] {
            #expect(harness.send("POST", "/v1/codes/lease", token: li, body: Array(bad.utf8)).status == 400, "\(bad)")
        }
        #expect(harness.send("POST", "/v1/codes/lease", token: li, body: Array("{".utf8)).status == 400)
        #expect(harness.send("POST", "/v1/codes/lease", token: li).status == 400)
        let next = try CodeBlock(json: json(harness.send("POST", "/v1/codes/lease", token: wang,
                                                            body: Array(#"{"lease":"\#(RecordID.random().rawValue)","branch":"SH","year":2026}"#.utf8))))
        #expect(next.first == 51)
    }

    @Test func monthlyReportEndpointChecksItsParametersAndWritesEveryFormat() throws {
        let harness = try Harness()
        let hq = try harness.user("boss", role: .hq, branch: "HQ")
        let ok = harness.send("GET", "/v1/reports/monthly", token: hq, query: [("month", "2026-11")])
        let okBody = try json(ok)
        #expect(ok.status == 200 && okBody.objectValue?["month"] == "2026-11")
        let csv = harness.send("GET", "/v1/reports/monthly", token: hq, query: [("month", "2026-11"), ("format", "csv")])
        #expect(csv.status == 200 && Array(csv.body.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let markdown = harness.send("GET", "/v1/reports/monthly", token: hq, query: [("month", "2026-11"), ("format", "markdown")])
        #expect(String(decoding: markdown.body, as: UTF8.self).hasPrefix("# Monthly report 2026-11"))
        #expect(harness.send("GET", "/v1/reports/monthly", token: hq).status == 400)
        #expect(harness.send("GET", "/v1/reports/monthly", token: hq, query: [("month", "2026-13")]).status == 400)
        #expect(harness.send("GET", "/v1/reports/monthly", token: hq, query: [("month", "2026-11"), ("format", "pdf")]).status == 400)
        #expect(harness.send("GET", "/v1/reports/monthly", token: hq, query: [("month", "2026-11"), ("branch", "SH")]).status == 400)
    }

    @Test func setPolicyBumpsTheVersionAndExamplesRoundTrip() throws {
        let harness = try Harness()
        #expect(try harness.database.policy().version == 0)
        #expect(try harness.database.setPolicy(PolicyDocument(version: 99)).version == 1)
        #expect(try harness.database.setPolicy(.default).version == 2)
        let example = try JSONValue.parse(Array(APIDescriptionTests.protocolFile("examples/policy.json").utf8))
        #expect(try PolicyDocument(json: example, strict: true).jsonValue == example)
        let request = try JSONValue.parse(Array(APIDescriptionTests.protocolFile("examples/code-lease-request.json").utf8))
        #expect(try CodeLeaseRequest(json: request).jsonValue == request)
        let block = try JSONValue.parse(Array(APIDescriptionTests.protocolFile("examples/code-block.json").utf8))
        #expect(try CodeBlock(json: block).jsonValue == block)
    }
}
