import Testing
import OutpostClient
import OutpostModel
import OutpostTestSupport

/// Corners of the sync protocol seen from the client: every value kind surviving a retried
/// batch byte for byte, a replaced server, scoped pulls, and causality through the server.
@Suite("Sync edge cases")
struct SyncEdgeCaseTests {
    @Test func everyValueKindSurvivesARetriedBatch() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        var alice = try await makeClient(server, "alice")
        let observer = try await makeClient(server, "observer", role: .hq, branch: "HQ")
        var fields = Fixture.customer("C-1", name: "Ünïcødé \"quoted\" \\ back\nline 中文 😀")
        fields["annualPurchase"] = .double(1234.5)
        let customer = try alice.replica.create(.customer, fields: fields)
        try alice.replica.update(customer.id, fields: ["annualPurchase": .double(0.1)])
        let contact = try alice.replica.create(.contact, fields: [
            "customer": .string(customer.id.rawValue), "name": "Li", "phones": ["+86 10 1234 5678", "(010) 555"],
            "decisionMaker": true, "email": "li@example.com",
        ])
        let visit = try alice.replica.create(.visit, fields: [
            "customer": .string(customer.id.rawValue), "method": "onsite", "plannedAt": "2025-03-01T09:30:00Z", "satisfaction": 5,
        ])

        // The answer is lost; the retry, rebuilt from the stored batch, must be byte-identical or the server refuses it.
        let faulty = FaultyTransport.failing(call: 1, with: .dropResponse, over: server.transport)
        await #expect(throws: SyncError.self) { try await alice.sync(server, transport: faulty) }
        try alice.reopen()
        try await alice.sync(server, transport: faulty)
        let pushes = faulty.calls.filter { $0.request.path == "/v1/push" }
        #expect(pushes.count == 2)
        #expect(pushes[0].request.body == pushes[1].request.body)
        #expect(pushes[0].response == pushes[1].response)
        #expect(try alice.replica.pendingChangeCount() == 0)

        try await observer.sync(server)
        #expect(try observer.replica.record(customer.id) == alice.replica.record(customer.id))
        #expect(try observer.replica.record(customer.id)?.value(of: "annualPurchase") == .double(0.1))
        #expect(try observer.replica.record(customer.id)?.value(of: "name") == fields["name"])
        #expect(try observer.replica.record(contact.id) == contact)
        #expect(try observer.replica.record(visit.id) == visit)
    }

    @Test func aReplacedServerRestartsTheCursorAndReceivesPendingEdits() async throws {
        let first = try TestServer()
        defer { first.cleanUp() }
        var alice = try await makeClient(first, "alice")
        let bob = try await makeClient(first, "bob")
        let a = try bob.replica.create(.customer, fields: Fixture.customer("C-1"))
        try await bob.sync(first)
        try await alice.sync(first)
        #expect(try alice.replica.cursor() != nil)
        let b = try alice.replica.create(.customer, fields: Fixture.customer("C-2"))

        // The server is replaced by an empty one; the user gets a token there but the replica is not re-initialised.
        let second = try TestServer()
        defer { second.cleanUp() }
        let token = try second.addUser("alice", role: .manager, branch: "BJ")
        alice = Client(name: "alice", path: alice.path, token: token, replica: alice.replica)
        let report = try await alice.sync(second)
        #expect(report.pushed == 1)
        #expect(try alice.replica.pendingChangeCount() == 0)

        let observer = try await makeClient(second, "observer", role: .hq, branch: "HQ")
        try await observer.sync(second)
        #expect(try observer.replica.record(b.id) == alice.replica.record(b.id))
        #expect(try observer.replica.record(a.id) == nil, "records the new server never received stay local")
        #expect(try alice.replica.record(a.id) != nil)
    }

    @Test func aScopedReplicaPullsOnlyItsBranchAcrossPages() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let hq = try await makeClient(server, "hq", role: .hq, branch: "HQ")
        let sales = try await makeClient(server, "li", role: .sales, branch: "BJ")
        var beijing: Set<RecordID> = []
        for n in 1...9 {
            let branch = n % 3 == 0 ? "BJ" : "SH"
            // HQ assigns the Beijing customers to the salesperson (a salesperson sees only its own customers).
            var fields = Fixture.customer("C-\(n)")
            if branch == "BJ" { fields["owner"] = "li" }
            let record = try hq.replica.create(.customer, fields: fields, branch: branch)
            if branch == "BJ" { beijing.insert(record.id) }
        }
        try await hq.sync(server, batchSize: 2)
        let report = try await sales.sync(server, pageSize: 1)
        #expect(report.pulled == beijing.count)
        #expect(Set(try allRecords(sales.replica).keys) == beijing)
        for id in beijing { #expect(try sales.replica.record(id) == hq.replica.record(id)) }
    }

    @Test func aDominatingVersionReplacesWithoutConflict() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let alice = try await makeClient(server, "alice")
        let bob = try await makeClient(server, "bob")
        let customer = try alice.replica.create(.customer, fields: Fixture.customer("C-1"))
        try await alice.sync(server)
        try await bob.sync(server)
        // Bob has seen Alice's version and overwrites every field she wrote; then deletes and restores.
        try bob.replica.update(customer.id, fields: ["name": "Bob 1", "tier": "general"])
        try bob.replica.update(customer.id, fields: ["name": "Bob 2"])
        try bob.replica.delete(customer.id)
        try bob.replica.restore(customer.id)
        let report = try await bob.sync(server)
        #expect(report.accepted == 1)
        #expect(report.conflicted == 0)
        try await alice.sync(server)
        let record = try #require(try alice.replica.record(customer.id))
        #expect(try record == bob.replica.record(customer.id))
        #expect(record.conflicts.isEmpty)
        #expect(record.value(of: "name") == "Bob 2")
        #expect(siblingValues(record, "name") == ["Bob 2"])
        #expect(!record.isDeleted)

        // A concurrent delete and edit is kept as a conflict on both sides, with the edit preserved.
        try alice.replica.delete(customer.id)
        try bob.replica.update(customer.id, fields: ["notes": "edited while deleted elsewhere"])
        try await alice.sync(server)
        try await bob.sync(server)
        try await alice.sync(server)
        let a = try #require(try alice.replica.record(customer.id))
        #expect(try a == bob.replica.record(customer.id))
        #expect(a.hasConflicts)
        #expect(a.fields["notes"]?.siblings.map(\.value) == ["edited while deleted elsewhere"])
    }
}

/// Applying pulled versions in any order, batching or duplication gives the same replica state.
@Suite("Applying pulled pages")
struct ApplyOrderTests {
    @Test func anyOrderBatchingOrDuplicationConverges() throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let nodes = (0..<3).map { _ in NodeID.random() }
        let base = Record.create(id: .random(), type: .customer, branch: "BJ", fields: Fixture.customer("C-1"),
                                 node: nodes[0], at: HybridTimestamp(millis: 10))
        var versions: [Record] = [base]
        for (n, node) in nodes.enumerated() {
            var edited = base
            try edited.write(["name": .string("name by \(n)"), "notes": .string("note \(n)")], node: node, at: HybridTimestamp(millis: 20 + Int64(n)))
            if n == 2 { try edited.delete(node: node, at: HybridTimestamp(millis: 30)) }
            versions.append(edited)
        }
        var chained = versions[2]  // written by nodes[1], which writes again
        try chained.write(["industry": "Steel"], node: nodes[1], at: HybridTimestamp(millis: 40))
        versions.append(chained)
        let other = Record.create(id: .random(), type: .customer, branch: "BJ", fields: Fixture.customer("C-2"),
                                  node: nodes[2], at: HybridTimestamp(millis: 5))
        versions.append(other)

        var rng = SeededGenerator(seed: 42)
        var reference: [RecordID: Record]?
        for trial in 0..<12 {
            let replica = try Replica(path: server.path("apply-\(trial).db"))
            var sequence = versions.shuffled(using: &rng)
            sequence += sequence.prefix(Int.random(in: 0...versions.count, using: &rng))  // duplicates
            var index = 0
            while index < sequence.count {
                let size = Int.random(in: 1...3, using: &rng)
                let page = Array(sequence[index..<min(index + size, sequence.count)])
                try replica.apply(PullPage(records: page, cursor: "c\(index)", hasMore: false))
                index += size
            }
            let state = try allRecords(replica)
            if let reference { #expect(state == reference, "trial \(trial)") } else { reference = state }
            #expect(try replica.pendingChangeCount() == 0)
        }
        let merged = try #require(reference?[base.id])
        #expect(siblingValues(merged, "name") == ["name by 0", "name by 1", "name by 2"])
        #expect(merged.value(of: "industry") == "Steel")
        #expect(merged.hasConflicts)
        #expect(reference?[other.id] == other)
    }
}
