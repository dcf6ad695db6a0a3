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
                OptionSpec("max-connections", help: "Connections held open at once (idle ones are closed first when full).", valueName: "n", defaultValue: "10000"),
                OptionSpec("max-clock-skew", help: "Refuse changes stamped more than this many seconds ahead of this server's clock.",
                           valueName: "seconds", defaultValue: "3600"),
                OptionSpec("tombstone-horizon-days",
                           help: "Purge records deleted more than this many days ago (hourly; 0 keeps them forever). Devices away longer re-list on their next sync.",
                           valueName: "days", defaultValue: String(ServerDatabase.defaultTombstoneHorizonDays)),
            ],
            flags: [FlagSpec("quiet", help: "Do not log requests to standard error.")]),
        CommandSpec(
            name: "backup", abstract: "Copy the database to a new file; safe while the server is running.",
            discussion: "The copy is one consistent snapshot: every push is either wholly in it or not at all. Pushes go on meanwhile.",
            options: [OptionSpec("to", help: "The backup file to create (must not exist).", valueName: "file", isRequired: true)]),
        CommandSpec(
            name: "restore", abstract: "Replace the database by a backup (stop the server first).",
            discussion: "Begins a new epoch: clients notice on their next sync and re-send the changes the backup lacks. The replaced file is kept next to it as <db>.before-restore-….",
            options: [OptionSpec("from", help: "The backup file.", valueName: "file", isRequired: true)]),
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
            name: "policy", abstract: "The company policy document devices receive at sync.",
            subcommands: [
                CommandSpec(name: "show", abstract: "Print the policy document in force (version 0: built-in defaults)."),
                CommandSpec(name: "set", abstract: "Replace the policy document; its version goes up by one.",
                            discussion: "Members left out keep their defaults; unknown members are refused. Devices receive it on their next sync.",
                            arguments: [ArgumentSpec("file", help: "A JSON policy document (see `policy show`).")]),
            ]),
        CommandSpec(
            name: "report", abstract: "Reports for headquarters over every branch.",
            subcommands: [
                CommandSpec(name: "monthly", abstract: "The monthly report (the same figures a device computes over the same records).",
                            options: [
                                OptionSpec("month", help: "The month, YYYY-MM.", valueName: "month", isRequired: true),
                                OptionSpec("format", help: "table, json, csv or markdown.", valueName: "format", defaultValue: "table"),
                                OptionSpec("branch", help: "Only this branch (default: every branch).", valueName: "code"),
                            ]),
            ]),
        CommandSpec(
            name: "duplicates", abstract: "List customers of all devices that look like the same company (查重, for headquarters).",
            discussion: "Compares live customers by unified social credit code, normalised name and contact phone numbers. Devices show the same report over their own scope with `outpost customer duplicates`.",
            options: [OptionSpec("branch", help: "Only this branch.", valueName: "code")],
            flags: [FlagSpec("json", help: "Print the groups as JSON arrays of {id, branch, code, name, owner, reasons}.")]),
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
                CommandSpec(name: "list", abstract: "List users with their state and last sync.",
                            discussion: "--inactive 14 shows only users who have not synced for 14 days (deactivated users are left out).",
                            options: [OptionSpec("inactive", help: "Only users who have not synced for this many days.", valueName: "days")]),
                CommandSpec(name: "set", abstract: "Change a user's role and/or home branch at once.",
                            discussion: "Their devices drop what they may no longer see, and receive what they now may, on their next sync.",
                            arguments: [ArgumentSpec("name", help: "User name.")],
                            options: [
                                OptionSpec("role", help: "One of \(roles).", valueName: "role"),
                                OptionSpec("branch", help: "Home branch code, e.g. SH.", valueName: "code"),
                            ]),
                CommandSpec(name: "deactivate", abstract: "Disable an account at once (someone who left); its token stops working.",
                            arguments: [ArgumentSpec("name", help: "User name.")]),
                CommandSpec(name: "reactivate", abstract: "Bring a deactivated account back and print a new token (shown once).",
                            arguments: [ArgumentSpec("name", help: "User name.")]),
                CommandSpec(name: "freeze", abstract: "Block an account until unfrozen (someone likely to leave); the token is kept.",
                            arguments: [ArgumentSpec("name", help: "User name.")]),
                CommandSpec(name: "unfreeze", abstract: "Let a frozen account sign in again with its token.",
                            arguments: [ArgumentSpec("name", help: "User name.")]),
                CommandSpec(name: "revoke", abstract: "Same as deactivate (kept for scripts).",
                            arguments: [ArgumentSpec("name", help: "User name.")]),
                CommandSpec(name: "rotate", abstract: "Issue a new token (the old one stops working); refused for deactivated users.",
                            arguments: [ArgumentSpec("name", help: "User name.")]),
            ]),
        CommandSpec(
            name: "customer", abstract: "Customer ownership.",
            subcommands: [
                CommandSpec(
                    name: "reassign", abstract: "Hand a salesperson's customers (or one of them) to a colleague.",
                    discussion: "Writes the new owner as the server (node srv-<epoch>); every device receives it on its next sync, the old owner's devices drop the customers and their contacts, visits and complaints, and the new owner's devices receive them. Recorded in the audit log.",
                    options: [
                        OptionSpec("from", help: "The current owner.", valueName: "user", isRequired: true),
                        OptionSpec("to", help: "The new owner (an active user).", valueName: "user", isRequired: true),
                        OptionSpec("customer", help: "Only the customer with this code.", valueName: "code"),
                    ]),
            ]),
        CommandSpec(
            name: "audit", abstract: "Show the audit log of access changes (who, what, when).",
            options: [OptionSpec("limit", help: "The most recent entries to show.", valueName: "n", defaultValue: "100")]),
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
        let maxConnections = tool.valueOrExit(path: parsed.path) { () throws(ArgumentError) -> Int? in try values.int("max-connections") } ?? 10_000
        let skew = tool.valueOrExit(path: parsed.path) { () throws(ArgumentError) -> Int? in try values.int("max-clock-skew") } ?? 3600
        guard (0...65535).contains(port) else { fail("--port must be 0–65535.", code: 64) }
        guard skew >= 0 else { fail("--max-clock-skew must be 0 or more seconds.", code: 64) }
        let horizon = tool.valueOrExit(path: parsed.path) { () throws(ArgumentError) -> Int? in try values.int("tombstone-horizon-days") }
            ?? ServerDatabase.defaultTombstoneHorizonDays
        guard horizon >= 0 else { fail("--tombstone-horizon-days must be 0 (keep) or more days.", code: 64) }
        let log: RequestLogMiddleware? = values.flag("quiet") ? nil : .standardError
        let lock = try ServerDatabaseLock(databasePath: dbPath)
        let database = openDatabase()
        if let rollback = database.rollback {
            // An old file copied back by hand (SPEC §11.1): a new epoch began so devices re-send what it lacks.
            FileHandle.standardError.write(Data("Warning: \(rollback)\n".utf8))
        }
        let server = SyncServer(database: database, host: values.option("host") ?? "127.0.0.1", port: port, log: log,
                                maxClockSkewMillis: Int64(skew) * 1000) {
            $0.maxConnections = max(1, maxConnections)
        }
        try server.start()
        server.installSignalHandlers()
        if horizon > 0 {
            // Tombstones past the horizon go now and then every hour (SPEC §11.3).
            Thread.detachNewThread {
                while true {
                    do {
                        let purge = try database.purgeTombstones(olderThanDays: horizon)
                        if purge.purged > 0 {
                            FileHandle.standardError.write(Data("Purged \(purge.purged) records deleted more than \(horizon) days ago.\n".utf8))
                        }
                    } catch {
                        FileHandle.standardError.write(Data("Warning: could not purge old deleted records: \(error)\n".utf8))
                    }
                    Thread.sleep(forTimeInterval: 3600)
                }
            }
        }
        FileHandle.standardOutput.write(Data("Outpost server listening on http://\(server.http.configuration.host):\(server.port) (database \(dbPath))\n".utf8))
        server.waitUntilStopped()
        // Leave a self-contained database file: everything in the write-ahead log moves into it.
        do {
            try database.checkpoint()
        } catch {
            FileHandle.standardError.write(Data("Warning: could not fold the write-ahead log into \(dbPath): \(error)\n".utf8))
        }
        withExtendedLifetime(lock) {}
        print("Outpost server stopped.")
    case ["backup"]:
        let destination = try values.require("to")
        let size = (try? FileManager.default.attributesOfItem(atPath: dbPath)[.size] as? Int64) ?? 0
        print("Backing up \(dbPath) (\(size / 1024) KiB) to \(destination)…")
        let summary = try ServerDatabase.backup(databaseAt: dbPath, to: destination)
        print("Backup complete: \(summary.records) records, \(summary.bytes) bytes, epoch \(summary.epoch).")
    case ["restore"]:
        let source = try values.require("from")
        let lock = try ServerDatabaseLock(databasePath: dbPath)
        print("Restoring \(dbPath) from \(source)…")
        let summary = try ServerDatabase.restore(from: source, to: dbPath)
        withExtendedLifetime(lock) {}
        if let kept = summary.keptReplacedFile { print("The replaced database is kept as \(kept).") }
        print("Restored \(summary.records) records. New epoch \(summary.epoch): clients re-send what the backup lacks on their next sync.")
    case ["upstream", "sync"]:
        let api = SyncAPI(transport: try HTTPTransport(baseURL: try values.require("server")), token: try values.require("token"))
        let upstream = UpstreamSync(database: openDatabase(), api: api)
        let report = try await upstream.run { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        print("Sent \(report.pushed) records (\(report.conflicts) in conflict at headquarters), received \(report.pulled) (\(report.changedHere) changed here).")
    case ["policy", "show"]:
        print(try openDatabase().policy().jsonValue.serialized(pretty: true))
    case ["policy", "set"]:
        let file = try values.require("file")
        guard let data = FileManager.default.contents(atPath: file) else { fail("Cannot read \(file).") }
        let document = try PolicyDocument(json: JSONValue.parse(Array(data)), strict: true)
        let stored = try openDatabase().setPolicy(document)
        print("Policy version \(stored.version) is in force; devices receive it on their next sync.")
    case ["report", "monthly"]:
        let month = try ReportMonth(try values.require("month"))
        let formatText = values.option("format") ?? "table"
        guard let format = ReportFormat(rawValue: formatText) else { fail("--format must be table, json, csv or markdown.", code: 64) }
        let scope = values.option("branch").map { AccessScope(role: .manager, branch: $0) } ?? AccessScope(role: .hq, branch: "HQ")
        let report = try openDatabase().monthlyReport(month: month, scope: scope, now: Int64(Date().timeIntervalSince1970 * 1000))
        FileHandle.standardOutput.write(Data(report.render(format).utf8))
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
        let database = openDatabase()
        let days = tool.valueOrExit(path: parsed.path) { () throws(ArgumentError) -> Int? in try values.int("inactive") }
        if let days, days < 1 { fail("--inactive must be 1 or more days.", code: 64) }
        let users = try days.map { try database.inactiveUsers(days: $0) } ?? database.users()
        if users.isEmpty {
            print(days.map { "Every active user has synced within \($0) days." }
                ?? "No users yet. Add one with `outpost-server user add NAME --role sales --branch BJ`.")
        } else {
            let rows = [["NAME", "ROLE", "BRANCH", "STATE", "CREATED", "LAST SYNC"]] + users.map { user in
                [user.name, user.role.rawValue, user.branch, user.status.rawValue, String(Timestamps.format(user.createdAt).prefix(10)),
                 user.lastSyncAt.map { String(Timestamps.format($0).prefix(16)).replacingOccurrences(of: "T", with: " ") } ?? "never"]
            }
            let widths = (0..<6).map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                let cells = zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                print(cells.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
            }
        }
    case ["user", "set"]:
        let name = try values.require("name")
        let role = try values.option("role").map { text in
            guard let role = Role(rawValue: text) else { fail("'\(text)' is not a role; use one of \(roles).", code: 64) }
            return role
        }
        let branch = values.option("branch")
        guard role != nil || branch != nil else { fail("Give --role and/or --branch.", code: 64) }
        let user = try openDatabase().setUser(name: name, role: role, branch: branch)
        print("\(user.name) is now \(user.role.rawValue) in branch \(user.branch). Their devices follow on their next sync.")
    case ["user", "revoke"], ["user", "deactivate"]:
        let name = try values.require("name")
        try openDatabase().deactivateUser(name: name)
        print("Deactivated \(name): their token no longer works. Hand over their customers with `outpost-server customer reassign --from \(name) --to …`.")
    case ["user", "reactivate"]:
        let name = try values.require("name")
        let token = try openDatabase().reactivateUser(name: name)
        print("Reactivated \(name). New token (shown once):")
        print(token)
    case ["user", "freeze"]:
        let name = try values.require("name")
        try openDatabase().setFrozen(name: name, true)
        print("Froze \(name): refused until `outpost-server user unfreeze \(name)`.")
    case ["user", "unfreeze"]:
        let name = try values.require("name")
        try openDatabase().setFrozen(name: name, false)
        print("Unfroze \(name): their token works again.")
    case ["user", "rotate"]:
        let name = try values.require("name")
        let token = try openDatabase().rotateToken(name: name)
        print("New token for \(name) (shown once):")
        print(token)
    case ["customer", "reassign"]:
        let from = try values.require("from")
        let to = try values.require("to")
        let summary = try openDatabase().reassign(from: from, to: to, code: values.option("customer"))
        if summary.customers.isEmpty {
            print("\(from) owns no live customers; nothing to hand over.")
        } else {
            print("Handed \(summary.customers.count) customer(s) from \(from) to \(to): \(summary.customers.joined(separator: ", ")).")
            print("Devices follow on their next sync.")
        }
    case ["audit"]:
        let limit = tool.valueOrExit(path: parsed.path) { () throws(ArgumentError) -> Int? in try values.int("limit") } ?? 100
        guard limit >= 1 else { fail("--limit must be 1 or more.", code: 64) }
        let entries = try openDatabase().auditLog(limit: limit)
        if entries.isEmpty { print("No access changes recorded yet.") }
        for entry in entries {
            let when = String(Timestamps.format(entry.at).prefix(19)).replacingOccurrences(of: "T", with: " ")
            print("\(when)  \(entry.actor)  \(entry.action)  \(entry.subject)  [\(entry.branch)]\(entry.detail.isEmpty ? "" : "  " + entry.detail)")
        }
    case ["duplicates"]:
        printDuplicates(try openDatabase().duplicateCustomerGroups(branch: values.option("branch")), json: values.flag("json"))
    default:
        fail("Unknown command; see `outpost-server --help`.", code: 64)
    }
} catch {
    fail("\(error)")
}
