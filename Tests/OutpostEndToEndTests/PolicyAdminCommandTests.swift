import Foundation
import Testing
import OutpostJSON
import OutpostModel
import OutpostServer

/// `outpost-server policy show|set` and `report monthly`, run as the real executable.
@Suite("outpost-server policy and report")
struct PolicyAdminCommandTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-policy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    var database: String { directory.appendingPathComponent("server.db").path }

    func file(_ name: String, _ text: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func policyIsSetStrictlyShownAndUsedByTheReport() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let defaults = try ServerProcess.run(["policy", "show", "--db", database])
        #expect(defaults.status == 0)
        #expect(try PolicyDocument(json: JSONValue.parse(defaults.output), strict: true) == .default)

        let typo = try ServerProcess.run(["policy", "set", try file("typo.json", #"{"cadence":{"intervalDay":{"core":14}}}"#), "--db", database])
        #expect(typo.status == 1)
        #expect(typo.output.contains("The policy document has an unknown member $.cadence.intervalDay; check its spelling."))
        let zone = try ServerProcess.run(["policy", "set", try file("zone.json", #"{"calendars":{"default":{"timeZone":"Asia/Beijing"}}}"#), "--db", database])
        #expect(zone.status == 1 && zone.output.contains("'Asia/Beijing' is not a known time zone"))

        let set = try ServerProcess.run(["policy", "set", try file("policy.json", #"{"satisfaction":{"good":4.5}}"#), "--db", database])
        #expect(set.status == 0 && set.output.contains("Policy version 1 is in force"))
        let shown = try PolicyDocument(json: JSONValue.parse(try ServerProcess.run(["policy", "show", "--db", database]).output))
        #expect(shown.version == 1 && shown.satisfaction.good == 4.5)

        let report = try ServerProcess.run(["report", "monthly", "--month", "2026-11", "--format", "markdown", "--db", database])
        #expect(report.status == 0)
        #expect(report.output.contains("# Monthly report 2026-11\n\nPolicy version 1.\n"))
        #expect(report.output.contains("| satisfaction average | — | ≥ 4.50 |"))
        let badMonth = try ServerProcess.run(["report", "monthly", "--month", "11/2026", "--db", database])
        #expect(badMonth.status == 1 && badMonth.output.contains("'11/2026' is not a month; write it as YYYY-MM"))
    }
}
