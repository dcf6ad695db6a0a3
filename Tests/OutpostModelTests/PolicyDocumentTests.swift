import Testing
import OutpostJSON
@testable import OutpostModel

/// A record of `type` in `branch` with a fresh id.
func policyRecord(_ type: EntityType, branch: String = "SH", _ fields: [String: JSONValue], deleted: Bool = false) -> Record {
    var record = Record.create(id: .random(), type: type, branch: branch, fields: fields, node: .a, at: ts(1))
    if deleted { try! record.delete(node: .a, at: ts(2)) }
    return record
}

func ms(_ text: String) -> Int64 { Timestamps.parse(text)! }

/// Qingming 2026: Saturday 4 April to Monday 6 April off.
let qingming = PolicyDocument(calendars: CalendarPolicy(default: WorkingCalendar(
    holidays: [LocalDate("2026-04-04")!, LocalDate("2026-04-05")!, LocalDate("2026-04-06")!])))

@Suite("Policy document")
struct PolicyDocumentTests {
    @Test func defaultsAreTheCompanyNumbers() {
        let policy = PolicyDocument.default
        #expect(policy.version == 0)
        #expect(policy.codes.scheme == "{branch}-{yyyy}-{seq:05}")
        #expect(policy.cadence.intervalDays == ["core": 30, "important": 60, "potential": 90, "general": 90])
        #expect(policy.cadence.keyContactsPerMonth == 2 && policy.cadence.prospectFollowUpsPerMonth == 1)
        #expect(policy.complaints.collectiveComplainants == 5 && policy.complaints.revisitWorkingDays == 2)
        #expect(policy.calendars.default.timeZone == "Asia/Shanghai" && policy.calendars.default.weekend == [6, 7])
        #expect(policy.tiers.highValueAnnualPurchase == 50_000 && policy.tiers.classAShare == 0.75 && policy.tiers.classABShare == 0.95)
        #expect(policy.satisfaction.good == 4.0 && policy.satisfaction.improvementBelow == 3.5)
        #expect(policy.reports.retentionTargetMin == 0.8 && policy.reports.complaintRateTarget == 0.05)
    }

    @Test func jsonRoundTripsAndPartialDocumentsKeepDefaults() throws {
        var policy = qingming
        policy.version = 7
        policy.calendars.branches["DE"] = WorkingCalendar(timeZone: "Europe/Berlin", workdays: [LocalDate("2026-09-27")!])
        let text = policy.jsonValue.serialized()
        #expect(try PolicyDocument(json: JSONValue.parse(text), strict: true) == policy)

        let partial = try PolicyDocument(json: JSONValue.parse(#"{"cadence":{"intervalDays":{"core":14}},"calendars":{"branches":{"GZ":{"holidays":["2026-11-11"]}}}}"#))
        #expect(partial.cadence.intervalDays["core"] == 14)
        #expect(partial.cadence.intervalDays["general"] == 90)
        #expect(partial.calendar(branch: "GZ").timeZone == "Asia/Shanghai")
        #expect(partial.calendar(branch: "GZ").isWorkingDay(LocalDate("2026-11-11")!) == false)
        #expect(partial.calendar(branch: "SH").isWorkingDay(LocalDate("2026-11-11")!))
    }

    @Test func strictReadingRefusesUnknownMembersAndBadValues() throws {
        let typo = try JSONValue.parse(#"{"cadence":{"intervalDay":{"core":14}}}"#)
        #expect(throws: PolicyError.unknownMember(path: "$.cadence.intervalDay")) { try PolicyDocument(json: typo, strict: true) }
        #expect(try PolicyDocument(json: typo).cadence == CadencePolicy(), "devices ignore members a newer server added")
        #expect(throws: PolicyError.unknownTimeZone("Mars/Olympus")) {
            try PolicyDocument(json: JSONValue.parse(#"{"calendars":{"default":{"timeZone":"Mars/Olympus"}}}"#))
        }
        #expect(throws: PolicyError.invalid(path: "$.cadence.intervalDays.core", reason: "use 1 to 3660 days")) {
            try PolicyDocument(json: JSONValue.parse(#"{"cadence":{"intervalDays":{"core":0}}}"#))
        }
        #expect(throws: PolicyError.invalid(path: "$.calendars.default.holidays", reason: "'2026-02-30' is not a date YYYY-MM-DD")) {
            try PolicyDocument(json: JSONValue.parse(#"{"calendars":{"default":{"holidays":["2026-02-30"]}}}"#))
        }
        #expect(throws: PolicyError.self) { try PolicyDocument(json: JSONValue.parse(#"{"codes":{"scheme":"{branch}-{yyyy}"}}"#)) }
        let error = PolicyError.unknownMember(path: "$.cadence.intervalDay")
        #expect(error.description == "The policy document has an unknown member $.cadence.intervalDay; check its spelling.")
    }
}

@Suite("Working-day calendar")
struct WorkingCalendarTests {
    @Test func weekendsHolidaysAndMakeUpDays() {
        var calendar = WorkingCalendar.default
        calendar.holidays = [LocalDate("2026-10-01")!]
        calendar.workdays = [LocalDate("2026-09-27")!]   // a Sunday worked to make up for the holiday
        #expect(LocalDate("2026-10-01")!.weekday == 4)
        #expect(!calendar.isWorkingDay(LocalDate("2026-10-01")!))
        #expect(calendar.isWorkingDay(LocalDate("2026-09-27")!))
        #expect(!calendar.isWorkingDay(LocalDate("2026-09-26")!))
        // Friday 25 September + 1 working day is the make-up Sunday.
        #expect(calendar.workingDay(1, after: LocalDate("2026-09-25")!) == LocalDate("2026-09-27")!)
        // Received on a Saturday, 2 working days: Monday, Tuesday.
        #expect(WorkingCalendar.default.workingDay(2, after: LocalDate("2026-11-07")!) == LocalDate("2026-11-10")!)
        #expect(WorkingCalendar.default.workingDay(0, after: LocalDate("2026-11-07")!) == LocalDate("2026-11-09")!)
    }

    @Test func localDaysFollowTheTimeZone() {
        let shanghai = WorkingCalendar.default
        // 23:30 UTC on the 2nd is already the 3rd in Shanghai.
        #expect(shanghai.date(of: ms("2026-11-02T23:30:00Z")) == LocalDate("2026-11-03")!)
        #expect(shanghai.endOfDay(LocalDate("2026-11-03")!) == ms("2026-11-03T16:00:00Z"))
        let berlin = WorkingCalendar(timeZone: "Europe/Berlin")
        // Summer time begins on 29 March 2026: the day before ends at 23:00 UTC, the day after at 22:00 UTC.
        #expect(berlin.endOfDay(LocalDate("2026-03-28")!) == ms("2026-03-28T23:00:00Z"))
        #expect(berlin.endOfDay(LocalDate("2026-03-30")!) == ms("2026-03-30T22:00:00Z"))
        #expect(berlin.localText(ms("2026-03-30T08:15:00Z")) == "2026-03-30 10:15")
    }
}

@Suite("Complaint deadlines")
struct ComplaintDeadlineTests {
    func complaint(_ category: String, received: String, branch: String = "SH", _ extra: [String: JSONValue] = [:]) -> Record {
        var fields: [String: JSONValue] = ["customer": "00000000-0000-4000-8000-000000000009", "receivedAt": .string(received),
                                           "channel": "phone", "content": "x", "category": .string(category), "status": "open"]
        fields.merge(extra) { $1 }
        return policyRecord(.complaint, branch: branch, fields)
    }

    @Test func majorComplaintOnFridayAt17BeforeAPublicHoliday() throws {
        // Friday 3 April 2026, 17:00 in Shanghai; Qingming holiday Saturday 4 to Monday 6 April.
        let record = complaint("responsible-major", received: "2026-04-03T17:00:00+08:00")
        let schedule = try #require(qingming.schedule(ofComplaint: record, now: ms("2026-04-03T09:00:00Z")))
        // To the general manager the same day (by midnight Friday), to HQ the next working day: Tuesday 7 April.
        #expect(schedule.steps == [.init(step: "notify-manager", dueMillis: ms("2026-04-03T16:00:00Z")),
                                   .init(step: "report-hq", dueMillis: ms("2026-04-07T16:00:00Z"))])
        #expect(schedule.dueMillis == ms("2026-04-07T16:00:00Z"))
        #expect(!schedule.isOverdue)
        #expect(qingming.schedule(ofComplaint: record, now: ms("2026-04-07T16:00:00Z"))!.isOverdue)
        // Without the holiday, HQ hears on Monday.
        #expect(PolicyDocument.default.schedule(ofComplaint: record, now: 0)!.dueMillis == ms("2026-04-06T16:00:00Z"))
    }

    @Test func generalComplaintWithinTwoWorkingDaysOrByTheCustomersDate() throws {
        // Monday 2 November 2026, 10:00: due by the end of Wednesday 4 November.
        let plain = complaint("responsible-general", received: "2026-11-02T10:00:00+08:00")
        #expect(PolicyDocument.default.schedule(ofComplaint: plain, now: 0)!.dueMillis == ms("2026-11-04T16:00:00Z"))
        // The customer asked for 5 days: due on their date, Saturday 7 November 10:00.
        let asked = complaint("responsible-general", received: "2026-11-02T10:00:00+08:00", ["requestedBy": "2026-11-07T02:00:00Z"])
        let schedule = try #require(PolicyDocument.default.schedule(ofComplaint: asked, now: ms("2026-11-05T00:00:00Z")))
        #expect(schedule.dueMillis == ms("2026-11-07T02:00:00Z"))
        #expect(!schedule.isOverdue, "past the 2 working days but within the customer's date")
        // Received on Saturday: Monday and Tuesday count.
        let weekend = complaint("responsible-general", received: "2026-11-07T09:00:00+08:00")
        #expect(PolicyDocument.default.schedule(ofComplaint: weekend, now: 0)!.dueMillis == ms("2026-11-10T16:00:00Z"))
    }

    @Test func notResponsibleAndAssistDeadlines() {
        let received = "2026-11-06T15:00:00+08:00"   // a Friday
        let policy = PolicyDocument.default
        #expect(policy.schedule(ofComplaint: complaint("not-responsible", received: received), now: 0)!.steps.map(\.step) == ["identify"])
        #expect(policy.schedule(ofComplaint: complaint("not-responsible", received: received), now: 0)!.dueMillis == ms("2026-11-06T16:00:00Z"))
        #expect(policy.schedule(ofComplaint: complaint("assist", received: received), now: 0)!.dueMillis == ms("2026-11-06T16:00:00Z"))
        // Outside the site: 3 working days, Monday to Wednesday.
        let outside = policy.schedule(ofComplaint: complaint("assist", received: received, ["onSite": false]), now: 0)!
        #expect(outside.deadlineKey == "assist-outside")
        #expect(outside.dueMillis == ms("2026-11-11T16:00:00Z"))
    }

    @Test func collectiveComplaintsAreMajorAndOldResponsibleOnesEscalate() throws {
        let policy = PolicyDocument.default
        let collective = policy.schedule(ofComplaint: complaint("responsible-general", received: "2026-11-02T10:00:00+08:00", ["complainants": 5]), now: 0)!
        #expect(collective.isCollective && collective.isEscalated && collective.effectiveCategory == "responsible-major")
        #expect(collective.steps.map(\.step) == ["notify-manager", "report-hq"])
        let four = policy.schedule(ofComplaint: complaint("responsible-general", received: "2026-11-02T10:00:00+08:00", ["complainants": 4]), now: 0)!
        #expect(!four.isCollective && !four.isEscalated)

        // Received 31 January: one month later is 28 February (same time of day).
        let old = complaint("responsible-general", received: "2026-01-31T10:00:00+08:00")
        let early = try #require(policy.schedule(ofComplaint: old, now: ms("2026-02-28T01:59:00Z")))
        #expect(early.escalatesAtMillis == ms("2026-02-28T02:00:00Z") && !early.isEscalated)
        let late = try #require(policy.schedule(ofComplaint: old, now: ms("2026-02-28T02:00:00Z")))
        #expect(late.isEscalated && late.effectiveCategory == "responsible-major")
        #expect(policy.schedule(ofComplaint: complaint("not-responsible", received: "2026-01-31T10:00:00+08:00"), now: ms("2026-06-01T00:00:00Z"))!.isEscalated == false)
    }

    @Test func followUpRevisitWithinTwoWorkingDaysAfterHandling() throws {
        let resolved = complaint("responsible-general", received: "2026-11-02T10:00:00+08:00",
                                 ["status": "resolved", "resolvedAt": "2026-11-06T09:00:00Z"])   // Friday
        let schedule = try #require(PolicyDocument.default.schedule(ofComplaint: resolved, now: ms("2026-11-10T17:00:00Z")))
        #expect(schedule.resolvedOnTime == false, "resolved Friday, due Wednesday")
        #expect(schedule.revisitDueMillis == ms("2026-11-10T16:00:00Z"), "Monday and Tuesday")
        #expect(schedule.isRevisitOverdue && !schedule.isOverdue)
    }

    @Test func branchCalendarsCountInTheirOwnTimeZone() throws {
        var policy = PolicyDocument.default
        policy.calendars.branches["DE"] = WorkingCalendar(timeZone: "Europe/Berlin")
        // Friday 27 March 2026 10:00 in Berlin; 2 working days: Monday 30, Tuesday 31 March (summer time, UTC+2).
        let record = complaint("responsible-general", received: "2026-03-27T09:00:00Z", branch: "DE")
        #expect(policy.schedule(ofComplaint: record, now: 0)!.dueMillis == ms("2026-03-31T22:00:00Z"))
        #expect(Policies.deadline(ofComplaint: record, now: ms("2026-04-01T00:00:00Z"), policy: policy) == ComplaintDeadline(dueMillis: ms("2026-03-31T22:00:00Z"), isOverdue: true))
    }
}
