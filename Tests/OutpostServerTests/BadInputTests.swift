import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostServer

@Suite("Bad push input is refused and stores nothing")
struct BadInputTests {
    static let uuid = "5f0c7e4a-1b2c-4d3e-8f90-123456789abc"

    @Test(arguments: ["{", "not json", "{\"batch\":", "[1,2,", "{\"batch\":\"x\",}", "\u{FF}"])
    func malformedJSONIs400MalformedJSON(body: String) throws {
        let h = try Harness()
        let token = try h.user("li")
        try expectError(h.pushRaw(body, token: token), 400, "malformed_json")
        #expect(try h.pullPage(token: token).records.isEmpty)
    }

    @Test func emptyBodyIs400() throws {
        let h = try Harness()
        let token = try h.user("li")
        let response = h.send("POST", "/v1/push", token: token)
        #expect(response.status == 400)
    }

    static func requestCases() -> [(String, String)] {
        let record = makeCustomer().jsonValue.serialized()
        let duplicate = makeCustomer(code: "C-2")
        let tooMany = (0...SyncProtocol.maxBatchRecords).map { _ in makeCustomer() }
        return [
            ("unknown top-level member", #"{"batch":"\#(uuid)","records":[],"extra":1}"#),
            ("batch is a number", #"{"batch":5,"records":[]}"#),
            ("records is an object", #"{"batch":"\#(uuid)","records":{}}"#),
            ("missing records", #"{"batch":"\#(uuid)"}"#),
            ("missing batch", #"{"records":[\#(record)]}"#),
            ("top level is an array", #"[]"#),
            ("batch not a UUID", #"{"batch":"batch-1","records":[\#(record)]}"#),
            ("record with unknown member", #"{"batch":"\#(uuid)","records":[\#(record.dropLast()),"x":1}]}"#),
            ("record id not a UUID", #"{"batch":"\#(uuid)","records":[{"id":"abc","type":"customer","branch":"BJ","clock":{},"fields":{}}]}"#),
            ("unknown entity type", #"{"batch":"\#(uuid)","records":[{"id":"\#(uuid)","type":"lead","branch":"BJ","clock":{},"fields":{}}]}"#),
            ("clock is a string", #"{"batch":"\#(uuid)","records":[{"id":"\#(uuid)","type":"customer","branch":"BJ","clock":"x","fields":{}}]}"#),
            ("duplicate record ids", PushRequest(batch: .random(), node: testPushNode, records: [duplicate, duplicate]).jsonValue.serialized()),
            ("over the batch limit", PushRequest(batch: .random(), node: testPushNode, records: tooMany).jsonValue.serialized()),
        ]
    }

    @Test(arguments: requestCases())
    func requestNotFollowingTheProtocolIs400InvalidRequest(label: String, body: String) throws {
        let h = try Harness()
        let token = try h.user("li")
        try expectError(h.pushRaw(body, token: token), 400, "invalid_request")
        #expect(try h.pullPage(token: token).records.isEmpty, "\(label)")
    }

    @Test func duplicateIdsAreNamedByPath() throws {
        let h = try Harness()
        let token = try h.user("li")
        let record = makeCustomer()
        let body = try expectError(h.push([makeCustomer(code: "C-0"), record, record], token: token), 400, "invalid_request")
        #expect(body.details.first?.path == "$.records[2].id")
    }

    @Test func uppercaseBatchIdIsAcceptedAndAnsweredLowercase() throws {
        let h = try Harness()
        let token = try h.user("li")
        let batch = newBatch()
        let response = h.push([makeCustomer()], token: token, batch: batch.uppercased())
        #expect(response.status == 200)
        #expect(try decodePush(response).batch.rawValue == batch)
    }

    @Test func getOnPushIs405() throws {
        let h = try Harness()
        let token = try h.user("li")
        #expect(h.send("GET", "/v1/push", token: token).status == 405)
    }
}
