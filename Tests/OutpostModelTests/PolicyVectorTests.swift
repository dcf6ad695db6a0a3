import Foundation
import Testing
import OutpostJSON
@testable import OutpostModel

/// `Protocol/vectors/complaint-deadlines.json`: the worked examples of SPEC §6.5 as data, so any
/// implementation can check its deadlines against the same cases.
@Suite("Policy vectors")
struct PolicyVectorTests {
    static func cases() throws -> [JSONValue] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Protocol/vectors/complaint-deadlines.json")
        return try JSONValue.parse(Array(Data(contentsOf: url))).objectValue?["cases"]?.arrayValue ?? []
    }

    @Test func complaintDeadlineVectors() throws {
        let cases = try Self.cases()
        #expect(cases.count == 11)
        for vector in cases {
            let object = try #require(vector.objectValue)
            let name = object["name"]?.stringValue ?? "?"
            let policy = try PolicyDocument(json: try #require(object["policy"]), strict: true)
            var fields = try #require(object["fields"]?.objectValue)
            fields["customer"] = "00000000-0000-4000-8000-000000000009"
            fields["channel"] = "phone"
            fields["content"] = "x"
            try EntitySchema.complaint.validate(fields, requireAll: true)
            let record = policyRecord(.complaint, branch: try #require(object["branch"]?.stringValue), fields)
            let now = try #require(object["now"]?.stringValue.flatMap(Timestamps.parse))
            let schedule = try #require(policy.schedule(ofComplaint: record, now: now), "\(name)")
            let steps = schedule.steps.map { JSONValue.array([.string($0.step), .string(Timestamps.format($0.dueMillis))]) }
            #expect(.array(steps) == object["steps"], "\(name)")
            #expect(.string(Timestamps.format(schedule.dueMillis)) == object["due"], "\(name)")
            #expect(.bool(schedule.isOverdue) == object["overdue"], "\(name)")
            #expect(.bool(schedule.isEscalated) == object["escalated"], "\(name)")
        }
    }
}
