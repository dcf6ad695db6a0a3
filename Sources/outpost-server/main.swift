import Foundation
import OutpostArguments
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostRelay
import OutpostServer

let dbOption = OptionSpec("db", help: "The SQLite database file (created if missing).", valueName: "path",
                          defaultValue: "outpost.db", isInherited: true)
let roles = Role.allCases.map(\.rawValue).joined(separator: ", ")

let root = CommandSpec(
    name: "outpost-server",
    abstract: "The Outpost sync server and its administration.",
    options: [dbOption],
    subcommands: [
        CommandSpec(
            name: "serve", abstract: "Run the sync server until SIGTERM or SIGINT (requests in flight are finished).",
            options: [
                OptionSpec("port", short: "p", help: "TCP port (0 picks a free one).", valueName: "port", defaultValue: "8080"),
                OptionSpec("host", help: "Address to listen on.", valueName: "address", defaultValue: "127.0.0.1"),
                OptionSpec("max-connections", help: "Connections served at once.", valueName: "n", defaultValue: "64"),
            ],
            flags: [FlagSpec("quiet", help: "Do not log requests to standard error.")]),
        CommandSpec(
            name: "upstream", abstract: "Reconcile this (branch) server with headquarters.",
            subcommands: [
                CommandSpec(
                    name: "sync", abstract: "Send this server's changes to headquarters and merge theirs (run it nightly).",
                    discussion: "Uses an ordinary token issued by headquarters (a manager of this branch, or hq). Safe to interrupt and re-run: merging is idempotent.",
                    options: [
                        OptionSpec("server", help: "Headquarters' URL.", valueName: "url", isRequired: true),
                        OptionSpec("token", help: "A token issued by headquarters.", valueName: "token", isRequired: true),
                    ]),
            ]),
        CommandSpec(
            name: "user", abstract: "Manage users and their access tokens.",
            subcommands: [
                CommandSpec(
                    name: "add", abstract: "Create a user and print their token (shown only once).",
                    arguments: [ArgumentSpec("name", help: "User name.")],
                    options: [
                        OptionSpec("role", help: "One of \(roles).", valueName: "role", isRequired: true),
                        OptionSpec("branch", help: "Home branch code, e.g. BJ.", valueName: "code", isRequired: true),
                    ],
                    flags: [FlagSpec("json", help: "Print {\"user\", \"role\", \"branch\", \"token\"} as JSON, for scripts.")]),
                CommandSpec(name: "list", abstract: "List users."),
                CommandSpec(name: "revoke", abstract: "Revoke a user's token at once.",
                            arguments: [ArgumentSpec("name", help: "User name.")]),
                CommandSpec(name: "rotate", abstract: "Issue a new token (the old one stops working).",
                            arguments: [ArgumentSpec("name", help: "User name.")]),
            ]),
    ])

let tool = CommandLineTool(root: root)
let parsed = tool.parseOrExit()
let values = parsed.values
let dbPath = values.option("db") ?? "outpost.db"

func fail(_ message: String, code: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
    exit(code)
}

func openDatabase() -> ServerDatabase {
    do {
        return try ServerDatabase(path: dbPath)
    } catch {
        fail("Cannot open the database \(dbPath): \(error)")
    }
}

do {
    switch Array(parsed.path.dropFirst()) {
    case ["serve"]:
        let port = tool.valueOrExit(path: parsed.path) { () throws(ArgumentError) -> Int? in try values.int("port") } ?? 8080
        let maxConnections = tool.valueOrExit(path: parsed.path) { () throws(ArgumentError) -> Int? in try values.int("max-connections") } ?? 64
        guard (0...65535).contains(port) else { fail("--port must be 0–65535.", code: 64) }
        let log: RequestLogMiddleware? = values.flag("quiet") ? nil : .standardError
        let server = SyncServer(database: openDatabase(), host: values.option("host") ?? "127.0.0.1", port: port, log: log) {
            $0.maxConnections = max(1, maxConnections)
        }
        try server.start()
        server.installSignalHandlers()
        FileHandle.standardOutput.write(Data("Outpost server listening on http://\(server.http.configuration.host):\(server.port) (database \(dbPath))\n".utf8))
        server.waitUntilStopped()
        print("Outpost server stopped.")
    case ["upstream", "sync"]:
        let api = SyncAPI(transport: try HTTPTransport(baseURL: try values.require("server")), token: try values.require("token"))
        let upstream = UpstreamSync(database: openDatabase(), api: api)
        let report = try await upstream.run { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        print("Sent \(report.pushed) records (\(report.conflicts) in conflict at headquarters), received \(report.pulled) (\(report.changedHere) changed here).")
    case ["user", "add"]:
        let name = try values.require("name")
        let roleText = try values.require("role")
        guard let role = Role(rawValue: roleText) else { fail("'\(roleText)' is not a role; use one of \(roles).", code: 64) }
        let token = try openDatabase().addUser(name: name, role: role, branch: try values.require("branch"))
        if values.flag("json") {
            let object: JSONValue = ["user": .string(name), "role": .string(role.rawValue),
                                     "branch": .string(try values.require("branch")), "token": .string(token)]
            print(object.serialized(pretty: true))
        } else {
            print("Created \(role.rawValue) \(name) in branch \(try values.require("branch")).")
            print("Token (shown once, keep it safe):")
            print(token)
        }
    case ["user", "list"]:
        let users = try openDatabase().users()
        if users.isEmpty {
            print("No users yet. Add one with `outpost-server user add NAME --role sales --branch BJ`.")
        } else {
            let rows = [["NAME", "ROLE", "BRANCH", "TOKEN", "CREATED"]] + users.map { user in
                [user.name, user.role.rawValue, user.branch, user.revokedAt == nil ? "active" : "revoked", String(Timestamps.format(user.createdAt).prefix(10))]
            }
            let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                let cells = zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                print(cells.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
            }
        }
    case ["user", "revoke"]:
        let name = try values.require("name")
        try openDatabase().revokeUser(name: name)
        print("Revoked the token of \(name).")
    case ["user", "rotate"]:
        let name = try values.require("name")
        let token = try openDatabase().rotateToken(name: name)
        print("New token for \(name) (shown once):")
        print(token)
    default:
        fail("Unknown command; see `outpost-server --help`.", code: 64)
    }
} catch {
    fail("\(error)")
}
