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
    /// `--postgres`: the PostgreSQL database URL, when the data is there instead of in `--db`.
    var postgresURL: String? { values.option("postgres") }
    /// `--json`, for the commands that declare it.
    var json: Bool { values.flag("json") }

    /// Opens (or creates) the database at `--postgres`, or else at `--db`.
    func openDatabase() throws -> ServerDatabase {
        do {
            if let postgresURL { return try ServerDatabase(postgres: postgresURL) }
            return try ServerDatabase(path: databasePath)
        } catch ServerStorageError.postgresUnavailable {
            throw ServerCLIError.failure("\(ServerStorageError.postgresUnavailable)")
        } catch {
            throw ServerCLIError.failure("Cannot open the database \(postgresURL == nil ? databasePath : "given with --postgres"): \(error)")
        }
    }

    /// Refuses commands that copy SQLite files when the data is in PostgreSQL, saying what to use.
    func refuseOnPostgres(_ command: String) throws {
        guard postgresURL != nil else { return }
        throw ServerCLIError.usage(
            "`\(command)` copies SQLite files. Back up a PostgreSQL database with pg_dump and put it back with pg_restore; "
                + "then, before starting any instance, run `outpost-server new-epoch --postgres URL` so devices re-send what the backup lacks.")
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
