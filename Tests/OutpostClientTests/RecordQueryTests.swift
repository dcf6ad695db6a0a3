import Foundation
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostStore
import Testing

// Queries run in SQLite (filters, order, pages, counts, Chinese names) answer as the same
// filters applied in memory to every record, use the indexes meant for them, and the indexed
// due and overdue lists answer as the policy computations over every record — also after a new
// policy document arrives and after an older replica is upgraded.

@Suite("Record queries in SQLite")
struct RecordQueryTests {
    /// Customers written by hand: (code, name, owner, tier, status).
    static let people: [(String, String, String, Customer.Tier, Customer.Status?)] = [
        ("C-01", "北京华联（集团）有限公司", "li", .core, .active),
        ("C-02", "上海华联超市", "wang", .important, .active),
        ("C-03", "Acme Trading Co., Ltd.", "li", .important, .prospect),
        ("C-04", "ＡＣＭＥ Holdings", "wang", .core, nil),
        ("C-05", "acme-west", "li", .general, .dormant),
        ("C-06", "Beijing Foods", "li", .potential, .lost),
        ("C-07", "北京烤鸭店", "wang", .general, .active),
        ("C-08", "Zeta 100% Cotton_Co", "li", .core, .active),
    ]

    /// A replica with the hand-written customers, a deleted one, 30 numbered ones, and contacts.
    static func handBuilt() throws -> (Replica, [String: RecordID]) {
        let replica = try Replica(path: ":memory:")
        var ids: [String: RecordID] = [:]
        for (code, name, owner, tier, status) in people {
            var customer = Customer(code: code, name: name, kind: .enterprise, tier: tier)
            customer.owner = owner
            customer.status = status
            ids[code] = try replica.save(customer).id
        }
        var gone = Customer(code: "C-09", name: "北京已删除", kind: .enterprise, tier: .core)
        gone.owner = "li"
        ids["C-09"] = try replica.save(gone).id
        try replica.delete(ids["C-09"]!)
        for index in 10..<40 {
            var customer = Customer(code: "C-\(index)", name: "Customer \(index)", kind: .individual,
                                    tier: Customer.Tier.allCases[index % 4])
            customer.owner = index % 3 == 0 ? "wang" : "zhao"
            customer.status = index % 2 == 0 ? .active : nil
            ids["C-\(index)"] = try replica.save(customer).id
        }
        // A tier this app's policy does not know (from a newer server): no due time.
        let platinum = Record.create(id: .random(), type: .customer, branch: "HQ",
                                     fields: ["code": "C-98", "name": "Platinum Ltd", "kind": "enterprise", "tier": "platinum"],
                                     node: .random(), at: HybridTimestamp(millis: 1_790_000_000_000, logical: 0))
        try replica.storeReceived([platinum])
        ids["C-98"] = platinum.id
        for (index, name) in ["王丽", "王小明", "Li Lei", "李雷"].enumerated() {
            try replica.save(Contact(customer: ids[index % 2 == 0 ? "C-01" : "C-02"]!, name: name))
        }
        return (replica, ids)
    }

    /// List order: label bytes, then id.
    static func listOrder(_ a: Record, _ b: Record) -> Bool {
        let left = Array(RecordSummary(a).label.utf8), right = Array(RecordSummary(b).label.utf8)
        return left != right ? left.lexicographicallyPrecedes(right) : a.id < b.id
    }

    /// Checks a query against `matches` applied to every record in memory: results, count, pages.
    static func expectMatches<Model: RecordModel>(_ replica: Replica, _ query: RecordQuery<Model>, _ comment: Comment,
                                                   _ matches: (Record) -> Bool) throws {
        let everything = try replica.records(Model.entityType, includeDeleted: query.includeDeleted)
        let expected = everything.filter(matches).sorted(by: listOrder).map(\.id)
        #expect(try replica.fetch(query).map(\.id) == expected, comment)
        #expect(try replica.count(query) == expected.count, comment)
        var paged: [RecordID] = []
        for page in 0...(expected.count / 3) { paged += try replica.fetch(query.page(page, size: 3)).map(\.id) }
        #expect(paged == expected, "pages of \(comment)")
        // Keyset pages: each starts after the last record of the previous one.
        var keyset: [RecordID] = []
        var page = try replica.fetch(query.limit(3))
        while let last = page.last {
            keyset += page.map(\.id)
            page = try replica.fetch(query.limit(3).after(last.id))
        }
        #expect(keyset == expected, "keyset pages of \(comment)")
        #expect(try replica.fetch(query.limit(2).offset(1)).map(\.id) == Array(expected.dropFirst(1).prefix(2)), comment)
        #expect(try replica.fetch(query.sorted(by: .label, descending: true)).map(\.id) == expected.reversed(), comment)
    }

    @Test func filtersAnswerAsInMemoryFilters() throws {
        let (replica, ids) = try Self.handBuilt()
        func text(_ record: Record, _ field: String) -> String? { record.value(of: field)?.stringValue }
        func key(_ record: Record) -> String { MatchKeys.searchKey(text(record, "name") ?? "") }
        try Self.expectMatches(replica, Customer.query, "all") { _ in true }
        try Self.expectMatches(replica, Customer.query.includingDeleted(), "all with deleted") { _ in true }
        for owner in ["li", "wang", "zhao", "nobody"] {
            try Self.expectMatches(replica, Customer.query.owner(owner), "owner \(owner)") { text($0, "owner") == owner }
        }
        for tier in Customer.Tier.allCases {
            try Self.expectMatches(replica, Customer.query.tier(tier), "tier \(tier)") { text($0, "tier") == tier.rawValue }
            try Self.expectMatches(replica, Customer.query.tier(tier).owner("li"), "tier \(tier) of li") {
                text($0, "tier") == tier.rawValue && text($0, "owner") == "li"
            }
        }
        for status in Customer.Status.allCases {
            try Self.expectMatches(replica, Customer.query.status(status), "status \(status)") { text($0, "status") == status.rawValue }
        }
        try Self.expectMatches(replica, Customer.query.code("C-03"), "code") { text($0, "code") == "C-03" }
        for search in ["北京", "北", "华联", "烤鸭", "acme", "ＡＣＭＥ", "Acme T", "cotton co", "customer 1", "100%", "zzz", ""] {
            let needle = MatchKeys.searchKey(search)
            try Self.expectMatches(replica, Customer.query.namePrefix(search), "prefix \(search)") { key($0).hasPrefix(needle) }
            try Self.expectMatches(replica, Customer.query.nameContains(search), "contains \(search)") {
                needle.isEmpty || key($0).contains(needle)
            }
            try Self.expectMatches(replica, Customer.query.namePrefix(search).includingDeleted(), "prefix \(search) with deleted") {
                key($0).hasPrefix(needle)
            }
        }
        try Self.expectMatches(replica, Contact.query.customer(ids["C-01"]!), "contacts of C-01") { text($0, "customer") == ids["C-01"]!.rawValue }
        try Self.expectMatches(replica, Contact.query.namePrefix("王"), "contacts 王") { key($0).hasPrefix("王") }
    }

    @Test func chineseAndFoldedNamesAreFound() throws {
        let (replica, ids) = try Self.handBuilt()
        func codes(_ query: RecordQuery<Customer>) throws -> Set<String> { Set(try replica.fetch(query).map(\.code)) }
        #expect(try codes(Customer.query.nameContains("华联")) == ["C-01", "C-02"])
        #expect(try codes(Customer.query.namePrefix("北京")) == ["C-01", "C-07"])
        #expect(try codes(Customer.query.namePrefix("北京").includingDeleted()) == ["C-01", "C-07", "C-09"])
        #expect(try codes(Customer.query.namePrefix("北京华联 集团")) == ["C-01"], "spaces and brackets ignored")
        #expect(try codes(Customer.query.namePrefix("acme")) == ["C-03", "C-04", "C-05"], "full-width and case folded")
        #expect(try codes(Customer.query.namePrefix("ＡＣＭＥ h")) == ["C-04"])
        #expect(try codes(Customer.query.nameContains("烤鸭")) == ["C-07"])
        #expect(try codes(Customer.query.nameContains("Cotton_Co")) == ["C-08"])
        #expect(try codes(Customer.query.nameContains("west").owner("wang")) == [])
        #expect(try replica.count(Customer.query.nameContains("华联").owner("li")) == 1)
        #expect(try replica.fetch(Contact.query.namePrefix("王").customer(ids["C-01"]!)).map(\.name) == ["王丽"])
        // Renaming moves a customer in and out of the name index.
        var renamed = try #require(try replica.model(Customer.self, id: ids["C-06"]!))
        renamed.name = "北京食品"
        try replica.save(renamed)
        #expect(try codes(Customer.query.namePrefix("北京")) == ["C-01", "C-06", "C-07"])
        #expect(try codes(Customer.query.namePrefix("beijing")) == [])
    }

    @Test func ordersAndPages() throws {
        let (replica, _) = try Self.handBuilt()
        let all = try replica.records(.customer)
        let byCode = all.sorted { ($0.value(of: "code")?.stringValue ?? "", $0.id) < ($1.value(of: "code")?.stringValue ?? "", $1.id) }
        #expect(try replica.fetch(Customer.query.sorted(by: .code)).map(\.id) == byCode.map(\.id))
        #expect(try replica.fetch(Customer.query.sorted(by: .code, descending: true).limit(5)).map(\.id) == byCode.reversed().prefix(5).map(\.id))
        let byModified = all.sorted { ($0.lastModified.millis, $0.id) < ($1.lastModified.millis, $1.id) }
        #expect(try replica.fetch(Customer.query.sorted(by: .lastModified)).map(\.id) == byModified.map(\.id))
        #expect(try replica.fetch(Customer.query.offset(1_000)).isEmpty)
        #expect(try replica.count(Customer.query.limit(3)) == all.count, "a count ignores the page")
        // Keyset pages in every order, both directions (codes, due times and modification times tie or are missing).
        for order in RecordOrder.allCases {
            for descending in [false, true] {
                let query = Customer.query.sorted(by: order, descending: descending)
                let expected = try replica.fetch(query).map(\.id)
                var keyset: [RecordID] = []
                var page = try replica.fetch(query.limit(4))
                while let last = page.last {
                    keyset += page.map(\.id)
                    page = try replica.fetch(query.limit(4).after(last.id))
                }
                #expect(keyset == expected, "\(order) \(descending)")
            }
        }
    }

    @Test func indexedFiltersUseTheirIndexes() throws {
        let (replica, ids) = try Self.handBuilt()
        func plan<Model: RecordModel>(_ query: RecordQuery<Model>) throws -> String { try replica.queryPlan(query).joined(separator: " | ") }
        #expect(try plan(Customer.query.owner("li").limit(50)).contains("records_by_owner"))
        #expect(try plan(Customer.query.tier(.core).limit(50)).contains("records_by_tier"))
        #expect(try plan(Customer.query.status(.active).limit(50)).contains("records_by_status"))
        let codePlan = try plan(Customer.query.code("C-01"))
        #expect(codePlan.contains("records_by_code"), "\(codePlan)")
        #expect(try plan(Customer.query.namePrefix("北京").limit(50)).contains("records_by_name_key"))
        #expect(try plan(Customer.query.due(by: Date()).sorted(by: .dueTime).limit(50)).contains("records_by_due"))
        #expect(try plan(Customer.query.limit(50)).contains("records_by_label"))
        let customerPlan = try plan(Contact.query.customer(ids["C-01"]!))
        #expect(customerPlan.contains("records_by_customer"), "\(customerPlan)")
        #expect(try plan(Customer.query.tier(.core).owner("li").limit(50)).contains("records_by_owner"))
        #expect(try plan(Customer.query.owner("li").includingDeleted().limit(50)).contains("records_by_label"))
        let keysetPlan = try plan(Customer.query.owner("li").limit(50).after(ids["C-03"]!))
        #expect(keysetPlan.contains("records_by_owner") && !keysetPlan.contains("TEMP B-TREE"), "\(keysetPlan)")
        for text in try [plan(Customer.query.owner("li").limit(50)), plan(Customer.query.limit(50))] {
            #expect(!text.contains("TEMP B-TREE"), "a page in list order needs no sort: \(text)")
        }
    }

    // MARK: Due and overdue

    /// A replica with random customers (tiers known, unknown and missing; two branches), visits
    /// (completed, planned, deleted) and complaints (every category and status, collective,
    /// on and off site, requested dates, deleted).
    static func randomReplica(seed: UInt64) throws -> Replica {
        var random = SeededGenerator(seed: seed)
        let replica = try Replica(path: ":memory:")
        let base = Timestamps.parse("2026-03-01T00:00:00Z")!
        let day: Int64 = 86_400_000
        let tiers: [JSONValue?] = ["core", "important", "potential", "general", "platinum", nil]
        var customers: [RecordID] = []
        for index in 0..<60 {
            var fields = Fixture.customer("R-\(index)", name: "Random \(index)")
            fields["tier"] = tiers.randomElement(using: &random)!
            let stamp = HybridTimestamp(millis: base + Int64(index), logical: 0)
            let record = Record.create(id: .random(), type: .customer, branch: Bool.random(using: &random) ? "BJ" : "SH",
                                       fields: fields.compactMapValues { $0 }, node: .random(), at: stamp)
            try replica.storeReceived([record])
            customers.append(record.id)
            if index % 9 == 0 { try replica.delete(record.id) }
        }
        for _ in 0..<120 {
            var fields: [String: JSONValue] = ["customer": .string(customers.randomElement(using: &random)!.rawValue), "method": "phone"]
            let at = base - Int64.random(in: 0...200, using: &random) * day - Int64.random(in: 0..<day, using: &random)
            fields[Int.random(in: 0..<4, using: &random) == 0 ? "plannedAt" : "actualAt"] = .string(Timestamps.format(at))
            guard let visit = try? replica.create(.visit, fields: fields) else { continue }  // a deleted customer
            if Int.random(in: 0..<6, using: &random) == 0 { try replica.delete(visit.id) }
        }
        for _ in 0..<120 {
            var fields: [String: JSONValue] = [
                "customer": .string(customers.randomElement(using: &random)!.rawValue), "content": "Late", "channel": "web",
                "receivedAt": .string(Timestamps.format(base - Int64.random(in: 0...(40 * day), using: &random))),
                "category": .string(EntitySchema.complaintCategories.randomElement(using: &random)!),
                "status": .string(["open", "in-progress", "resolved", "closed"].randomElement(using: &random)!),
            ]
            if Bool.random(using: &random) { fields["complainants"] = .int(Int64.random(in: 1...8, using: &random)) }
            if Bool.random(using: &random) { fields["onSite"] = .bool(Bool.random(using: &random)) }
            if Bool.random(using: &random) {
                fields["requestedBy"] = .string(Timestamps.format(base + Int64.random(in: -(10 * day)...(10 * day), using: &random)))
            }
            guard let complaint = try? replica.create(.complaint, fields: fields) else { continue }
            if Int.random(in: 0..<6, using: &random) == 0 { try replica.delete(complaint.id) }
        }
        return replica
    }

    /// The due and overdue lists, read through the index in three ways, against the policy
    /// computations over every record.
    static func expectDueAnswers(_ replica: Replica, policy: PolicyDocument, _ comment: Comment) throws {
        let base = Timestamps.parse("2026-03-01T00:00:00Z")!
        let customers = try replica.records(.customer)
        let complaints = try replica.records(.complaint)
        let schedule = Replica.visitSchedule(of: customers, lastVisits: try replica.lastVisits(), policy: policy)
        for now in stride(from: base - 300 * 86_400_000, through: base + 200 * 86_400_000, by: 20 * 86_400_000) {
            let due = Replica.due(schedule, now: now)
            #expect(try replica.customersDueForVisit(now: now) == due, comment)
            #expect(try replica.fetch(Customer.query.filter(.dueBy(now)).sorted(by: .dueTime)).map(\.id) == due.map(\.customer.id), comment)
            #expect(try replica.count(Customer.query.filter(.dueBy(now))) == due.count, comment)
            let overdue = Replica.overdue(complaints, now: now, policy: policy)
            let indexed = try replica.overdueComplaints(now: now)
            #expect(indexed.map(\.complaint) == overdue.map(\.complaint), comment)
            #expect(indexed.map(\.deadline) == overdue.map(\.deadline), comment)
            #expect(try replica.fetch(Complaint.query.filter(.dueBy(now)).sorted(by: .dueTime)).map(\.id) == overdue.map(\.complaint.id), comment)
        }
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func dueAndOverdueListsAnswerAsThePolicyOverEveryRecord(seed: UInt64) throws {
        let replica = try Self.randomReplica(seed: seed)
        try Self.expectDueAnswers(replica, policy: .default, "seed \(seed)")
        // Edits move records in and out of the lists.
        var random = SeededGenerator(seed: seed &+ 100)
        for visit in try replica.records(.visit).shuffled(using: &random).prefix(10) {
            try replica.update(visit.id, fields: ["actualAt": .string(Timestamps.format(Timestamps.parse("2026-02-20T08:00:00Z")!))])
        }
        for complaint in try replica.records(.complaint).shuffled(using: &random).prefix(10) {
            try replica.update(complaint.id, fields: ["status": Bool.random(using: &random) ? "closed" : "open"])
        }
        for customer in try replica.records(.customer).shuffled(using: &random).prefix(5) {
            try replica.update(customer.id, fields: ["tier": "core"])
        }
        if let visit = try replica.records(.visit).first { try replica.delete(visit.id) }
        try Self.expectDueAnswers(replica, policy: .default, "seed \(seed) after edits")
    }

    @Test func aNewPolicyDocumentChangesTheDueLists() throws {
        let replica = try Self.randomReplica(seed: 7)
        let now = Timestamps.parse("2026-03-01T00:00:00Z")!
        let before = try replica.customersDueForVisit(now: now)
        let overdueBefore = try replica.overdueComplaints(now: now)
        var policy = PolicyDocument.default
        policy.version = 2
        policy.cadence.intervalDays = ["core": 3, "important": 5, "potential": 7, "general": 7, "platinum": 14]
        policy.complaints.deadlines = policy.complaints.deadlines.mapValues { steps in
            steps.map { DeadlineStep($0.step, days: $0.days + 15, working: $0.working) }
        }
        #expect(try replica.storePolicy(policy))
        let after = try replica.customersDueForVisit(now: now)
        #expect(after.count > before.count, "shorter intervals: more customers due")
        #expect(after.contains { $0.customer.value(of: "tier") == "platinum" }, "a tier the new policy knows")
        #expect(try replica.overdueComplaints(now: now).count < overdueBefore.count, "longer deadlines: fewer overdue")
        try Self.expectDueAnswers(replica, policy: policy, "new policy")
        // The defaults again.
        #expect(try replica.storePolicy(.default))
        #expect(try replica.customersDueForVisit(now: now) == before)
        try Self.expectDueAnswers(replica, policy: .default, "defaults again")
    }

    @Test func anOlderReplicaIsUpgradedWithItsColumnsFilled() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("query-upgrade-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("old.db").path
        var replica: Replica? = try Replica(path: path)
        var policy = PolicyDocument.default
        policy.cadence.intervalDays["core"] = 10
        try replica!.storePolicy(policy)
        let customer = try replica!.save(Customer(code: "C-1", name: "北京华联", kind: .enterprise, tier: .core))
        var visit = Visit(customer: customer.id, method: .onsite)
        visit.actualAt = Date(timeIntervalSince1970: 1_790_000_000)
        try replica!.save(visit)
        try replica!.save(Complaint(customer: customer.id, receivedAt: Date(timeIntervalSince1970: 1_790_000_000), channel: .phone,
                                    content: "Late", category: .responsibleMajor))
        let now = Int64(1_800_000_000_000)
        let due = try replica!.customersDueForVisit(now: now)
        let overdue = try replica!.overdueComplaints(now: now)
        #expect(due.count == 1 && overdue.count == 1)
        replica = nil
        // Back to the tables of the version before these columns.
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            for index in ["records_by_owner", "records_by_tier", "records_by_status", "records_by_name_key", "records_by_due"] {
                try db.execute(sql: "DROP INDEX \(index)")
            }
            for column in ["owner", "tier", "status", "name_key", "due_time"] { try db.execute(sql: "ALTER TABLE records DROP COLUMN \(column)") }
            try db.execute(sql: "DELETE FROM outpost_migrations WHERE identifier LIKE '% query columns and due times'")
        }
        let upgraded = try Replica(path: path)
        #expect(try upgraded.customersDueForVisit(now: now) == due)
        #expect(try upgraded.overdueComplaints(now: now).map(\.complaint) == overdue.map(\.complaint))
        #expect(try upgraded.fetch(Customer.query.namePrefix("北京").tier(.core)).map(\.id) == [customer.id])
    }
}
