import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel

/// Surveys entered on a device: checked against the schema and the device's policy document
/// before anything is stored, and carried through CSV import and export.
@Suite("Surveys on the replica")
struct SurveyReplicaTests {
    static let options = ImportOptions(local: LocalTime(identifier: "Asia/Shanghai")!, now: Timestamps.parse("2026-12-01T00:00:00Z")!)

    func visitFields(_ customer: Record, survey: JSONValue) -> [String: JSONValue] {
        ["customer": .string(customer.id.rawValue), "method": "onsite", "actualAt": "2026-11-03T02:00:00Z", "survey": survey]
    }

    @Test(arguments: [
        ("unknown question", JSONValue.object(["service": 5, "price": 4])),
        ("score 0", .object(["service": 0])),
        ("score 6", .object(["quality": 6])),
        ("fractional score", .object(["quality": .double(4.5)])),
        ("score as text", .object(["quality": "4"])),
        ("not an object", .string("service=5")),
    ])
    func invalidSurveysAreRefusedAndNothingIsStored(_ label: String, _ survey: JSONValue) throws {
        let replica = try Replica(path: ":memory:")
        let customer = try replica.create(.customer, fields: ["code": "C-1", "name": "Acme", "kind": "enterprise", "tier": "core"])
        let visit = try replica.create(.visit, fields: visitFields(customer, survey: ["service": 4]))
        let pending = try replica.pendingChangeCount()
        let before = try #require(try replica.record(visit.id))

        do {
            try replica.create(.visit, fields: visitFields(customer, survey: survey))
            Issue.record("\(label): created")
        } catch ReplicaError.invalid(let error) {
            #expect(error.field == "survey", "\(label)")
        }
        do {
            try replica.update(visit.id, fields: ["survey": survey])
            Issue.record("\(label): updated")
        } catch ReplicaError.invalid(let error) {
            #expect(error.field == "survey", "\(label)")
        }
        #expect(try replica.records(.visit).count == 1, "\(label): no visit added")
        #expect(try replica.record(visit.id) == before, "\(label): the visit is unchanged")
        #expect(try replica.pendingChangeCount() == pending, "\(label): nothing queued")
    }

    @Test func questionsComeFromThePolicyDocumentTheDeviceHolds() throws {
        let replica = try Replica(path: ":memory:")
        let customer = try replica.create(.customer, fields: ["code": "C-1", "name": "Acme", "kind": "enterprise", "tier": "core"])
        #expect(throws: ReplicaError.self) { try replica.create(.visit, fields: visitFields(customer, survey: ["delivery": 5])) }
        var policy = PolicyDocument(version: 3)
        policy.satisfaction.questions = [SurveyQuestion("delivery", english: "Delivery", chinese: "交付")]
        _ = try replica.storePolicy(policy)
        let visit = try replica.create(.visit, fields: visitFields(customer, survey: ["delivery": 5]))
        #expect(visit.value(of: "survey") == .object(["delivery": 5]))
        #expect(throws: ReplicaError.self) { try replica.update(visit.id, fields: ["survey": ["service": 5]]) }
        // Clearing the survey is always allowed.
        let cleared = try replica.update(visit.id, fields: ["survey": .null])
        #expect((cleared.value(of: "survey") ?? .null) == .null)
    }

    @Test func csvImportChecksSurveysAndExportWritesThemBack() throws {
        let replica = try Replica(path: ":memory:")
        let customer = try replica.create(.customer, fields: ["code": "C-1", "name": "Acme", "kind": "enterprise", "tier": "core"])
        let file = """
            customer,actualAt,method,满意度调查
            C-1,2026-11-03 10:00,onsite,service=5; quality=4
            C-1,2026-11-04 10:00,onsite,service=5; price=4
            C-1,2026-11-05 10:00,onsite,service=9
            C-1,2026-11-06 10:00,onsite,service=good

            """
        let report = try replica.importCSV(.visit, bytes: Array(file.utf8), options: Self.options)
        #expect(report.created == 1)
        #expect(report.issues.map(\.line) == [3, 4, 5])
        #expect(report.issues.allSatisfy { $0.field == "survey" && $0.column == "满意度调查" })
        if case .invalid(.unknownQuestion(_, _, let question, _)) = report.issues.first?.problem {
            #expect(question == "price")
        } else {
            Issue.record("line 3: \(String(describing: report.issues.first?.problem))")
        }
        let visit = try #require(try replica.records(.visit, customer: customer.id).first)
        #expect(visit.value(of: "survey") == .object(["service": 5, "quality": 4]))
        var exported = ""
        try replica.exportCSV(.visit) { exported += $0 }
        #expect(exported.contains("quality=4; service=5"))
        // What export writes, import reads back unchanged.
        #expect(try replica.importCSV(.visit, bytes: Array(exported.utf8), options: Self.options).unchanged == 1)
    }
}
