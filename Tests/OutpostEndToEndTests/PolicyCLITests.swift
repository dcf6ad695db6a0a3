import Foundation
import Testing
import OutpostCLI
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostServer
import OutpostClient

@Suite("Policy commands")
struct PolicyCLITests {
    @Test func codesPolicyAndTheMonthlyReportFromTheCLIMatchTheServer() async throws {
        let server = try LoopbackServer()
        var policy = PolicyDocument.default
        policy.codes.blockSize = 10
        policy.calendars.default.holidays = [LocalDate("2026-11-04")!]
        try server.support.database.setPolicy(policy)
        var device = try await server.signedIn("li", role: .manager, branch: "SH")
        device.environment["OUTPOST_NOW"] = "2026-11-20T02:00:00Z"
        let synced = await device.ok("sync")
        #expect(synced.err.contains("Received 10 customer codes for this device."))
        let shown = try await device.ok("policy", "show", "--json").json()
        #expect(shown.objectValue?["version"] == .int(1))
        #expect(try await device.ok("code", "status").out == "Scheme {branch}-{yyyy}-{seq:05}; 10 codes left on this device.\n")

        let code = try await device.ok("code", "next").out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(code == "SH-2026-00001")
        await device.ok("customer", "add", "--code", code, "--name", "Acme", "--kind", "enterprise", "--tier", "core", "--owner", "li",
                        "--annual-purchase", "60000")
        await device.ok("visit", "log", "--customer", code, "--method", "onsite", "--actual-at", "2026-11-03T02:00:00Z", "--satisfaction", "3")
        await device.ok("complaint", "open", "--customer", code, "--received-at", "2026-11-02T02:00:00Z", "--channel", "phone",
                        "--content", "Late delivery", "--category", "responsible-general")
        // 2 working days from Monday 2 November skip the holiday on the 4th: due by the end of Thursday 5 November.
        let complaints = try await device.ok("complaint", "list", "--overdue", "--json").json()
        #expect(complaints.arrayValue?.first?.objectValue?["due"] == "2026-11-05T16:00:00Z")
        let customer = try await device.ok("customer", "show", code, "--json").json()
        #expect(customer.objectValue?["revisitDue"] == "2026-12-03T16:00:00Z", "core: 30 days after 3 November, Shanghai midnight")
        let contacts = try await device.ok("contacts", "due", "--json").json()
        #expect(contacts.arrayValue?.first?.objectValue?["requiredThisMonth"] == .int(2))

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let csvPath = dir.appendingPathComponent("2026-11.csv").path
        await device.ok("report", "monthly", "--month", "2026-11", "--format", "csv", "--output", csvPath)
        let csv = try Data(contentsOf: URL(fileURLWithPath: csvPath))
        #expect(Array(csv.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(String(decoding: csv, as: UTF8.self).contains("\r\non-time rate,—\r\n"))
        let markdown = try await device.ok("report", "monthly", "--month", "2026-11", "--format", "markdown").out
        #expect(markdown.contains("| responsible-general | 1 |"))
        #expect(markdown.contains("## Overdue complaints\n\n| customer | category | deadline |\n|---|---|---|\n| SH-2026-00001 | responsible-general | 2026-11-06 00:00 |"))

        await device.ok("sync")
        let local = try await device.ok("report", "monthly", "--month", "2026-11", "--json").json()
        let onServer = try server.support.database.monthlyReport(month: ReportMonth("2026-11"), scope: AccessScope(role: .hq, branch: "HQ"),
                                                                 now: Timestamps.parse("2026-11-20T02:00:00Z")!)
        #expect(local == onServer.jsonValue)

        #expect(await device.run("report", "monthly", "--month", "November").status == OutpostCommand.usageError)
        let proposals = try await device.ok("tier", "proposals", "--all", "--json").json()
        #expect(proposals.arrayValue?.first?.objectValue?["class"] == "A")
        #expect(proposals.arrayValue?.first?.objectValue?["highValue"] == true)
    }

    @Test func surveysLoggedOnTheCLIGiveTheSameAveragesOnTheDeviceAndTheServer() async throws {
        let server = try LoopbackServer()
        var device = try await server.signedIn("li", role: .manager, branch: "SH")
        device.environment["OUTPOST_NOW"] = "2026-11-20T02:00:00Z"
        await device.ok("customer", "add", "--code", "A", "--name", "Good Co", "--kind", "enterprise", "--tier", "general", "--owner", "li")
        await device.ok("customer", "add", "--code", "B", "--name", "Unhappy Co", "--kind", "enterprise", "--tier", "general", "--owner", "li")
        // A: (5 + 4 + 4 + 3) + 4 = 20 over 5 answers = 4.0, good. B: (3 + 2 + 4) + 3 = 12 over 4 = 3.0, improvement plan.
        await device.ok("visit", "log", "--customer", "A", "--method", "onsite", "--actual-at", "2026-11-03 10:00",
                        "--survey", "service=5,quality=4,timeliness=4,communication=3")
        await device.ok("visit", "log", "--customer", "A", "--method", "phone", "--actual-at", "2026-11-17 10:00", "--satisfaction", "4")
        await device.ok("visit", "log", "--customer", "B", "--method", "onsite", "--actual-at", "2026-11-10 10:00",
                        "--survey", "service=3, quality=2, timeliness=4", "--satisfaction", "3")

        // Refused, with nothing stored.
        let unknown = await device.run("visit", "log", "--customer", "B", "--method", "onsite", "--survey", "service=5,price=1")
        #expect(unknown.status == OutpostCommand.failure)
        #expect(unknown.err.contains("'price', which the survey does not ask. Questions: service, quality, timeliness, communication."))
        let chinese = await device.run("visit", "log", "--customer", "B", "--method", "onsite", "--survey", "price=1", "--lang", "zh")
        #expect(chinese.err.contains("调查中没有的问题 'price'"))
        for survey in ["service=0", "service=6", "service=4.5", "service"] {
            let refused = await device.run("visit", "log", "--customer", "B", "--method", "onsite", "--survey", survey)
            #expect(refused.status != 0 && refused.err.contains("survey"), "\(survey)")
        }
        let visits = try await device.ok("visit", "list", "--json").json()
        #expect(visits.arrayValue?.count == 3)

        let shown = try await device.ok("visit", "list", "--customer", "B", "--json").json()
        #expect(shown.arrayValue?.first?.objectValue?["survey"] == .object(["service": 3, "quality": 2, "timeliness": 4]))
        let contacts = try await device.ok("contacts", "due", "--json").json()
        let plan = contacts.arrayValue?.first { $0.objectValue?["code"] == "B" }?.objectValue
        #expect(plan?["improvementPlan"] == true, "B's improvement plan is a follow-up task")
        let table = await device.ok("report", "monthly", "--month", "2026-11").out
        #expect(table.contains("customers rated good") && table.contains("1 / 2"))
        #expect(table.contains("Improvement plans needed (satisfaction < 3.50)\n  customer\n  B Unhappy Co\n"))

        await device.ok("sync")
        let local = try await device.ok("report", "monthly", "--month", "2026-11", "--json").json()
        let onServer = try server.support.database.monthlyReport(month: ReportMonth("2026-11"), scope: AccessScope(role: .hq, branch: "HQ"),
                                                                 now: Timestamps.parse("2026-11-20T02:00:00Z")!)
        #expect(local == onServer.jsonValue)
        let customers = local.objectValue?["customers"]?.objectValue
        #expect(customers?["satisfactionAnswers"] == .int(9) && customers?["satisfactionAverage"] == .double(32.0 / 9))
        #expect(customers?["satisfactionGoodCustomers"] == .int(1))
        #expect(customers?["needsImprovementPlan"] == .array(["B Unhappy Co"]))
    }

    @Test func aDeviceWithoutCodesSaysHowToGetThem() async throws {
        let server = try LoopbackServer()
        let device = try await server.signedIn("wang", role: .sales, branch: "SH")
        let result = await device.run("code", "next")
        #expect(result.status == OutpostCommand.failure)
        #expect(result.err == "Error: This device has no customer codes left for branch SH. Sync once while online to receive a new block, or type a code by hand.\n")
        let chinese = await device.run("code", "next", "--lang", "zh")
        #expect(chinese.err.contains("本设备已没有分支机构 SH 的客户编码"))
        let help = await device.run("report", "monthly", "--help", "--lang", "zh")
        #expect(help.out.contains("月度报表"))
    }
}

@Suite("Monthly report words")
struct MonthlyReportWordsTests {
    @Test func theEnglishCatalogueHoldsTheReportsWordsAndChineseTranslatesThem() {
        for (key, text) in MonthlyReport.englishLabels {
            #expect(Catalogue.english["report.\(key)"] == text, "\(key)")
            #expect(Catalogue.chinese["report.\(key)"] != nil, "\(key)")
        }
    }

    @Test func aChineseReportUsesChineseWords() async throws {
        let server = try LoopbackServer()
        var device = try await server.signedIn("li", role: .manager, branch: "SH")
        device.environment["OUTPOST_NOW"] = "2026-11-20T02:00:00Z"
        let table = await device.ok("report", "monthly", "--month", "2026-11", "--lang", "zh")
        #expect(table.out.hasPrefix("2026-11 月度报表（政策版本 0）\n"))
        #expect(table.out.contains("  处理率"))
        let markdown = await device.ok("report", "monthly", "--month", "2026-11", "--format", "markdown", "--lang", "zh")
        #expect(markdown.out.hasPrefix("# 2026-11 月度报表\n\n政策版本 0。\n"))
    }

    @Test func timesAreReadInTheBranchZoneOfThePolicyDocument() async throws {
        let server = try LoopbackServer()
        var policy = PolicyDocument.default
        policy.calendars.branches["DE"] = WorkingCalendar(timeZone: "Europe/Berlin")
        try server.support.database.setPolicy(policy)
        var device = try await server.signedIn("anna", role: .manager, branch: "DE")
        device.environment["TZ"] = ""   // no zone set: the branch's zone applies
        await device.ok("sync")
        await device.ok("customer", "add", "--code", "D-1", "--name", "Berlin GmbH", "--kind", "enterprise", "--tier", "core")
        await device.ok("visit", "log", "--customer", "D-1", "--method", "onsite", "--planned-at", "2026-11-24 09:30")
        let visits = try await device.ok("visit", "list", "--json").json()
        #expect(visits.arrayValue?.first?.objectValue?["plannedAt"] == "2026-11-24T08:30:00Z", "09:30 in Berlin (UTC+1)")
    }
}
