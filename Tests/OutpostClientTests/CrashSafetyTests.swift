import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostTestSupport

/// "Kill the client at any instant": a multi-batch, multi-page sync is cut at its k-th server
/// call, for every k, by abandoning the replica object; a new one is opened on the same file
/// (as a restarted process would) and syncs cleanly. No acknowledged write is lost, no batch
/// or page is half-applied, and the end state equals the server's.
@Suite("Client crash safety")
struct CrashSafetyTests {
    /// The last value the crashing client wrote to each (record, field).
    struct Written {
        var values: [RecordID: [String: JSONValue]] = [:]
        mutating func note(_ id: RecordID, _ fields: [String: JSONValue]) {
            for (name, value) in fields { values[id, default: [:]][name] = value }
        }
    }

    /// The server's view: what a reader of every branch holds after a full sync.
    func serverView(_ server: TestServer, _ observer: Client) async throws -> [RecordID: Record] {
        try await observer.sync(server, pageSize: 1000)
        return try allRecords(observer.replica)
    }

    /// `true` when `stored` already incorporates everything `version` holds.
    func covers(_ stored: Record?, _ version: Record) -> Bool {
        guard let stored, let merged = try? stored.merged(with: version) else { return false }
        return merged == stored
    }

    /// Runs the scenario cutting call `k` with `fault`. Returns `false` when the sync made fewer than `k` calls.
    func run(k: Int, fault: Fault) async throws -> Bool {
        let server = try TestServer()
        defer { server.cleanUp() }
        var alice = try await makeClient(server, "alice")
        let bob = try await makeClient(server, "bob")
        let observer = try await makeClient(server, "observer", role: .hq, branch: "HQ")
        var written = Written()

        let sharedFields = Fixture.customer("S-1", name: "Shared")
        let shared = try alice.replica.create(.customer, fields: sharedFields)
        written.note(shared.id, sharedFields)
        try await alice.sync(server)
        try await bob.sync(server)

        // Bob's changes give Alice several pages to pull, including a conflict.
        for n in 1...5 { try bob.replica.create(.customer, fields: Fixture.customer("B-\(n)")) }
        try bob.replica.update(shared.id, fields: ["name": "Bob's name"])
        try await bob.sync(server)

        // Alice's offline edits: seven outbox entries, four batches of two.
        var mine: [RecordID] = []
        for n in 1...5 {
            let fields = Fixture.customer("A-\(n)", name: "Alice \(n)")
            let record = try alice.replica.create(.customer, fields: fields)
            written.note(record.id, fields)
            mine.append(record.id)
        }
        for (id, fields) in [(mine[0], ["notes": JSONValue.string("note 1")]), (shared.id, ["name": "Alice's name"]),
                             (mine[3], ["industry": "Steel"]), (mine[3], ["industry": "Iron", "region": "North"])] {
            try alice.replica.update(id, fields: fields)
            written.note(id, fields)
        }
        let contactFields = Fixture.contact(of: mine[1], name: "Zhang San")
        let contact = try alice.replica.create(.contact, fields: contactFields)
        written.note(contact.id, contactFields)
        try alice.replica.delete(mine[2])
        #expect(try alice.replica.pendingChangeCount() == 7)

        // The sync, cut at call k: the process dies there.
        let batchesBefore = try Peek.serverBatches(server)
        let faulty = FaultyTransport.failing(call: k, with: fault, over: server.transport)
        var crashed = false
        do {
            try await alice.sync(server, transport: faulty, batchSize: 2, pageSize: 2)
        } catch SyncError.unreachable {
            crashed = true
        }
        let calls = faulty.calls
        guard crashed else {
            #expect(calls.count < k)
            return false
        }
        try alice.reopen()

        // Right after the restart: whatever is not waiting in the outbox is on the server.
        let outbox = try Peek.outbox(alice.path)
        let serverNow = try await serverView(server, observer)
        for (id, record) in try allRecords(alice.replica) where !outbox.contains(id) {
            #expect(covers(serverNow[id], record), "k=\(k) \(fault): record \(id) left the outbox but the server lacks it")
        }
        // Batches: one that reached the server is applied whole; one that did not is not applied at all.
        for call in calls where call.request.path == "/v1/push" {
            let request = try PushRequest(json: JSONValue.parse(call.request.body))
            let applied = request.records.map { covers(serverNow[$0.id], $0) }
            if call.fault == .dropRequest {
                #expect(call.response == nil)
            } else {
                #expect(applied.allSatisfy { $0 }, "k=\(k) \(fault): batch \(request.batch) is half-applied")
            }
        }
        let deliveredBatches = Set(try calls.filter { $0.request.path == "/v1/push" && $0.response != nil }
            .map { try PushRequest(json: JSONValue.parse($0.request.body)).batch })
        #expect(try Peek.serverBatches(server) == batchesBefore + deliveredBatches.count)
        // Pages: each page the client received is applied whole.
        let local = try allRecords(alice.replica)
        for call in calls where call.request.path == "/v1/pull" && call.fault == nil {
            let page = try PullPage(json: JSONValue.parse(call.response!.body))
            for record in page.records {
                #expect(covers(local[record.id], record), "k=\(k) \(fault): a received page is half-applied")
            }
        }

        // A clean sync after the restart.
        try await alice.sync(server, batchSize: 2, pageSize: 2)
        #expect(try alice.replica.pendingChangeCount() == 0)
        #expect(try await alice.sync(server, batchSize: 2, pageSize: 2).pushed == 0)
        let finalView = try await serverView(server, observer)
        #expect(try allRecords(alice.replica) == finalView, "k=\(k) \(fault): the replica differs from the server")
        for (id, fields) in written.values {
            for (name, value) in fields {
                #expect(siblingValues(finalView[id], name).contains(value),
                        "k=\(k) \(fault): \(name)=\(value) written to \(id) is lost")
            }
        }
        #expect(siblingValues(finalView[shared.id], "name") == ["Alice's name", "Bob's name"])
        #expect(finalView[mine[2]]?.isDeleted == true)
        #expect(finalView[contact.id]?.branch == "BJ")
        return true
    }

    @Test(arguments: [Fault.dropRequest, Fault.dropResponse])
    func killAtEveryCall(fault: Fault) async throws {
        var k = 1
        while try await run(k: k, fault: fault) { k += 1 }
        // Four push batches and at least six pull pages were cut.
        #expect(k > 10)
    }
}
