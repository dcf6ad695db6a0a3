import Testing
import OutpostJSON
@testable import OutpostModel

/// A generated November 2026 in branch SH (Asia/Shanghai), with figures computed by hand.
struct GeneratedMonth {
    var customers: [Record] = []
    var visits: [Record] = []
    var complaints: [Record] = []

    init() {
        // 20 customers C00…C19: owners alternate li (even) / wang (odd); C00–C03 core (key), the rest general;
        // C05, C06 lost in November; C18 began cooperating in November; C19 is a prospect; C20 is deleted.
        for i in 0...20 {
            var fields: [String: JSONValue] = [
                "code": .string(i < 10 ? "C0\(i)" : "C\(i)"), "name": .string("Customer \(i)"), "kind": "enterprise",
                "tier": i < 4 ? "core" : "general", "owner": i % 2 == 0 ? "li" : "wang", "cooperationSince": "2024-01-01T00:00:00Z",
            ]
            if i == 5 || i == 6 { fields["status"] = "lost"; fields["lostAt"] = "2026-11-15T02:00:00Z" }
            if i == 18 { fields["cooperationSince"] = "2026-11-10T02:00:00Z" }
            if i == 19 { fields["status"] = "prospect"; fields["cooperationSince"] = nil }
            customers.append(policyRecord(.customer, fields, deleted: i == 20))
        }
        func id(_ i: Int) -> JSONValue { .string(customers[i].id.rawValue) }
        // Key customers: a planned on-site visit on 5 November, carried out, rated 5, 5, 3, 2;
        // C00 and C01 also get a phone call on 18 November; C00 has a second visit planned for 25 November, not yet made.
        let ratings: [Int64] = [5, 5, 3, 2]
        for i in 0..<4 {
            visits.append(policyRecord(.visit, ["customer": id(i), "method": "onsite", "plannedAt": "2026-11-05T02:00:00Z",
                                                "actualAt": "2026-11-05T03:00:00Z", "satisfaction": .int(ratings[i])]))
            if i < 2 { visits.append(policyRecord(.visit, ["customer": id(i), "method": "phone", "actualAt": "2026-11-18T02:00:00Z"])) }
        }
        visits.append(policyRecord(.visit, ["customer": id(0), "method": "onsite", "plannedAt": "2026-11-25T02:00:00Z"]))
        visits.append(policyRecord(.visit, ["customer": id(4), "method": "onsite", "actualAt": "2026-10-30T02:00:00Z"]))   // October
        func complaint(_ i: Int, _ category: String, _ received: String, _ status: String, _ extra: [String: JSONValue] = [:],
                       deleted: Bool = false) -> Record {
            var fields: [String: JSONValue] = ["customer": id(i), "receivedAt": .string(received), "channel": "phone", "content": "x",
                                               "category": .string(category), "status": .string(status)]
            fields.merge(extra) { $1 }
            return policyRecord(.complaint, fields, deleted: deleted)
        }
        complaints = [
            // General, Monday 2 Nov; due end of Wed 4 Nov; resolved Tue → on time; revisited.
            complaint(0, "responsible-general", "2026-11-02T10:00:00+08:00", "resolved",
                      ["resolvedAt": "2026-11-03T02:00:00Z", "revisitedAt": "2026-11-04T02:00:00Z"]),
            // Major, Friday 6 Nov 17:00; HQ by end of Mon 9 Nov; resolved Tue 10 → late; not revisited.
            complaint(1, "responsible-major", "2026-11-06T17:00:00+08:00", "resolved", ["resolvedAt": "2026-11-10T02:00:00Z"]),
            // Not responsible, identified the same day; closed; revisited.
            complaint(2, "not-responsible", "2026-11-11T09:00:00+08:00", "closed",
                      ["resolvedAt": "2026-11-11T03:00:00Z", "revisitedAt": "2026-11-12T03:00:00Z"]),
            // Assist inside the site, still open: due end of Fri 20 Nov → overdue on 1 December.
            complaint(2, "assist", "2026-11-20T09:00:00+08:00", "open"),
            // Six complainants: collective, escalated to major; resolved without a recorded time.
            complaint(3, "responsible-general", "2026-11-25T09:00:00+08:00", "resolved", ["complainants": 6]),
            // Received in October, and a deleted one: not counted.
            complaint(4, "responsible-general", "2026-10-30T09:00:00+08:00", "resolved"),
            complaint(5, "assist", "2026-11-12T09:00:00+08:00", "open", deleted: true),
        ]
    }

    static let now = Timestamps.parse("2026-12-01T00:00:00Z")!

    func report(_ policy: PolicyDocument = .default) -> MonthlyReport {
        MonthlyReport(month: try! ReportMonth("2026-11"), policy: policy, customers: customers, visits: visits, complaints: complaints, now: Self.now)
    }
}

@Suite("Monthly report")
struct MonthlyReportTests {
    @Test func generatedMonthMatchesHandComputedFigures() throws {
        let report = GeneratedMonth().report()
        let c = report.complaints
        #expect(c.received == 5)
        #expect(c.byCategory == ["responsible-major": 1, "responsible-general": 2, "not-responsible": 1, "assist": 1])
        #expect(c.escalated == 1 && c.handled == 4 && c.handledWithTime == 3 && c.onTime == 2 && c.revisited == 2)
        #expect(c.handlingRate == 0.8 && c.onTimeRate == 2.0 / 3 && c.revisitRate == 0.5)

        #expect(report.activity.map(\.salesperson) == ["li", "wang"])
        let li = report.activity[0], wang = report.activity[1]
        #expect((li.planned, li.plannedDone, li.visits, li.contacts, li.required, li.requiredMet) == (3, 2, 2, 1, 4, 3))
        #expect((wang.planned, wang.plannedDone, wang.visits, wang.contacts, wang.required, wang.requiredMet) == (2, 2, 2, 1, 5, 3))

        let k = report.customers
        #expect(k.atStart == 18 && k.lost == 2 && k.complaining == 4)
        #expect(k.retention == 16.0 / 18 && k.complaintRate == 4.0 / 18)
        #expect(k.satisfactionAnswers == 4 && k.satisfactionAverage == 3.75 && k.satisfactionByBranch == ["SH": 3.75])
        #expect(k.needsImprovementPlan == ["C02 Customer 2", "C03 Customer 3"])

        #expect(report.overdueComplaints == [["C02", "assist", "2026-11-21 00:00"]])
        // Never-contacted general customers (not lost): li's C08–C18 (C04 was visited in October, due in January),
        // wang's C07–C19 (the prospect included).
        #expect(report.overdueContacts == ["li": 6, "wang": 7])
    }

    @Test func rendersTableJSONCSVWithBOMAndMarkdown() throws {
        let report = GeneratedMonth().report()
        let csv = report.render(.csv)
        #expect(csv.unicodeScalars.first == "\u{FEFF}")
        #expect(csv.contains("\r\nhandling rate,80.0%\r\n"))
        #expect(csv.contains("\r\nretention,88.9%,80.0%–90.0%\r\n"))
        let markdown = report.render(.markdown)
        #expect(markdown.hasPrefix("# Monthly report 2026-11\n"))
        #expect(markdown.contains("| on-time rate | 66.7% |"))
        #expect(markdown.contains("| li | 3 | 2 | 66.7% | 2 | 1 | 4 | 3 |"))
        let table = report.render(.table)
        #expect(table.contains("\n  complaint rate         22.2%  < 5.0%\n"))
        #expect(table.contains("\n  wang         2        2     100.0%     2       1         5         3\n"))
        let json = try JSONValue.parse(report.render(.json))
        #expect(json.objectValue?["customers"]?.objectValue?["atStart"] == .int(18))
        #expect(json.objectValue?["complaints"]?.objectValue?["revisitRate"] == .double(0.5))
        #expect(json == report.jsonValue)
    }

    @Test func figuresFollowThePolicyDocument() {
        var policy = PolicyDocument.default
        policy.complaints.deadlines["responsible-major"] = [DeadlineStep("resolve", days: 2, working: true)]
        policy.satisfaction.improvementBelow = 2.5
        let report = GeneratedMonth().report(policy)
        #expect(report.complaints.onTime == 3, "the major complaint resolved Tuesday is on time with 2 working days")
        #expect(report.customers.needsImprovementPlan == ["C03 Customer 3"])
    }

    @Test func monthsParseStrictly() throws {
        #expect(try ReportMonth("2026-11").nextFirstDay == LocalDate("2026-12-01")!)
        #expect(try ReportMonth("2026-12").nextFirstDay == LocalDate("2027-01-01")!)
        #expect(throws: PolicyError.invalidMonth("2026-13")) { try ReportMonth("2026-13") }
        #expect(throws: PolicyError.invalidMonth("Nov")) { try ReportMonth("Nov") }
        #expect(MonthlyReport.percent(nil) == "—" && MonthlyReport.percent(1) == "100.0%" && MonthlyReport.percent(2.0 / 3) == "66.7%")
    }
}
