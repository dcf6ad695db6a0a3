import Testing
import OutpostJSON
@testable import OutpostModel

@Suite("Contact cadence, codes and tiers")
struct CadenceCodesTierTests {
    func customer(_ code: String, tier: String = "general", owner: String = "li", status: String? = nil, purchase: Double? = nil,
                  branch: String = "SH", _ extra: [String: JSONValue] = [:]) -> Record {
        var fields: [String: JSONValue] = ["code": .string(code), "name": .string("N \(code)"), "kind": "enterprise", "tier": .string(tier),
                                           "owner": .string(owner)]
        if let status { fields["status"] = .string(status) }
        if let purchase { fields["annualPurchase"] = .double(purchase) }
        fields.merge(extra) { $1 }
        return policyRecord(.customer, branch: branch, fields)
    }

    func visit(_ customer: Record, at: String, method: String = "phone") -> Record {
        policyRecord(.visit, branch: customer.branch, ["customer": .string(customer.id.rawValue), "method": .string(method), "actualAt": .string(at)])
    }

    @Test func keyCustomersMonthlyRegularQuarterlyAndMonthlyMinimums() throws {
        let policy = PolicyDocument.default
        let key = customer("K", tier: "core", owner: "li", status: "active")
        let regular = customer("R", tier: "general", owner: "wang")
        let lead = customer("P", tier: "potential", owner: "wang", status: "prospect")
        let lost = customer("L", tier: "core", owner: "li", status: "lost")
        let visits = [visit(key, at: "2026-11-03T02:00:00Z"), visit(regular, at: "2026-09-01T02:00:00Z"), visit(lead, at: "2026-10-20T02:00:00Z")]
        let now = ms("2026-11-20T04:00:00Z")
        let statuses = policy.contactStatuses(customers: [key, regular, lead, lost], visits: visits, now: now)
        #expect(statuses.map(\.customer.id) == [regular.id, key.id, lead.id], "lost customers are left out; earliest due first")
        let k = try #require(statuses.first { $0.customer.id == key.id })
        // Contacted 3 November (Shanghai): next due by the end of 3 December; 1 of 2 contacts this month.
        #expect(k.dueMillis == ms("2026-12-03T16:00:00Z"))
        #expect(!k.isOverdue && !k.isDueSoon && k.contactsThisMonth == 1 && k.requiredThisMonth == 2 && k.isShortThisMonth)
        let r = try #require(statuses.first { $0.customer.id == regular.id })
        #expect(r.dueMillis == ms("2026-11-30T16:00:00Z") && !r.isOverdue && !r.isDueSoon && r.requiredThisMonth == 0 && !r.needsContact)
        let p = try #require(statuses.first { $0.customer.id == lead.id })
        #expect(p.requiredThisMonth == 1 && p.contactsThisMonth == 0 && p.needsContact)
        let bySalesperson = policy.contactsDueBySalesperson(customers: [key, regular, lead], visits: visits, now: now)
        #expect(bySalesperson.map(\.owner) == ["li", "wang"])
        #expect(bySalesperson[1].due.map(\.customer.id) == [lead.id])
        // Never contacted: overdue at once.
        #expect(policy.contactStatuses(customers: [customer("N")], visits: [], now: now).first?.isOverdue == true)
        // A tier's interval comes from the document.
        var weekly = policy
        weekly.cadence.intervalDays["general"] = 7
        #expect(weekly.contactStatuses(customers: [regular], visits: visits, now: now).first?.isOverdue == true)
    }

    @Test func codeSchemesFormatAndRefuseBadPatterns() throws {
        let scheme = try CodeScheme("{branch}-{yyyy}-{seq:05}")
        #expect(scheme.code(branch: "SH", year: 2026, seq: 42) == "SH-2026-00042")
        #expect(scheme.isYearly && scheme.series(branch: "SH", year: 2026) == CodeSeries(branch: "SH", year: 2026))
        let plain = try CodeScheme("C{seq:4}")
        #expect(plain.code(branch: "SH", year: 2026, seq: 123_456) == "C123456")
        #expect(plain.series(branch: "SH", year: 2026) == CodeSeries(branch: "SH", year: 0))
        #expect(try CodeScheme("{yy}.{branch}{seq}").code(branch: "BJ", year: 2031, seq: 7) == "31.BJ7")
        #expect(scheme.matches("SH-2026-00042", branch: "SH") && scheme.matches("SH-2027-123456", branch: "SH"))
        #expect(!scheme.matches("SH-2026-00042", branch: "BJ") && !scheme.matches("SH-26-00042", branch: "SH")
                && !scheme.matches("SH-2026-0042", branch: "SH") && !scheme.matches("C-001", branch: "SH"))
        #expect(throws: PolicyError.invalidCodeScheme("{branch}/{seq}", reason: "codes may only hold letters, digits, '-', '_' and '.'")) {
            try CodeScheme("{branch}/{seq}")
        }
        #expect(throws: PolicyError.invalidCodeScheme("{seq}{seq}", reason: "it needs exactly one {seq} placeholder")) { try CodeScheme("{seq}{seq}") }
        #expect(throws: PolicyError.self) { try CodeScheme("{branch}-{month}-{seq}") }
        let request = CodeLeaseRequest(lease: "3f2504e0-4f89-41d3-9a0c-0305e82c3301", branch: "SH", year: 2026)
        #expect(try CodeLeaseRequest(json: request.jsonValue) == request)
        #expect(throws: WireDecodingError.self) { try CodeLeaseRequest(json: ["lease": "x", "branch": "SH", "year": 2026]) }
        let block = CodeBlock(lease: request.lease, series: CodeSeries(branch: "SH", year: 2026), first: 51, last: 100, scheme: scheme.pattern)
        #expect(try CodeBlock(json: block.jsonValue) == block)
    }

    @Test func abcRankingWithinEachBranchAndTierProposals() throws {
        // SH buys 100,000 in all: 50,000 + 30,000 reach 80% (A: the share before each is 0% and 50%),
        // 10,000 and 5,000 are B (80%, 90% before them), the last 5,000 is C (95% before it).
        let a1 = customer("S1", tier: "general", purchase: 50_000), a2 = customer("S2", tier: "core", purchase: 30_000)
        let b1 = customer("S3", tier: "core", purchase: 10_000, ["creditRating": "D"]), b2 = customer("S4", purchase: 5_000)
        let c1 = customer("S5", tier: "core", purchase: 5_000)
        let other = customer("B1", tier: "general", purchase: 1_000, branch: "BJ")
        let lead = customer("S6", tier: "potential", status: "prospect", purchase: 90_000)
        let policy = PolicyDocument.default
        let classes = policy.abcClasses([a1, a2, b1, b2, c1, other, lead])
        #expect(classes[a1.id] == .a && classes[a2.id] == .a && classes[b1.id] == .b && classes[b2.id] == .b && classes[c1.id] == .c)
        #expect(classes[other.id] == .a, "ranked within its own branch")
        #expect(classes[lead.id] == nil, "prospects are not ranked")
        let proposals = policy.tierProposals([a1, a2, b1, b2, c1, lead], now: ms("2026-12-01T00:00:00Z"))
        #expect(proposals.map(\.proposedTier) == ["core", "core", "potential", "important", "general"])
        #expect(proposals.map(\.changesTier) == [true, false, true, true, true])
        #expect(proposals[2].reasons.contains("credit rating D: one tier lower"))
        #expect(policy.isHighValue(lead) && !policy.isHighValue(a1), "more than 50,000 only")
        let loyal = customer("S7", purchase: 1, ["cooperationSince": "2019-01-01T00:00:00Z", "margin": 0.3])
        #expect(policy.tierProposals([a1, loyal], now: ms("2026-12-01T00:00:00Z")).last?.proposedTier == "potential", "class C (general), one tier higher")
    }

    @Test func satisfactionAveragesAndImprovementPlansBecomeFollowUpTasks() throws {
        let policy = PolicyDocument.default
        let happy = customer("H", tier: "general"), unhappy = customer("U", tier: "general", owner: "wang")
        let other = customer("O", tier: "general", branch: "BJ")
        func rated(_ c: Record, _ at: String, _ rating: Int64) -> Record {
            policyRecord(.visit, branch: c.branch, ["customer": .string(c.id.rawValue), "method": "onsite", "actualAt": .string(at),
                                                    "satisfaction": .int(rating)])
        }
        var visits = [rated(happy, "2026-11-03T02:00:00Z", 5), rated(happy, "2026-11-10T02:00:00Z", 4),
                      rated(unhappy, "2026-11-04T02:00:00Z", 4), rated(unhappy, "2026-11-12T02:00:00Z", 2),
                      rated(other, "2026-11-05T02:00:00Z", 3), rated(other, "2026-10-31T15:00:00Z", 1)]   // 23:00 on 31 October in Shanghai
        let summary = policy.satisfaction(visits: visits, month: try ReportMonth("2026-11"))
        #expect(summary.answers == 5 && summary.average == 18.0 / 5)
        #expect(summary.byBranch == ["SH": 15.0 / 4, "BJ": 3])
        #expect(summary.byCustomer == [happy.id: 4.5, unhappy.id: 3, other.id: 3])
        #expect(policy.rating(ofSatisfaction: 4.5) == .good && policy.rating(ofSatisfaction: 3.5) == .fair
                && policy.rating(ofSatisfaction: 3.49) == .needsImprovementPlan)

        let now = ms("2026-11-20T00:00:00Z")
        var statuses = policy.contactStatuses(customers: [happy, unhappy], visits: visits, now: now)
        let task = try #require(statuses.first { $0.customer.id == unhappy.id })
        #expect(task.latestSatisfaction == 3 && task.needsImprovementPlan && task.needsContact && !task.isOverdue)
        #expect(statuses.first { $0.customer.id == happy.id }?.needsImprovementPlan == false)
        // A follow-up contact after the low answer closes the task.
        visits.append(policyRecord(.visit, ["customer": .string(unhappy.id.rawValue), "method": "phone", "actualAt": "2026-11-15T02:00:00Z"]))
        statuses = policy.contactStatuses(customers: [unhappy], visits: visits, now: now)
        #expect(statuses.first?.needsImprovementPlan == false)
    }

    @Test func visitPlansAreComparedWithWhatHappened() {
        let now = ms("2026-11-20T00:00:00Z")
        let done = policyRecord(.visit, ["customer": "00000000-0000-4000-8000-000000000009", "method": "onsite",
                                         "plannedAt": "2026-11-10T01:00:00Z", "actualAt": "2026-11-10T01:45:00Z",
                                         "needs": "faster delivery", "nextStep": "quote", "checkIn": "31.2304,121.4737"])
        let comparison = VisitComparison(done, now: now)
        #expect(comparison.delayMinutes == 45 && !comparison.isMissed)
        #expect(comparison.missingReport == ["valueDelivered", "problemsSolved"])
        #expect(comparison.checkIn == "31.2304,121.4737")
        let missed = VisitComparison(policyRecord(.visit, ["customer": "00000000-0000-4000-8000-000000000009", "method": "onsite",
                                                           "plannedAt": "2026-11-18T01:00:00Z", "materials": "samples"]), now: now)
        #expect(missed.isMissed && missed.delayMinutes == nil && missed.missingReport.isEmpty)
    }
}
