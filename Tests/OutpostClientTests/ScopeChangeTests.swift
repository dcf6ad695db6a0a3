import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostTestSupport

/// The client side of scope changes (SPEC §11.2): re-scoping after a reassignment, unsent edits
/// pushed first when still allowed and set aside otherwise, ownership rules for local edits, and
/// reassignment from a manager's device through the library.
@Suite("Client: sync follows scope")
struct ScopeChangeTests {
    @Test func unsentEditsArePushedWhenStillAllowedAndSetAsideOtherwise() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let boss = try await makeClient(server, "wang", role: .manager)
        let li = try await makeClient(server, "li", role: .sales)
        let wu = try await makeClient(server, "wu", role: .sales)
        let kept = try li.replica.create(.customer, fields: Fixture.customer("C-1"))
        let moved = try li.replica.create(.customer, fields: Fixture.customer("C-2"))
        let contact = try li.replica.create(.contact, fields: Fixture.contact(of: moved.id))
        #expect(kept.value(of: "owner") == "li", "the creator owns the customer")
        try await li.sync(server)
        try await wu.sync(server)
        try await boss.sync(server)

        // Offline, Li edits both customers; the branch head hands C-2 to Wu.
        try li.replica.update(kept.id, fields: ["notes": "still mine"])
        try li.replica.update(moved.id, fields: ["notes": "too late"])
        let handed = try boss.replica.reassign(from: "li", to: "wu", code: "C-2")
        #expect(handed.map(\.id) == [moved.id])
        try await boss.sync(server)

        let report = try await li.sync(server)
        #expect(report.refused == 1)
        #expect(try li.replica.record(kept.id)?.value(of: "notes") == "still mine")
        #expect(try li.replica.record(moved.id) == nil)
        #expect(try li.replica.record(contact.id) == nil, "the customer's contact leaves with it")
        let setAside = try li.replica.setAsideRecords()
        #expect(setAside.map(\.record.id) == [moved.id])
        #expect(setAside.first?.record.value(of: "notes") == "too late")
        #expect(setAside.first?.reason.contains("not among the records you may change") == true)
        #expect(try li.replica.status().setAside == 1)
        #expect(try li.replica.refusedEdits().isEmpty)
        #expect(try li.replica.pendingChangeCount() == 0)
        let exported = try JSONValue.parse(li.replica.exportSetAside())
        #expect(exported.objectValue?["setAside"]?.arrayValue?.count == 1)
        #expect(try li.replica.discardSetAside(moved.id))
        #expect(try li.replica.setAsideRecords().isEmpty)

        try await wu.sync(server)
        #expect(try wu.replica.record(moved.id)?.value(of: "owner") == "wu")
        #expect(try wu.replica.record(contact.id) != nil, "older than Wu's cursor, and still received")
        #expect(try wu.replica.record(kept.id) == nil)
    }

    @Test func salesCannotAssignAndTheDeviceAdoptsANewRole() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let li = try await makeClient(server, "li", role: .sales)
        #expect(throws: ReplicaError.self) { try li.replica.create(.customer, fields: Fixture.customer("C-1").merging(["owner": "wu"]) { $1 }) }
        #expect(throws: ReplicaError.self) { try li.replica.create(.customer, fields: Fixture.customer("C-1").merging(["sharedWith": ["wu"]]) { $1 }) }
        let customer = try li.replica.create(.customer, fields: Fixture.customer("C-1"))
        #expect(throws: ReplicaError.self) { try li.replica.update(customer.id, fields: ["owner": "wu"]) }
        #expect(throws: ReplicaError.self) { try li.replica.reassign(from: "li", to: "wu") }
        try await li.sync(server)

        try server.database.setUser(name: "li", role: .branchAdmin, branch: nil)
        try await li.sync(server)
        #expect(try li.replica.settings()?.role == .branchAdmin)
        try li.replica.update(customer.id, fields: ["sharedWith": ["wu"]])
        #expect(throws: ReplicaError.self) { try li.replica.delete(customer.id) }
        let report = try await li.sync(server)
        #expect(report.refused == 0)
    }
}
