import Foundation
import Testing
import OutpostClient
import OutpostModel
import OutpostTestSupport

/// Local operations on one replica: validation, uniqueness, references, the outbox, conflicts
/// and the role checks made before anything is stored.
@Suite("Replica local operations")
struct ReplicaLocalTests {
    /// A fresh replica in a temporary directory, optionally configured for a role.
    func makeReplica(_ server: TestServer, role: Role? = nil, branch: String = "BJ") throws -> Replica {
        let replica = try Replica(path: server.path("local-\(role?.rawValue ?? "none").db"))
        if let role {
            try replica.configure(ReplicaSettings(serverURL: "inproc://", token: "t", user: "u", role: role, branch: branch, serverID: "s"))
        }
        return replica
    }

    func expectInvalid(field: String, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected ReplicaError.invalid naming '\(field)'")
        } catch ReplicaError.invalid(let error) {
            #expect(error.field == field)
        } catch {
            Issue.record("expected ReplicaError.invalid naming '\(field)', got \(error)")
        }
    }

    @Test func createValidatesAndStoresNothingWhenInvalid() throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let replica = try makeReplica(server)

        var badTier = Fixture.customer("C-1")
        badTier["tier"] = "platinum"
        expectInvalid(field: "tier") { try replica.create(.customer, fields: badTier) }

        var unknown = Fixture.customer("C-1")
        unknown["colour"] = "blue"
        expectInvalid(field: "colour") { try replica.create(.customer, fields: unknown) }

        var missing = Fixture.customer("C-1")
        missing["name"] = nil
        expectInvalid(field: "name") { try replica.create(.customer, fields: missing) }

        var nullRequired = Fixture.customer("C-1")
        nullRequired["kind"] = .null
        expectInvalid(field: "kind") { try replica.create(.customer, fields: nullRequired) }

        #expect(try replica.records(.customer, includeDeleted: true).isEmpty)
        #expect(try replica.pendingChangeCount() == 0)
        #expect(try replica.status().records == 0)
    }

    @Test func updateValidatesAndChangesNothingWhenInvalid() throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let replica = try makeReplica(server)
        let customer = try replica.create(.customer, fields: Fixture.customer("C-1"))
        expectInvalid(field: "tier") { try replica.update(customer.id, fields: ["tier": "platinum", "name": "New"]) }
        expectInvalid(field: "colour") { try replica.update(customer.id, fields: ["colour": "blue"]) }
        expectInvalid(field: "name") { try replica.update(customer.id, fields: ["name": .null]) }
        #expect(try replica.record(customer.id) == customer)
        #expect(try replica.pendingChangeCount() == 1)
    }

    @Test func duplicateCustomerCodeIsRefused() throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let replica = try makeReplica(server)
        let first = try replica.create(.customer, fields: Fixture.customer("C-1"))
        #expect(throws: ReplicaError.duplicateCode(code: "C-1", existing: first.id)) {
            try replica.create(.customer, fields: Fixture.customer("C-1", name: "Other"))
        }
        let second = try replica.create(.customer, fields: Fixture.customer("C-2"))
        #expect(throws: ReplicaError.duplicateCode(code: "C-1", existing: first.id)) {
            try replica.update(second.id, fields: ["code": "C-1"])
        }
        #expect(try replica.records(.customer).count == 2)
        #expect(try replica.pendingChangeCount() == 2)
        // A deleted customer's code may be reused.
        try replica.delete(first.id)
        try replica.create(.customer, fields: Fixture.customer("C-1", name: "Successor"))
    }

    @Test func contactNeedsAKnownCustomerAndTakesItsBranch() throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let replica = try makeReplica(server, role: .hq, branch: "HQ")
        let missing = RecordID.random()
        #expect(throws: ReplicaError.unknownCustomer(missing.rawValue)) {
            try replica.create(.contact, fields: Fixture.contact(of: missing))
        }
        #expect(try replica.pendingChangeCount() == 0)

        let shanghai = try replica.create(.customer, fields: Fixture.customer("C-1"), branch: "SH")
        #expect(shanghai.branch == "SH")
        let contact = try replica.create(.contact, fields: Fixture.contact(of: shanghai.id), branch: "GZ")
        #expect(contact.branch == "SH")
        #expect(try replica.records(.contact, customer: shanghai.id).map(\.id) == [contact.id])

        // A deleted customer takes no new contacts.
        try replica.delete(shanghai.id)
        #expect(throws: ReplicaError.unknownCustomer(shanghai.id.rawValue)) {
            try replica.create(.contact, fields: Fixture.contact(of: shanghai.id, name: "Late"))
        }
        // A contact cannot move to another customer.
        try replica.restore(shanghai.id)
        let other = try replica.create(.customer, fields: Fixture.customer("C-2"), branch: "SH")
        #expect(throws: ReplicaError.self) { try replica.update(contact.id, fields: ["customer": .string(other.id.rawValue)]) }
        // A contact referring to a contact is refused.
        #expect(throws: ReplicaError.unknownCustomer(contact.id.rawValue)) {
            try replica.create(.contact, fields: Fixture.contact(of: contact.id))
        }
    }

    @Test func editsGoThroughTheOutbox() throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let replica = try makeReplica(server)
        let a = try replica.create(.customer, fields: Fixture.customer("C-1"))
        #expect(try replica.pendingChangeCount() == 1)
        try replica.update(a.id, fields: ["industry": "Steel"])
        #expect(try replica.pendingChangeCount() == 1, "one outbox entry per record")
        let b = try replica.create(.customer, fields: Fixture.customer("C-2"))
        try replica.delete(b.id)
        #expect(try replica.pendingChangeCount() == 2)
        #expect(try replica.record(b.id)?.isDeleted == true)
        #expect(try replica.records(.customer).map(\.id) == [a.id])
        #expect(Set(try replica.records(.customer, includeDeleted: true).map(\.id)) == [a.id, b.id])
        try replica.restore(b.id)
        #expect(try replica.record(b.id)?.isDeleted == false)
        #expect(try replica.record(b.id)?.value(of: "code") == "C-2", "a restore keeps the fields")

        // The batch carries the latest versions; acknowledging empties the outbox.
        let batch = try #require(try replica.pendingBatch(limit: 10))
        #expect(Set(batch.request.records.map(\.id)) == [a.id, b.id])
        #expect(batch.request.records.first { $0.id == a.id }?.value(of: "industry") == "Steel")
        try replica.acknowledge(batch, response: PushResponse(batch: batch.request.batch, results: []))
        #expect(try replica.pendingChangeCount() == 0)
        #expect(try replica.pendingBatch(limit: 10) == nil)

        // An edit that changes nothing is not queued.
        try replica.update(a.id, fields: [:])
        #expect(try replica.pendingChangeCount() == 0)
        try replica.update(a.id, fields: ["notes": "x"])
        #expect(try replica.pendingChangeCount() == 1)
    }

    @Test func editingADeletedRecordIsRefused() throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let replica = try makeReplica(server)
        let a = try replica.create(.customer, fields: Fixture.customer("C-1"))
        let deleted = try replica.delete(a.id)
        #expect(throws: ReplicaError.deleted(a.id)) { try replica.update(a.id, fields: ["name": "Zombie"]) }
        #expect(try replica.record(a.id) == deleted)
        #expect(throws: ReplicaError.notFound("nope")) { try replica.update(RecordID(unchecked: "nope"), fields: ["name": "X"]) }
        try replica.restore(a.id)
        try replica.update(a.id, fields: ["name": "Alive"])
        #expect(try replica.record(a.id)?.value(of: "name") == "Alive")
    }

    /// Builds a record with a conflict on `name` by merging a concurrent version in through `apply`.
    func makeConflict(_ replica: Replica) throws -> Record {
        let local = try replica.create(.customer, fields: Fixture.customer("C-1", name: "Base"))
        var theirs = local
        try theirs.write(["name": "Theirs"], node: NodeID.random(), at: HybridTimestamp(millis: 1))
        try replica.update(local.id, fields: ["name": "Ours"])
        try replica.apply(PullPage(records: [theirs], cursor: "c", hasMore: false))
        let record = try #require(try replica.record(local.id))
        #expect(siblingValues(record, "name") == ["Ours", "Theirs"])
        #expect(try replica.conflictCount() == 1)
        return record
    }

    @Test func resolveWithSiblingOrValue() throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let replica = try makeReplica(server)
        let record = try makeConflict(replica)
        guard case .field(let name, let siblings)? = record.conflicts.first else {
            Issue.record("expected a field conflict")
            return
        }
        #expect(name == "name")
        #expect(throws: ReplicaError.self) { try replica.resolve(record.id, field: "name", choice: .sibling(2)) }
        #expect(throws: ReplicaError.self) { try replica.resolve(record.id, field: "tier", choice: .sibling(0)) }
        #expect(throws: ReplicaError.self) { try replica.resolve(record.id, field: "name", choice: .value(.int(3))) }
        let resolved = try replica.resolve(record.id, field: "name", choice: .sibling(1))
        #expect(resolved.value(of: "name") == siblings[1].value)
        #expect(resolved.conflicts.isEmpty)
        #expect(resolved.clock.dominates(record.clock))
        #expect(try replica.conflictCount() == 0)
        #expect(try replica.pendingChangeCount() == 1)

        let server2 = try TestServer()
        defer { server2.cleanUp() }
        let other = try makeReplica(server2)
        let conflicted = try makeConflict(other)
        let byValue = try other.resolve(conflicted.id, field: "name", choice: .value("Merged Name"))
        #expect(byValue.value(of: "name") == "Merged Name")
        #expect(siblingValues(byValue, "name") == ["Merged Name"])
        #expect(try other.conflictedRecords().isEmpty)
        #expect(throws: ReplicaError.self) { try other.resolve(conflicted.id, field: "name", choice: .value("Again")) }
    }

    @Test func salesCannotDeleteOrRestore() throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let replica = try makeReplica(server, role: .sales, branch: "BJ")
        let mine = try replica.create(.customer, fields: Fixture.customer("C-1"))
        #expect(mine.branch == "BJ")
        try replica.update(mine.id, fields: ["tier": "important"])
        let before = try replica.record(mine.id)
        #expect(throws: ReplicaError.self) { try replica.delete(mine.id) }
        #expect(throws: ReplicaError.self) { try replica.restore(mine.id) }
        #expect(throws: ReplicaError.self) { try replica.create(.customer, fields: Fixture.customer("C-2"), branch: "SH") }
        #expect(try replica.record(mine.id) == before)
        #expect(try replica.records(.customer, includeDeleted: true).count == 1)
    }

    @Test func auditorCannotEdit() throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let replica = try makeReplica(server, role: .auditor, branch: "HQ")
        #expect(throws: ReplicaError.self) { try replica.create(.customer, fields: Fixture.customer("C-1")) }
        // A record that arrived by pull cannot be edited, deleted or resolved.
        let pulled = Record.create(id: .random(), type: .customer, branch: "BJ", fields: Fixture.customer("C-1"),
                                   node: NodeID.random(), at: HybridTimestamp(millis: 1))
        try replica.apply(PullPage(records: [pulled], cursor: "c", hasMore: false))
        #expect(throws: ReplicaError.self) { try replica.update(pulled.id, fields: ["name": "X"]) }
        #expect(throws: ReplicaError.self) { try replica.delete(pulled.id) }
        #expect(try replica.record(pulled.id) == pulled)
        #expect(try replica.pendingChangeCount() == 0)
    }

    @Test func managerCannotWriteAnotherBranch() throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let replica = try makeReplica(server, role: .manager, branch: "BJ")
        let foreign = Record.create(id: .random(), type: .customer, branch: "SH", fields: Fixture.customer("C-1"),
                                    node: NodeID.random(), at: HybridTimestamp(millis: 1))
        try replica.apply(PullPage(records: [foreign], cursor: "c", hasMore: false))
        #expect(throws: ReplicaError.self) { try replica.update(foreign.id, fields: ["name": "X"]) }
        #expect(throws: ReplicaError.self) { try replica.delete(foreign.id) }
        #expect(throws: ReplicaError.self) { try replica.create(.contact, fields: Fixture.contact(of: foreign.id)) }
        #expect(try replica.pendingChangeCount() == 0)
    }

    @Test func reopeningKeepsNodeOutboxAndRecords() throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let path = server.path("reopen.db")
        var replica: Replica? = try Replica(path: path)
        let node = replica!.node
        let a = try replica!.create(.customer, fields: Fixture.customer("C-1"))
        replica = nil
        let again = try Replica(path: path)
        #expect(again.node == node)
        #expect(try again.record(a.id) == a)
        #expect(try again.pendingChangeCount() == 1)
        // The hybrid clock survives: a new edit is later than the first.
        let edited = try again.update(a.id, fields: ["name": "B"])
        #expect(edited.fields["name"]!.winner!.timestamp > a.fields["name"]!.winner!.timestamp)
    }
}

@Suite("Replica file")
struct ReplicaFileTests {
    @Test func newReplicaFileIsReadableByItsOwnerOnly() throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let path = server.path("private.db")
        let replica = try Replica(path: path)
        _ = try replica.create(.customer, fields: ["code": "P-1", "name": "P", "kind": "tenant", "tier": "core"])
        for file in [path, path + "-wal"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            let permissions = (attributes[.posixPermissions] as? NSNumber)?.intValue
            #expect(permissions == 0o600, "\(file)")
        }
    }
}
