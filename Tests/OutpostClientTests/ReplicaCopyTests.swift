import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostTestSupport

/// Two copies of one replica (a copied database file, or a device restored from an old backup)
/// share a node id. Whichever syncs second must not lose a value, get stuck, or merge two different
/// writes as one: it takes a new node id and re-stamps its unacknowledged edits (SPEC §15).
@Suite("Copied and restored replicas")
struct ReplicaCopyTests {
    /// Both copies edit the same and different records offline, then both sync, in either order.
    @Test(arguments: [true, false])
    func copiedReplicaFilesBothSyncAndKeepEveryValue(originalFirst: Bool) async throws {
        let server = try Protocol2Server()
        defer { server.server.cleanUp() }
        let original = try await makeClient(server, "li")
        let shared = try original.replica.create(.customer, fields: Fixture.customer("C-1", name: "Acme"))
        let onlyOriginal = try original.replica.create(.customer, fields: Fixture.customer("C-2"))
        let onlyCopy = try original.replica.create(.customer, fields: Fixture.customer("C-3"))
        try await original.sync(through: server)
        let copy = try copyReplica(original, as: "li-copy", in: server.server)
        #expect(copy.replica.node == original.replica.node)

        // Offline, both edit the same field of one record (same next dot!) and different records.
        try original.replica.update(shared.id, fields: ["name": "Acme (original)"])
        try copy.replica.update(shared.id, fields: ["name": "Acme (copy)", "industry": "Steel"])
        try original.replica.update(onlyOriginal.id, fields: ["tier": "important"])
        try copy.replica.update(onlyCopy.id, fields: ["tier": "potential"])
        let contact = try copy.replica.create(.contact, fields: Fixture.contact(of: shared.id, name: "Wang"))

        let (first, second) = originalFirst ? (original, copy) : (copy, original)
        let firstReport = try await first.sync(through: server)
        let secondReport = try await second.sync(through: server)
        #expect(firstReport.nodeChanges == 0)
        #expect(secondReport.nodeChanges == 1, "the copy that syncs second takes a new node id")
        #expect(secondReport.refused == 0)
        try await first.sync(through: server)
        try await second.sync(through: server)

        #expect(original.replica.node != copy.replica.node)
        for client in [original, copy] {
            #expect(try client.replica.pendingChangeCount() == 0, "\(client.name): nothing stuck")
            #expect(try client.replica.refusedEdits().isEmpty, "\(client.name): nothing refused")
        }
        #expect(try allRecords(original.replica) == allRecords(copy.replica))
        let merged = try original.replica.record(shared.id)
        #expect(siblingValues(merged, "name") == ["Acme (original)", "Acme (copy)"], "both values kept as a conflict")
        #expect(merged?.value(of: "industry") == "Steel")
        #expect(try original.replica.record(onlyOriginal.id)?.value(of: "tier") == "important")
        #expect(try original.replica.record(onlyCopy.id)?.value(of: "tier") == "potential")
        #expect(try original.replica.record(contact.id)?.value(of: "name") == "Wang")
        let onServer = try server.records()
        #expect(onServer[shared.id] == merged)
    }

    /// A device restored from a backup taken before the original pushed more edits.
    @Test func replicaRestoredFromAnOldBackupKeepsEveryValue() async throws {
        let server = try Protocol2Server()
        defer { server.server.cleanUp() }
        let device = try await makeClient(server, "li")
        let customer = try device.replica.create(.customer, fields: Fixture.customer("C-1", name: "Acme"))
        try await device.sync(through: server)
        let backup = try copyReplica(device, as: "li-backup", in: server.server)

        // The device goes on working and syncing after the backup was taken.
        try device.replica.update(customer.id, fields: ["name": "Acme Ltd"])
        let later = try device.replica.create(.customer, fields: Fixture.customer("C-2"))
        try await device.sync(through: server)
        try device.replica.update(customer.id, fields: ["name": "Acme Trading Ltd", "region": "North"])
        try await device.sync(through: server)

        // The device is lost; the old backup is restored and edited before it syncs.
        try backup.replica.update(customer.id, fields: ["name": "Acme (restored)"])
        let restoredOnly = try backup.replica.create(.customer, fields: Fixture.customer("C-3"))
        let report = try await backup.sync(through: server)
        #expect(report.nodeChanges == 1)
        #expect(try backup.replica.pendingChangeCount() == 0)
        #expect(try backup.replica.refusedEdits().isEmpty)
        try await device.sync(through: server)

        #expect(try allRecords(device.replica) == allRecords(backup.replica))
        let merged = try backup.replica.record(customer.id)
        #expect(siblingValues(merged, "name") == ["Acme Trading Ltd", "Acme (restored)"])
        #expect(merged?.value(of: "region") == "North")
        #expect(try backup.replica.record(later.id) != nil)
        #expect(try device.replica.record(restoredOnly.id) != nil)
    }

    /// A copy that pulls before pushing meets the other copy's write under its own dot: it must
    /// re-stamp first instead of merging the two writes as one.
    @Test func pulledVersionHoldingAnotherCopysWriteUnderTheSameDotIsNotMergedAway() async throws {
        let server = try Protocol2Server()
        defer { server.server.cleanUp() }
        let original = try await makeClient(server, "li")
        let customer = try original.replica.create(.customer, fields: Fixture.customer("C-1", name: "Acme"))
        try await original.sync(through: server)
        let copy = try copyReplica(original, as: "li-copy", in: server.server)
        try original.replica.update(customer.id, fields: ["name": "From the original"])
        try copy.replica.update(customer.id, fields: ["name": "From the copy"])
        try await original.sync(through: server)

        // Only the pull phase: the pulled version carries the same dot with other content.
        var report = SyncReport()
        try await SyncEngine(replica: copy.replica, api: SyncAPI(transport: server, token: copy.token)).pull(&report)
        #expect(copy.replica.node != original.replica.node)
        #expect(siblingValues(try copy.replica.record(customer.id), "name") == ["From the original", "From the copy"])

        try await copy.sync(through: server)
        try await original.sync(through: server)
        #expect(try allRecords(original.replica) == allRecords(copy.replica))
        #expect(siblingValues(try original.replica.record(customer.id), "name") == ["From the original", "From the copy"])
    }

    /// Re-stamping keeps values and timestamps, moves only unacknowledged writes, and survives reopening.
    @Test func takeNewNodeRestampsOnlyUnacknowledgedWrites() async throws {
        let server = try Protocol2Server()
        defer { server.server.cleanUp() }
        var client = try await makeClient(server, "li")
        let customer = try client.replica.create(.customer, fields: Fixture.customer("C-1", name: "Acme"))
        try await client.sync(through: server)
        let old = client.replica.node
        try client.replica.update(customer.id, fields: ["name": "Acme Ltd"])
        try client.replica.delete(customer.id)
        let before = try #require(try client.replica.record(customer.id))
        let new = try client.replica.takeNewNode()
        try client.reopen()
        #expect(client.replica.node == new)
        let after = try #require(try client.replica.record(customer.id))
        #expect(after.clock[old] == 1, "lowered to what the server acknowledged")
        #expect(after.clock[new] == 1, "one new dot for the record")
        #expect(after.fields["code"] == before.fields["code"], "acknowledged writes keep their dots")
        #expect(after.fields["name"]?.siblings.map(\.dot) == [Dot(node: new, counter: 1)])
        #expect(after.value(of: "name") == "Acme Ltd")
        #expect(after.fields["name"]?.siblings.first?.timestamp == before.fields["name"]?.siblings.first?.timestamp)
        #expect(after.isDeleted)
        #expect(try client.replica.pendingChangeCount() == 1)
        try await client.sync(through: server)
        #expect(try server.records()[customer.id] == client.replica.record(customer.id))
    }

    /// 409 `dot_reused` (the server caught a reused dot the chain did not): the replica takes a new
    /// node id once and pushes again; a record refused that way again is set aside, not retried forever.
    @Test(arguments: [1, 2])
    func dotReusedTakesANewNodeOnceThenSetsAside(refusals: Int) async throws {
        let server = try Protocol2Server()
        defer { server.server.cleanUp() }
        let client = try await makeClient(server, "li")
        let customer = try client.replica.create(.customer, fields: Fixture.customer("C-1"))
        let before = client.replica.node
        let refused = Calls()
        let transport = InProcessTransport { request in
            if request.path == "/v1/push" && refused.all.count < refusals {
                refused.add(request)
                return TransportResponse(status: 409, body: ErrorBody(code: "dot_reused", message: "Record refused: reused write.", details: [
                    ErrorDetail(message: "field 'name' holds a different value for write", record: customer.id.rawValue, field: "name"),
                ]).jsonValue.serializedBytes())
            }
            return try await server.send(request)
        }
        let report = try await client.sync(through: transport)
        #expect(report.nodeChanges == 1)
        #expect(client.replica.node != before)
        if refusals == 1 {
            #expect(report.pushed == 1)
            #expect(try server.records()[customer.id] == client.replica.record(customer.id))
        } else {
            #expect(report.refused == 1)
            #expect(try client.replica.refusedEdits().map(\.code) == ["dot_reused"])
        }
    }

    /// The file is copied while it holds edits not synced yet: both copies push those shared edits
    /// (same dots, same content). They stay one write each — no duplicate conflict siblings — and
    /// only the edits made after the copy are re-stamped.
    @Test(arguments: [true, false])
    func editsMadeBeforeTheCopyStayOneWrite(originalFirst: Bool) async throws {
        let server = try Protocol2Server()
        defer { server.server.cleanUp() }
        let original = try await makeClient(server, "li")
        let synced = try original.replica.create(.customer, fields: Fixture.customer("C-1", name: "Acme"))
        try await original.sync(through: server)
        // Not synced yet when the file is copied.
        let unsynced = try original.replica.create(.customer, fields: Fixture.customer("C-2", name: "Beta"))
        try original.replica.update(synced.id, fields: ["region": "North"])
        let copy = try copyReplica(original, as: "li-copy", in: server.server)

        try original.replica.update(synced.id, fields: ["name": "Acme (original)"])
        try copy.replica.update(synced.id, fields: ["name": "Acme (copy)"])
        try copy.replica.update(unsynced.id, fields: ["tier": "potential"])

        let (first, second) = originalFirst ? (original, copy) : (copy, original)
        try await first.sync(through: server)
        let report = try await second.sync(through: server)
        #expect(report.nodeChanges == 1)
        try await first.sync(through: server)
        try await second.sync(through: server)

        #expect(try allRecords(original.replica) == allRecords(copy.replica))
        let c1 = try original.replica.record(synced.id)
        #expect(siblingValues(c1, "name") == ["Acme (original)", "Acme (copy)"])
        #expect(c1?.fields["region"]?.siblings.count == 1, "the shared edit is one write")
        let c2 = try original.replica.record(unsynced.id)
        #expect(c2?.fields["code"]?.siblings.count == 1, "the shared creation is one write")
        #expect(c2?.fields["name"]?.siblings.count == 1)
        #expect(c2?.value(of: "tier") == "potential")
        #expect(try original.replica.conflictedRecords().map(\.id) == [synced.id], "only the field both copies wrote")
    }

    /// A server that answers node_reused whatever the node: the sync stops with the server's
    /// error after a few node changes instead of looping, and keeps every edit.
    @Test func aServerThatAlwaysSaysNodeReusedDoesNotLoopForever() async throws {
        let server = try Protocol2Server()
        defer { server.server.cleanUp() }
        let client = try await makeClient(server, "li")
        let customer = try client.replica.create(.customer, fields: Fixture.customer("C-1"))
        let broken = InProcessTransport { request in
            if request.path == "/v1/push" {
                return TransportResponse(status: 409, body: ErrorBody(code: "node_reused", message: "Node reused.").jsonValue.serializedBytes())
            }
            return try await server.send(request)
        }
        await #expect(throws: SyncError.self) { try await client.sync(through: broken) }
        #expect(try client.replica.pendingChangeCount() == 1)
        #expect(try client.replica.record(customer.id)?.value(of: "code") == "C-1")
    }

    /// The copy's sync is killed at any request around the node change (the refused push, the pull
    /// before it, the re-stamped push, the final pull); the next sync completes it and nothing is lost.
    @Test(arguments: [1, 2, 3, 4, 5])
    func killedWhileTakingANewNodeCompletesOnTheNextSync(failingCall: Int) async throws {
        let server = try Protocol2Server()
        defer { server.server.cleanUp() }
        let original = try await makeClient(server, "li")
        let customer = try original.replica.create(.customer, fields: Fixture.customer("C-1", name: "Acme"))
        try await original.sync(through: server)
        var copy = try copyReplica(original, as: "li-copy", in: server.server)
        try original.replica.update(customer.id, fields: ["name": "From the original"])
        try copy.replica.update(customer.id, fields: ["name": "From the copy"])
        let added = try copy.replica.create(.customer, fields: Fixture.customer("C-2"))
        try await original.sync(through: server)

        let faulty = FaultyTransport.failing(call: failingCall, with: .dropResponse, over: server)
        _ = try? await copy.sync(through: faulty)
        try copy.reopen()
        try await copy.sync(through: server)
        try await original.sync(through: server)
        try await copy.sync(through: server)

        #expect(try allRecords(original.replica) == allRecords(copy.replica))
        #expect(siblingValues(try original.replica.record(customer.id), "name") == ["From the original", "From the copy"])
        #expect(try original.replica.record(added.id) != nil)
        #expect(try copy.replica.pendingChangeCount() == 0)
        #expect(try copy.replica.refusedEdits().isEmpty)
    }
}
