import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostTestSupport

/// Customer merge as an ordinary synced operation (SPEC §6.6), under random schedules: several
/// replicas edit a duplicate customer D (each its own field) and add contacts to it, offline and
/// online, through a flaky transport with random batch and page sizes and restarts, while one
/// replica merges D into K at a random moment. Afterwards every replica syncs until quiet and
///
/// - all replicas and the server hold identical records (convergence);
/// - every value written to D is still in D's tombstone (nothing lost), and K holds, as value or
///   conflict sibling, the last value each replica wrote to its field of D (late edits redirected);
/// - every live contact names K, none the merged D;
/// - one more round pushes nothing (each late write was redirected exactly once).
@Suite("Customer merge under random schedules")
struct MergePropertyTests {
    static let seeds: [UInt64] = (0..<24).map { 0x4D45_5247_0000 + UInt64($0) }
    /// Replica i edits field `fields[i]` of D, so the last value written to it is well defined.
    static let fields = ["notes", "address", "region", "industry"]

    @Test(arguments: seeds)
    func mergeConvergesAndKeepsEveryEdit(seed: UInt64) async throws {
        var rng = SeededGenerator(seed: seed)
        let server = try TestServer()
        defer { server.cleanUp() }
        let count = 3 + Int(seed % 2)
        var clients: [Client] = []
        for n in 0..<count { clients.append(try await makeClient(server, "user\(n)")) }
        let observer = try await makeClient(server, "observer", role: .hq, branch: "HQ")
        var log: [String] = []
        let tag = "seed \(seed)"

        // K and D: the same company, created on replica 0 and known to everyone.
        let keep = try clients[0].replica.create(.customer, fields: Fixture.customer("K-1", name: "北京华联有限公司"))
        let duplicate = try clients[0].replica.create(.customer, fields: Fixture.customer("D-1", name: "北京华联"))
        let old = try clients[0].replica.create(.contact, fields: Fixture.contact(of: duplicate.id, name: "old contact"))
        for client in clients { try await client.sync(server) }

        var lastWritten: [Int: JSONValue] = [:]
        var merged = false
        var counter = 0
        let mergeAt = Int.random(in: 5..<35, using: &rng)

        func sync(_ i: Int, flaky: Bool) async throws {
            var transport: (any SyncTransport)? = nil
            if flaky {
                var plan: [Fault?] = []
                for _ in 0..<100 {
                    let roll = Int.random(in: 0..<100, using: &rng)
                    plan.append(roll < 12 ? .dropRequest : roll < 24 ? .dropResponse : nil)
                }
                let faults = plan
                transport = FaultyTransport(server.transport) { index, _ in index <= faults.count ? faults[index - 1] : nil }
            }
            let batch = Int.random(in: 1...3, using: &rng), page = Int.random(in: 1...3, using: &rng)
            do {
                try await clients[i].sync(server, transport: transport, batchSize: batch, pageSize: page)
                log.append("sync \(i) batch=\(batch) page=\(page)")
            } catch SyncError.unreachable {
                log.append("sync \(i) (interrupted)")
            }
        }

        for step in 0..<50 {
            let i = Int.random(in: 0..<count, using: &rng)
            let replica = clients[i].replica
            if step == mergeAt && !merged {
                // As `outpost customer merge --yes`: K takes the duplicate's values of the fields it lacks.
                let (k, d) = (try #require(try replica.record(keep.id)), try #require(try replica.record(duplicate.id)))
                let result = try replica.mergeCustomer(keep: keep.id, duplicate: duplicate.id, values: CustomerMerge.fillIn(keep: k, duplicate: d))
                merged = true
                log.append("\(i) merge (repointed \(result.repointed))")
                continue
            }
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<40:  // edit this replica's field of D (refused once D is deleted here)
                counter += 1
                let value = JSONValue.string("r\(i)-v\(counter)")
                guard (try? replica.update(duplicate.id, fields: [Self.fields[i]: value])) != nil else { continue }
                lastWritten[i] = value
                log.append("\(i) edit D.\(Self.fields[i])=\(value)")
            case 40..<50:  // a contact for D
                counter += 1
                guard let contact = try? replica.create(.contact, fields: Fixture.contact(of: duplicate.id, name: "c\(counter)")) else { continue }
                log.append("\(i) contact \(contact.id)")
            case 50..<60:  // an edit of K elsewhere (another field)
                counter += 1
                try replica.update(keep.id, fields: ["owner": .string("o\(counter)")])
                log.append("\(i) edit K.owner")
            case 60..<92:
                try await sync(i, flaky: true)
            default:
                try clients[i].reopen()
                log.append("\(i) restart")
            }
        }
        if !merged {
            let replica = clients[0].replica
            let (k, d) = (try #require(try replica.record(keep.id)), try #require(try replica.record(duplicate.id)))
            try replica.mergeCustomer(keep: keep.id, duplicate: duplicate.id, values: CustomerMerge.fillIn(keep: k, duplicate: d))
            log.append("0 merge (late)")
        }
        let schedule = { "\(tag)\n" + log.joined(separator: "\n") }
        for _ in 0..<3 {
            for i in clients.indices { try await sync(i, flaky: false) }
        }
        try await observer.sync(server)

        let serverView = try allRecords(observer.replica)
        for (i, client) in clients.enumerated() {
            #expect(try allRecords(client.replica) == serverView, "replica \(i) differs: \(schedule())")
            #expect(try client.replica.pendingChangeCount() == 0, "\(schedule())")
        }
        let k = try #require(serverView[keep.id]), d = try #require(serverView[duplicate.id])
        #expect(!k.isDeleted && d.isDeleted, "\(schedule())")
        #expect(d.value(of: "mergedInto") == .string(keep.id.rawValue), "\(schedule())")
        // Nothing lost: each replica's last value of its field (the others it overwrote itself) is still in the tombstone.
        for (i, value) in lastWritten {
            #expect(siblingValues(d, Self.fields[i]).contains(value), "D lost \(Self.fields[i])=\(value): \(schedule())")
        }
        // Redirected: K holds each replica's last value of its field.
        for (i, value) in lastWritten {
            #expect(siblingValues(k, Self.fields[i]).contains(value), "K lacks \(Self.fields[i])=\(value): \(schedule())")
        }
        // Every live contact belongs to K.
        let contacts = serverView.values.filter { $0.type == .contact && !$0.isDeleted }
        #expect(contacts.contains { $0.id == old.id })
        for contact in contacts {
            #expect(contact.value(of: "customer") == .string(keep.id.rawValue), "contact \(contact.id) not moved: \(schedule())")
        }
        // Exactly once: another round sends nothing and changes nothing.
        for client in clients {
            let report = try await client.sync(server)
            #expect(report.pushed == 0, "\(schedule())")
        }
        for client in clients { #expect(try allRecords(client.replica) == serverView, "\(schedule())") }
    }

    @Test func salesMayNotMerge() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let sales = try await makeClient(server, "li", role: .sales)
        let a = try sales.replica.create(.customer, fields: Fixture.customer("A-1"))
        let b = try sales.replica.create(.customer, fields: Fixture.customer("B-1"))
        #expect(throws: MergeError.notAllowed(role: "sales")) {
            try sales.replica.mergeCustomer(keep: a.id, duplicate: b.id)
        }
        #expect(try sales.replica.record(b.id)?.isDeleted == false)
    }

    @Test func mergeRefusesDeletedSameAndForeignBranchCustomers() throws {
        let replica = try Replica(path: ":memory:")
        let a = try replica.create(.customer, fields: Fixture.customer("A-1"), branch: "BJ")
        let b = try replica.create(.customer, fields: Fixture.customer("B-1"), branch: "SH")
        let c = try replica.create(.customer, fields: Fixture.customer("C-1"), branch: "BJ")
        #expect(throws: MergeError.same) { try replica.mergeCustomer(keep: a.id, duplicate: a.id) }
        #expect(throws: MergeError.differentBranches("BJ", "SH")) { try replica.mergeCustomer(keep: a.id, duplicate: b.id) }
        try replica.delete(c.id)
        #expect(throws: MergeError.deleted(c.id)) { try replica.mergeCustomer(keep: a.id, duplicate: c.id) }
        #expect(throws: MergeError.identityField("mergedInto")) {
            try replica.mergeCustomer(keep: a.id, duplicate: try replica.create(.customer, fields: Fixture.customer("E-1"), branch: "BJ").id,
                                      values: ["mergedInto": .string(a.id.rawValue)])
        }
    }
}
