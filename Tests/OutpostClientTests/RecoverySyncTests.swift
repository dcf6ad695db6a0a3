import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostTestSupport

/// The server is restored from a backup and has lost writes it had acknowledged. Clients notice
/// (the epoch changed, or their cursor is refused with 409 `recovery_required`) and run a
/// recovery sync: diff, re-offer what the server lacks, pull everything again (SPEC §11.1, §15).
@Suite("Recovery sync after a server restore")
struct RecoverySyncTests {
    struct Setup {
        let server: Protocol2Server
        var alice: Client
        var bob: Client
        /// Written before the backup.
        let early: Record
        /// Written after the backup (lost by the restore): alice's edit and records of both.
        let late: [RecordID]

        init() async throws {
            server = try Protocol2Server()
            alice = try await makeClient(server, "alice")
            bob = try await makeClient(server, "bob")
            early = try alice.replica.create(.customer, fields: Fixture.customer("C-1", name: "Acme"))
            try await alice.sync(through: server)
            try await bob.sync(through: server)
            let backup = try server.backup()

            try alice.replica.update(early.id, fields: ["name": "Acme Ltd"])
            let c2 = try alice.replica.create(.customer, fields: Fixture.customer("C-2"))
            let k2 = try alice.replica.create(.contact, fields: Fixture.contact(of: c2.id))
            try await alice.sync(through: server)
            let c3 = try bob.replica.create(.customer, fields: Fixture.customer("C-3"))
            try await bob.sync(through: server)
            try await alice.sync(through: server)
            late = [c2.id, k2.id, c3.id]

            try server.restore(from: backup)
            #expect(try server.records()[c2.id] == nil, "the restore lost the later writes")
        }
    }

    @Test func everyAcknowledgedWriteComesBackToTheServerAndEveryDevice() async throws {
        let s = try await Setup()
        defer { s.server.server.cleanUp() }
        // Bob synced after alice's last push: he holds every write the restore lost and re-offers
        // them all (alice's included); alice then has nothing left to re-offer.
        let bobReport = try await s.bob.sync(through: s.server)
        #expect(bobReport.recovered == 4, "the early customer's edit, C-2, its contact and C-3")
        let aliceReport = try await s.alice.sync(through: s.server)
        #expect(aliceReport.recovered == 0)
        try await s.bob.sync(through: s.server)

        let onServer = try s.server.records()
        for id in s.late { #expect(onServer[id] != nil) }
        #expect(onServer[s.early.id]?.value(of: "name") == "Acme Ltd")
        #expect(try allRecords(s.alice.replica) == allRecords(s.bob.replica))
        #expect(try allRecords(s.alice.replica) == onServer)
        // Recovery pushes name the epoch the client last synced in.
        let recovering = s.server.pushes.filter { $0.recoveringFrom != nil }
        #expect(!recovering.isEmpty)
        #expect(try s.alice.replica.syncEpochState() == SyncEpochState(serverID: s.server.server.database.serverID,
                                                                       epoch: s.server.currentEpoch))
        // A new device of bob's sees everything too.
        let fresh = Client(name: "bob-new", path: s.server.server.path("bob-new.db"), token: s.bob.token,
                           replica: try Replica(path: s.server.server.path("bob-new.db")))
        try await fresh.sync(through: s.server)
        #expect(try allRecords(fresh.replica) == onServer)
    }

    /// Killed at any request of the recovery (diff, recovery push, pull), the next sync completes it.
    @Test(arguments: [1, 2, 3, 4])
    func recoveryKilledAtAnyRequestCompletesOnTheNextSync(failingCall: Int) async throws {
        var s = try await Setup()
        defer { s.server.server.cleanUp() }
        let faulty = FaultyTransport.failing(call: failingCall, with: .dropResponse, over: s.server)
        await #expect(throws: SyncError.self) { try await s.alice.sync(through: faulty, batchSize: 2) }
        #expect(try s.alice.replica.syncEpochState().recoveringFrom != nil, "the pending recovery is stored")
        try s.alice.reopen()
        try await s.alice.sync(through: s.server, batchSize: 2)
        #expect(try s.alice.replica.syncEpochState().recoveringFrom == nil)
        try await s.bob.sync(through: s.server)
        try await s.alice.sync(through: s.server)
        let onServer = try s.server.records()
        for id in s.late { #expect(onServer[id] != nil) }
        #expect(try allRecords(s.alice.replica) == onServer)
        #expect(try allRecords(s.bob.replica) == onServer)
        #expect(try s.alice.replica.pendingChangeCount() == 0)
    }

    /// The outbox survives a recovery: edits made before the restore was noticed are still pushed.
    @Test func pendingEditsArePushedAfterTheRecovery() async throws {
        let s = try await Setup()
        defer { s.server.server.cleanUp() }
        try s.bob.replica.update(s.early.id, fields: ["region": "North"])
        try await s.bob.sync(through: s.server)
        try await s.alice.sync(through: s.server)
        #expect(try s.alice.replica.record(s.early.id)?.value(of: "region") == "North")
        #expect(try s.bob.replica.pendingChangeCount() == 0)
    }

    /// A record the restored server refuses during the recovery is set aside; the recovery still
    /// completes and the outbox is still pushed.
    @Test func aRecordTheRestoredServerRefusesIsSetAsideAndTheRecoveryCompletes() async throws {
        let s = try await Setup()
        defer { s.server.server.cleanUp() }
        let refusedID = s.late[0]
        try s.bob.replica.update(s.late[2], fields: ["name": "Edited while the server was away"])
        let server = s.server
        let refusing = InProcessTransport { request in
            if request.path == "/v1/push", let push = try? PushRequest(json: JSONValue.parse(request.body)),
                push.recoveringFrom != nil, push.records.contains(where: { $0.id == refusedID })
            {
                return TransportResponse(status: 403, body: ErrorBody(code: "forbidden", message: "Not yours to give back.", details: [
                    ErrorDetail(message: "Not yours to give back.", record: refusedID.rawValue),
                ]).jsonValue.serializedBytes())
            }
            return try await server.send(request)
        }
        let report = try await s.bob.sync(through: refusing)
        #expect(report.refused >= 1)
        #expect(try s.bob.replica.refusedEdits().map(\.record).contains(refusedID))
        #expect(try s.bob.replica.syncEpochState().recoveringFrom == nil)
        #expect(try s.bob.replica.pendingChangeCount() == 0)
        let onServer = try s.server.records()
        #expect(onServer[s.late[2]]?.value(of: "name") == "Edited while the server was away")
        #expect(onServer[s.early.id]?.value(of: "name") == "Acme Ltd")
        #expect(onServer[refusedID] == nil)
    }
}
