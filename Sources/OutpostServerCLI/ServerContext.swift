import Foundation
import OutpostArguments
import OutpostJSON
import OutpostModel
import OutpostServer
import OutpostTerminal

/// What a command handler gets: the parsed values and where to write.
struct ServerContext: Sendable {
    let parsed: ParsedCommand
    let environment: [String: String]
    let out: any TextOutput
    let err: any TextOutput

    var values: ParsedValues { parsed.values }
    /// `--db`: the SQLite database file.
    var databasePath: String { values.option("db") ?? ServerCommandTree.defaultDatabase }
    /// `--json`, for the commands that declare it.
    var json: Bool { values.flag("json") }

    /// Opens (or creates) the database at `--db`.
    func openDatabase() throws -> ServerDatabase {
        do {
            return try ServerDatabase(path: databasePath)
        } catch {
            throw ServerCLIError.failure("Cannot open the database \(databasePath): \(error)")
        }
    }

    /// An integer option that must be at least `minimum` (a usage error otherwise).
    func int(_ name: String, atLeast minimum: Int, what: String) throws -> Int? {
        guard let value = try values.int(name) else { return nil }
        guard value >= minimum else { throw ServerCLIError.usage("--\(name) must be \(minimum) or more\(what.isEmpty ? "" : " " + what).") }
        return value
    }

    /// A role named on the command line (a usage error when unknown).
    func role(_ text: String) throws -> Role {
        guard let role = Role(rawValue: text) else {
            throw ServerCLIError.usage("'\(text)' is not a role; use one of \(ServerCommandTree.roles).")
        }
        return role
    }

    /// The current time, UTC milliseconds.
    var now: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    func print(_ text: String) { out.write(text + "\n") }
    func warn(_ text: String) { err.write(text + "\n") }
    func printJSON(_ value: JSONValue) { out.write(value.serialized(pretty: true) + "\n") }

    /// `2026-11-24 09:30` (UTC) for tables.
    static func minute(_ millis: Int64) -> String {
        String(Timestamps.format(millis).prefix(16)).replacingOccurrences(of: "T", with: " ")
    }
}
