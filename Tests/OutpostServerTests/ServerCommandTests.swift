import Foundation
import Testing
import OutpostJSON
import OutpostModel
import OutpostServer
import OutpostServerCLI
import OutpostTerminal

/// Runs `outpost-server` in-process.
func runServerCommand(_ arguments: [String]) async -> (status: Int32, out: String, err: String) {
    let out = TextBuffer(), err = TextBuffer()
    let status = await ServerCommand.run(arguments, environment: [:], standardOutput: out, standardError: err)
    return (status, out.text, err.text)
}

@Suite("outpost-server command tree")
struct ServerCommandTreeTests {
    @Test func helpIsGeneratedFromTheTreeAndListsEveryCommand() async {
        let help = await runServerCommand(["--help"])
        #expect(help.status == 0)
        for command in ["serve", "status", "backup", "restore", "upstream", "policy", "report", "duplicates", "user", "customer", "audit"] {
            #expect(help.out.contains("\n  \(command) "), "root help lists \(command)")
        }
        let serve = await runServerCommand(["help", "serve"])
        #expect(serve.status == 0)
        for option in ["--port", "--host", "--max-connections", "--max-clock-skew", "--log-format", "--metrics-token-file", "--metrics-open", "--quiet"] {
            #expect(serve.out.contains(option), "serve help lists \(option)")
        }
    }

    @Test func completionScriptsComeFromTheSameTree() async {
        for shell in ["bash", "zsh"] {
            let script = await runServerCommand(["completion", shell])
            #expect(script.status == 0)
            for word in ["status", "serve", "--metrics-token-file", "reactivate"] { #expect(script.out.contains(word), "\(shell): \(word)") }
        }
        #expect(await runServerCommand(["completion", "fish"]).status == 64)
    }

    @Test func commandLineMistakesPrintTheUsageAndExit64() async {
        for arguments in [
            ["status", "--bogus"], ["user"], ["nonsense"], ["user", "add", "li", "--branch", "BJ"],
            ["serve", "--port", "eighty"], ["serve", "--port", "70000"], ["serve", "--log-format", "xml"],
            ["serve", "--metrics-open", "--metrics-token-file", "/nonexistent"], ["audit", "--limit", "0"],
        ] {
            let result = await runServerCommand(arguments)
            #expect(result.status == 64, "\(arguments) → \(result.status)")
            #expect(result.err.contains("Error: ") && result.err.contains("Usage: outpost-server"), "\(arguments): \(result.err)")
            #expect(result.out.isEmpty)
        }
    }

    @Test func aMetricsTokenFileMustBeReadableAndLongEnough() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let short = directory.appendingPathComponent("short").path
        try Data("abc\n".utf8).write(to: URL(fileURLWithPath: short))
        let database = directory.appendingPathComponent("s.db").path
        let tooShort = await runServerCommand(["serve", "--db", database, "--metrics-token-file", short])
        #expect(tooShort.status == 1 && tooShort.err.contains("at least 16 characters"), "\(tooShort.err)")
        let missing = await runServerCommand(["serve", "--db", database, "--metrics-token-file", directory.appendingPathComponent("none").path])
        #expect(missing.status == 1 && missing.err.contains("Cannot read the metrics token file"))
        #expect(!FileManager.default.fileExists(atPath: database), "nothing is opened before the options are checked")
    }
}

@Suite("outpost-server status")
struct ServerStatusTests {
    /// A database with known users (two active sales, a frozen sales, a deactivated manager, an
    /// active admin), two devices of li and one of wu, and two customers plus a contact of which
    /// one customer and the contact are in conflict.
    static func populated() throws -> Harness {
        let h = try Harness()
        let li = try h.user("li", role: .sales)
        let wu = try h.user("wu", role: .sales)
        _ = try h.user("zhao", role: .sales)
        _ = try h.user("qian", role: .manager)
        _ = try h.user("root", role: .admin)
        try h.database.setFrozen(name: "zhao", true)
        try h.database.deactivateUser(name: "qian")
        let acme = makeCustomer(code: "C-001")
        _ = try h.pushOK([acme], token: li, node: nodeA)
        _ = try h.pushOK([try edited(acme, ["name": "Acme Ltd"], node: nodeA, at: 10)], token: li, node: nodeA)
        #expect(try h.pushOK([try edited(acme, ["name": "ACME Group"], node: nodeB, at: 11)], token: li, node: nodeB).results[0].status == .conflict)
        let contact = Record.create(id: .random(), type: .contact, branch: "BJ",
                                    fields: ["customer": .string(acme.id.rawValue), "name": "Wang"], node: nodeA, at: ts(20))
        _ = try h.pushOK([contact], token: li, node: nodeA)
        _ = try h.pushOK([try edited(contact, ["title": "Buyer"], node: nodeA, at: 30)], token: li, node: nodeA)
        _ = try h.pushOK([try edited(contact, ["title": "CFO"], node: nodeB, at: 31)], token: li, node: nodeB)
        let bolt = makeCustomer(code: "C-002", node: NodeID(unchecked: "node-wu"), owner: "wu")
        _ = try h.pushOK([bolt], token: wu, node: NodeID(unchecked: "node-wu"))
        return h
    }

    @Test func jsonCountsUsersDevicesConflictsAndSize() async throws {
        let h = try Self.populated()
        let result = await runServerCommand(["status", "--db", h.server.databasePath, "--json"])
        #expect(result.status == 0, "\(result.err)")
        let object = try #require(JSONValue.parse(Array(result.out.utf8)).objectValue)
        #expect(object["epoch"] == .string(h.database.epoch))
        #expect(object["serverId"] == .string(h.database.serverID))
        #expect(object["records"] == .int(3))
        #expect((object["databaseBytes"]?.intValue ?? 0) > 0)
        let users = try #require(object["users"]?.objectValue)
        #expect(users["active"] == .int(3) && users["inactive"] == .int(2))
        let byRole = Set((users["byRole"]?.arrayValue ?? []).compactMap { entry -> String? in
            guard let entry = entry.objectValue else { return nil }
            return "\(entry["role"]?.stringValue ?? "") \(entry["state"]?.stringValue ?? "") \(entry["count"]?.intValue ?? 0)"
        })
        #expect(byRole == ["sales active 2", "sales frozen 1", "manager deactivated 1", "admin active 1"])
        let devices = (object["devices"]?.arrayValue ?? []).compactMap(\.objectValue)
        #expect(Set(devices.map { "\($0["node"]?.stringValue ?? "") \($0["user"]?.stringValue ?? "")" })
            == ["node-a li", "node-b li", "node-wu wu"])
        #expect(devices.allSatisfy { $0["lastPushAt"]?.stringValue.flatMap(Timestamps.parse) != nil })
        let conflicts = try #require(object["conflicts"]?.objectValue)
        #expect(conflicts["records"] == .int(2))
        #expect(conflicts["byType"] == .object(["customer": .int(1), "contact": .int(1)]))
    }

    @Test func tableShowsTheSameFigures() async throws {
        let h = try Self.populated()
        let result = await runServerCommand(["status", "--db", h.server.databasePath])
        #expect(result.status == 0, "\(result.err)")
        let lines = result.out.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("Epoch") && $0.hasSuffix(h.database.epoch) })
        #expect(lines.contains { $0.hasPrefix("Users") && $0.contains("3 active, 2 frozen or deactivated") })
        #expect(lines.contains { $0.hasPrefix("Devices") && $0.hasSuffix("3") })
        #expect(lines.contains { $0.hasPrefix("Conflicts") && $0.contains("2 records") })
        #expect(lines.contains { $0.hasPrefix("Database") && $0.contains("3 records") })
        #expect(lines.contains { $0.split(separator: " ", omittingEmptySubsequences: true) == ["sales", "2", "1", "0"] })
        #expect(lines.contains { $0.split(separator: " ", omittingEmptySubsequences: true) == ["manager", "0", "0", "1"] })
        #expect(lines.contains { $0.hasPrefix("DEVICE") && $0.contains("LAST PUSH") })
        #expect(lines.contains { $0.hasPrefix("node-wu") && $0.contains(" wu ") })
        #expect(lines.contains { $0.split(separator: " ", omittingEmptySubsequences: true) == ["customer", "1"] })
        #expect(lines.contains { $0.split(separator: " ", omittingEmptySubsequences: true) == ["contact", "1"] })
    }

    @Test func aMissingDatabaseIsAnErrorNotANewFile() async {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-none-\(UUID().uuidString).db").path
        let result = await runServerCommand(["status", "--db", path])
        #expect(result.status == 1 && result.err.contains("There is no database"))
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
