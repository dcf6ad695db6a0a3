import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostTestSupport

@Suite("CRM policies on the replica")
struct PolicyTests {
    @Test func sameCodeChosenOfflineOnTwoDevicesIsReportedAfterSync() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        var replicas: [Replica] = []
        var engines: [SyncEngine] = []
        for name in ["li", "wang"] {
            let token = try server.addUser(name, role: .manager, branch: "BJ")
            let replica = try Replica(path: server.path("\(name).db"))
            replicas.append(replica)
            engines.append(SyncEngine(replica: replica, api: SyncAPI(transport: server.transport, token: token)))
        }
        let first = try replicas[0].create(.customer, fields: ["code": "C-9", "name": "One", "kind": "tenant", "tier": "core"], branch: "BJ")
        let second = try replicas[1].create(.customer, fields: ["code": "C-9", "name": "Two", "kind": "tenant", "tier": "core"], branch: "BJ")
        #expect(try replicas[0].duplicateCustomerCodes().isEmpty)
        for engine in engines + engines { _ = try await engine.sync() }
        let duplicates = try replicas[1].duplicateCustomerCodes()
        #expect(duplicates.count == 1)
        #expect(duplicates.first?.code == "C-9")
        #expect(Set(duplicates.first?.customers ?? []) == [first.id, second.id])
    }

    @Test func revisitIsDueByTierCadenceAfterTheLatestVisit() throws {
        let replica = try Replica(path: ":memory:")
        let core = try replica.create(.customer, fields: ["code": "A", "name": "Core", "kind": "tenant", "tier": "core"])
        let general = try replica.create(.customer, fields: ["code": "B", "name": "General", "kind": "tenant", "tier": "general"])
        try replica.create(.visit, fields: ["customer": .string(core.id.rawValue), "method": "onsite", "actualAt": "2026-01-01T00:00:00Z"])
        try replica.create(.visit, fields: ["customer": .string(core.id.rawValue), "method": "phone", "actualAt": "2026-03-01T00:00:00Z"])
        let schedule = try replica.visitSchedule()
        let coreDue = try #require(schedule.first { $0.customer.id == core.id })
        // 1 March 08:00 in Shanghai + 30 days: due by the end of 31 March, Shanghai time.
        #expect(coreDue.dueMillis == Timestamps.parse("2026-03-31T16:00:00Z"))
        let generalDue = try #require(schedule.first { $0.customer.id == general.id })
        #expect(generalDue.dueMillis == nil, "never visited: due now")
        #expect(schedule.first?.customer.id == general.id, "most overdue first")
    }

    @Test func customersDueForVisitAreNeverVisitedOrLateOnly() throws {
        let replica = try Replica(path: ":memory:")
        let late = try replica.create(.customer, fields: ["code": "A", "name": "Late", "kind": "tenant", "tier": "core"])
        let fresh = try replica.create(.customer, fields: ["code": "B", "name": "Fresh", "kind": "tenant", "tier": "core"])
        let never = try replica.create(.customer, fields: ["code": "C", "name": "Never", "kind": "tenant", "tier": "general"])
        try replica.create(.visit, fields: ["customer": .string(late.id.rawValue), "method": "onsite", "actualAt": "2026-01-01T00:00:00Z"])
        try replica.create(.visit, fields: ["customer": .string(fresh.id.rawValue), "method": "onsite", "actualAt": "2026-02-20T00:00:00Z"])
        let now = try #require(Timestamps.parse("2026-03-01T00:00:00Z"))
        #expect(try replica.customersDueForVisit(now: now).map(\.customer.id) == [never.id, late.id])
        try replica.delete(never.id)
        #expect(try replica.customersDueForVisit(now: now).map(\.customer.id) == [late.id], "deleted customers are not due")
    }

    @Test func overdueComplaintsAreOpenAndPastTheirCategoryDeadline() throws {
        let replica = try Replica(path: ":memory:")
        let customer = try replica.create(.customer, fields: ["code": "A", "name": "Acme", "kind": "tenant", "tier": "core"])
        func complaint(_ content: String, _ category: String, _ received: String, status: String = "open") throws -> Record {
            try replica.create(.complaint, fields: [
                "customer": .string(customer.id.rawValue), "receivedAt": .string(received), "channel": "phone",
                "complainant": "Zhang", "content": .string(content), "category": .string(category), "status": .string(status),
            ])
        }
        // Times in Shanghai (UTC+8), Saturday and Sunday off.
        let general = try complaint("late", "responsible-general", "2026-03-01T00:00:00Z")    // Sunday: Mon + Tue, due end of Tue 3 March
        let major = try complaint("broken", "responsible-major", "2026-03-03T12:00:00Z")       // Tue 20:00: HQ by end of Wed 4 March
        _ = try complaint("invoice", "responsible-major", "2026-03-01T00:00:00Z", status: "resolved")
        let assist = try complaint("question", "assist", "2026-03-04T10:00:00Z")               // Wed 18:00, outside the site: due end of Mon 9 March
        _ = try replica.update(assist.id, fields: ["onSite": false])
        let progressing = try complaint("dent", "not-responsible", "2026-02-20T00:00:00Z", status: "in-progress")  // identified by end of Fri 20 Feb
        let now = try #require(Timestamps.parse("2026-03-05T00:00:00Z"))
        let overdue = try replica.overdueComplaints(now: now)
        #expect(overdue.map(\.complaint.id) == [progressing.id, general.id, major.id])
        #expect(overdue.map(\.deadline.dueMillis) == ["2026-02-20T16:00:00Z", "2026-03-03T16:00:00Z", "2026-03-04T16:00:00Z"].map { Timestamps.parse($0) })
        #expect(overdue.allSatisfy { $0.deadline.isOverdue })
    }
}
