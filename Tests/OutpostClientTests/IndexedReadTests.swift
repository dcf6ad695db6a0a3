import Foundation
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostStore
import OutpostTestSupport
import Testing

// The indexed and streaming reads (lists, visit schedule, overdue complaints, customer codes)
// give the same answers as the whole-table computations they replace, on replicas whose records
// were written locally, pulled (light summaries) and merged into conflicts, with deleted records
// and customers sharing a code.

@Suite("Indexed reads answer as the whole-table computations")
struct IndexedReadTests {
    /// The latest completed visit per customer, computed from every live visit (the old way).
    static func referenceLastVisits(_ replica: Replica) throws -> [RecordID: Int64] {
        var latest: [RecordID: Int64] = [:]
        for visit in try replica.records(.visit) {
            guard let customer = visit.value(of: "customer")?.stringValue,
                let actual = visit.value(of: "actualAt")?.stringValue, let millis = Timestamps.parse(actual)
            else { continue }
            let id = RecordID(unchecked: customer)
            latest[id] = max(latest[id] ?? .min, millis)
        }
        return latest
    }

    /// Checks every indexed read of `replica` against the whole-table computation.
    static func expectSameAnswers(_ replica: Replica, now: Int64, _ comment: Comment) throws {
        let reference = try referenceLastVisits(replica)
        #expect(try replica.lastVisits() == reference, comment)
        for type in EntityType.allCases {
            for includeDeleted in [false, true] {
                var streamed: [Record] = []
                try replica.forEachRecord(type, includeDeleted: includeDeleted) { record, _ in streamed.append(record) }
                #expect(streamed == (try replica.records(type, includeDeleted: includeDeleted)), "\(type) \(includeDeleted) \(comment)")
            }
        }
        // Children of each customer, with the customer's code.
        let customers = try replica.records(.customer, includeDeleted: true)
        let codes = Dictionary(uniqueKeysWithValues: customers.map {
            ($0.id, $0.value(of: "code")?.stringValue ?? String($0.id.rawValue.prefix(8)))
        })
        #expect(try replica.customerCodes(of: customers.map(\.id) + [RecordID.random()]) == codes, comment)
        for customer in customers {
            for type in [EntityType.contact, .visit, .complaint] {
                var streamed: [Record] = []
                try replica.forEachRecord(type, customer: customer.id, includeDeleted: true) { record, code in
                    streamed.append(record)
                    #expect(code == codes[customer.id], comment)
                }
                #expect(streamed == (try replica.records(type, customer: customer.id, includeDeleted: true)), comment)
                #expect(try replica.count(type, customer: customer.id) == (try replica.records(type, customer: customer.id)).count, comment)
            }
            #expect(try replica.lastVisits(customer: customer.id) == (reference[customer.id].map { [customer.id: $0] } ?? [:]), comment)
        }
        // The visit schedule, the due list and the overdue complaints.
        var schedule: [VisitDue] = []
        try replica.forEachCustomerSchedule(includeDeleted: true) { schedule.append($0) }
        #expect(schedule.map(\.customer) == customers, comment)
        for entry in schedule {
            let tier = entry.customer.value(of: "tier")?.stringValue ?? ""
            #expect(entry.lastVisitMillis == reference[entry.customer.id], comment)
            #expect(entry.dueMillis == reference[entry.customer.id].flatMap { Policies.nextVisitDue(tier: tier, lastVisit: $0) }, comment)
        }
        let due = Replica.due(Replica.visitSchedule(of: customers, lastVisits: reference), now: now)
        #expect(try replica.customersDueForVisit(now: now) == due, comment)
        let overdue = Replica.overdue(try replica.records(.complaint, includeDeleted: true), now: now)
        let streamedOverdue = try replica.overdueComplaints(now: now)
        #expect(streamedOverdue.map(\.complaint) == overdue.map(\.complaint), comment)
        #expect(streamedOverdue.map(\.deadline) == overdue.map(\.deadline), comment)
        for customer in customers {
            var perCustomer: [Record] = []
            try replica.forEachOverdueComplaint(now: now, customer: customer.id) { complaint, _, code in
                perCustomer.append(complaint)
                #expect(code == codes[customer.id], comment)
            }
            #expect(perCustomer == overdue.map(\.complaint).filter { $0.value(of: "customer")?.stringValue == customer.id.rawValue }, comment)
        }
    }

    @Test func localPulledConflictedDeletedAndSharedCodeRecordsAnswerAlike() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let li = try await makeClient(server, "li")
        let wang = try await makeClient(server, "wang")
        let tiers = EntitySchema.tiers
        var customers: [Record] = []
        for index in 0..<12 {
            let fields = Fixture.customer("C-\(index)", name: index % 3 == 0 ? "Same name" : "Customer \(index)", tier: tiers[index % tiers.count])
            customers.append(try li.replica.create(.customer, fields: fields))
        }
        // Customers of a tier this app does not know, or none (as a newer app could send them).
        let stamp = HybridTimestamp(millis: 1_700_000_000_000, logical: 0)
        var unknown = Fixture.customer("U-1", name: "Unknown tier", tier: "platinum")
        let unknownTier = Record.create(id: .random(), type: .customer, branch: "BJ", fields: unknown, node: .random(), at: stamp)
        unknown["tier"] = nil
        unknown["code"] = nil
        let noTier = Record.create(id: .random(), type: .customer, branch: "BJ", fields: unknown, node: .random(), at: stamp)
        try li.replica.storeReceived([unknownTier, noTier])
        customers += [unknownTier, noTier]
        let days: Int64 = 86_400_000
        let base = try #require(Timestamps.parse("2026-03-01T00:00:00Z"))
        let categories = ["responsible-major", "responsible-general", "not-responsible", "assist"]
        let statuses = ["open", "in-progress", "resolved", "closed"]
        for (index, customer) in customers.enumerated() {
            for visit in 0..<(index % 4) {
                var fields: [String: JSONValue] = ["customer": .string(customer.id.rawValue), "method": "onsite"]
                if visit == 2 {
                    fields["plannedAt"] = .string(Timestamps.format(base + 5 * days))  // planned only: not a completed visit
                } else {
                    fields["actualAt"] = .string(Timestamps.format(base - Int64(index * 17 + visit * 40) * days))
                }
                let record = try li.replica.create(.visit, fields: fields)
                if index == 5 && visit == 1 { try li.replica.delete(record.id) }
            }
            for complaint in 0..<(index % 3) {
                var fields: [String: JSONValue] = [
                    "customer": .string(customer.id.rawValue), "content": "Late", "channel": "phone",
                    "receivedAt": .string(Timestamps.format(base - Int64(index * 13 + complaint * 50) * 3_600_000)),
                    "category": .string(categories[(index + complaint) % categories.count]),
                ]
                fields["status"] = .string(statuses[(index + complaint) % statuses.count])
                let record = try li.replica.create(.complaint, fields: fields)
                if index == 4 && complaint == 1 { try li.replica.delete(record.id) }
            }
            if index % 4 == 1 { try li.replica.create(.contact, fields: Fixture.contact(of: customer.id, name: "Contact \(index)")) }
        }
        try li.replica.delete(customers[7].id)
        try await li.sync(server)
        try await wang.sync(server)
        // Concurrent edits: conflicts on tier (schedule) and on a complaint's status (deadline).
        try li.replica.update(customers[1].id, fields: ["tier": "core"])
        try wang.replica.update(customers[1].id, fields: ["tier": "general"])
        let complaint = try #require(try li.replica.records(.complaint).first)
        try li.replica.update(complaint.id, fields: ["status": "closed"])
        try wang.replica.update(complaint.id, fields: ["status": "in-progress"])
        // Two devices offline pick the same code.
        try li.replica.create(.customer, fields: Fixture.customer("SHARED", name: "Li's"))
        try wang.replica.create(.customer, fields: Fixture.customer("SHARED", name: "Wang's", tier: "potential"))
        for client in [li, wang, li] { try await client.sync(server) }
        #expect(try li.replica.conflictCount() >= 2)
        #expect(try li.replica.duplicateCustomerCodes().map(\.code) == ["SHARED"])

        // A fresh device receives everything through pulls.
        let fresh = try await makeClient(server, "zhao")
        try await fresh.sync(server)
        for now in [base - 400 * days, base, base + 200 * days] {
            try Self.expectSameAnswers(li.replica, now: now, "li")
            try Self.expectSameAnswers(wang.replica, now: now, "wang")
            try Self.expectSameAnswers(fresh.replica, now: now, "fresh")
        }

        // Local edits that move records in and out of the indexes: tier, visit time, deletes, restores.
        try li.replica.update(customers[2].id, fields: ["tier": "core", "name": "Renamed"])
        let visit = try #require(try li.replica.records(.visit).first { $0.value(of: "actualAt") != nil })
        try li.replica.update(visit.id, fields: ["actualAt": .string(Timestamps.format(base + 1 * days))])
        let planned = try #require(try li.replica.records(.visit).first { $0.value(of: "actualAt") == nil })
        try li.replica.update(planned.id, fields: ["actualAt": .string(Timestamps.format(base - 300 * days))])
        try li.replica.restore(customers[7].id)
        try li.replica.delete(customers[3].id)
        let open = try #require(try li.replica.overdueComplaints(now: base + 200 * days).first)
        try li.replica.update(open.complaint.id, fields: ["status": "resolved"])
        try li.replica.resolve(customers[1].id, field: "tier", choice: .sibling(1))
        for now in [base - 400 * days, base, base + 200 * days] {
            try Self.expectSameAnswers(li.replica, now: now, "li after edits")
        }
        try await li.sync(server)
        try await fresh.sync(server)
        try Self.expectSameAnswers(fresh.replica, now: base + 200 * days, "fresh after edits")
    }

    @Test func summariesOfPulledEnvelopesCarryThePolicyTime() throws {
        let node = NodeID.random()
        let stamp = HybridTimestamp(millis: 1_700_000_000_000, logical: 0)
        let customer = Record.create(id: .random(), type: .customer, branch: "BJ", fields: Fixture.customer("A", tier: "important"), node: node, at: stamp)
        let visit = Record.create(id: .random(), type: .visit, branch: "BJ", fields: [
            "customer": .string(customer.id.rawValue), "method": "onsite", "actualAt": "2026-01-01T00:00:00Z",
        ], node: node, at: stamp)
        let complaint = Record.create(id: .random(), type: .complaint, branch: "BJ", fields: [
            "customer": .string(customer.id.rawValue), "content": "Late", "receivedAt": "2026-01-01T00:00:00Z",
            "category": "assist", "status": "in-progress", "channel": "phone",
        ], node: node, at: stamp)
        let closed = Record.create(id: .random(), type: .complaint, branch: "BJ", fields: [
            "customer": .string(customer.id.rawValue), "content": "Late", "receivedAt": "2026-01-01T00:00:00Z",
            "category": "assist", "status": "closed", "channel": "phone",
        ], node: node, at: stamp)
        let records = [customer, visit, complaint, closed]
        let page = PullPage(records: records, cursor: "c", hasMore: false)
        let received = try ReceivedPullPage.decode(bytes: page.jsonValue.serializedBytes())
        #expect(received.summaries == records.map(RecordSummary.init))
        #expect(received.summaries.map(\.policyTime) == [
            nil, Timestamps.parse("2026-01-01T00:00:00Z"), nil, nil,
        ])
    }
}
