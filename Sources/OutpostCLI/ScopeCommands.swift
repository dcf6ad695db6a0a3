import Foundation
import OutpostArguments
import OutpostClient
import OutpostJSON
import OutpostModel

/// `outpost customer reassign` (a manager hands a colleague's customers over) and `outpost
/// set-aside list|export|discard` (edits kept after their records left this device's scope).
struct ScopeCommands {
    let context: Context

    /// `customer reassign --from A --to B [--customer CODE]`.
    static let reassignSpec = CommandSpec(
        name: "reassign", abstract: "Hand a salesperson's customers (or one of them) to a colleague (managers, branch admins, HQ).",
        discussion: """
            Changes the owner of every customer of --from held on this device (or only --customer CODE) to --to.
            The change syncs like any edit: run `outpost sync`. The old owner's devices then drop those
            customers with their contacts, visits and complaints; the new owner's devices receive them.
            Handing customers to someone in another branch goes through headquarters.
            """,
        options: [
            OptionSpec("from", help: "The current owner (user name).", valueName: "user", isRequired: true),
            OptionSpec("to", help: "The new owner (user name).", valueName: "user", isRequired: true),
            OptionSpec("customer", help: "Only the customer with this code.", valueName: "code"),
        ])

    /// `set-aside list|export|discard`.
    static let setAsideSpec = CommandSpec(
        name: "set-aside", abstract: "Edits kept on this device after their records stopped being yours.",
        discussion: "When a customer is reassigned or unshared, or your role changes, its records leave this device on the next sync. Changes you had not sent are kept here: export them and give the file to your manager, then discard them.",
        subcommands: [
            CommandSpec(name: "list", abstract: "List the set-aside records and why they were set aside."),
            CommandSpec(name: "export", abstract: "Print the set-aside records as JSON (to hand to a manager)."),
            CommandSpec(name: "discard", abstract: "Forget a set-aside record (export it first).",
                        arguments: [ArgumentSpec("record", help: "The record id.")]),
        ])

    /// `user list|freeze|unfreeze|deactivate`: account administration over the API (SPEC §9.7).
    static let userSpec = CommandSpec(
        name: "user", abstract: "Branch administrators: list, freeze and deactivate the accounts of their branch.",
        discussion: "Takes effect at once on the server. Reactivating an account and changing a role are done on the server host (`outpost-server user reactivate|set`).",
        subcommands: [
            CommandSpec(name: "list", abstract: "List the accounts you oversee, with their state and last sync.",
                        options: [OptionSpec("inactive", help: "Only those who have not synced for this many days (e.g. 14).", valueName: "days")]),
            CommandSpec(name: "freeze", abstract: "Block an account until unfrozen (someone likely to leave).",
                        arguments: [ArgumentSpec("name", help: "User name.")]),
            CommandSpec(name: "unfreeze", abstract: "Let a frozen account sign in again.",
                        arguments: [ArgumentSpec("name", help: "User name.")]),
            CommandSpec(name: "deactivate", abstract: "Disable an account at once (someone who left).",
                        arguments: [ArgumentSpec("name", help: "User name.")]),
        ])

    /// Runs `user list|freeze|unfreeze|deactivate` against the configured server.
    func user() async throws {
        let replica = try context.openReplica()
        guard let settings = try replica.settings() else { throw SyncError.notConfigured }
        let api = SyncAPI(transport: try HTTPTransport(baseURL: settings.serverURL, timeout: TimeInterval(context.timeoutSeconds)),
                          token: settings.token)
        let command = context.command.dropFirst().first ?? ""
        do {
            switch command {
            case "list":
                let days = try context.values.int("inactive")
                if let days, days < 1 { throw CLIError.usage("--inactive must be 1 or more days.") }
                let listed = try await api.users(inactiveDays: days)
                if context.json {
                    context.printJSON(listed)
                    return
                }
                let users = listed.objectValue?["users"]?.arrayValue ?? []
                if users.isEmpty {
                    context.print(days.map { "Everyone has synced within \($0) days." } ?? "No users.")
                    return
                }
                context.print(TextTable(columns: ["NAME", "ROLE", "BRANCH", "STATE", "LAST SYNC"], rows: users.map { user in
                    let object = user.objectValue ?? [:]
                    return ["name", "role", "branch", "state"].map { object[$0]?.stringValue ?? "" }
                        + [object["lastSync"]?.stringValue.map { String($0.prefix(16)).replacingOccurrences(of: "T", with: " ") } ?? "never"]
                }).rendered())
            case "freeze", "unfreeze", "deactivate":
                let name = try context.values.require("name")
                let state = ["freeze": "frozen", "unfreeze": "active", "deactivate": "deactivated"][command]!
                try await api.setUserState(name, to: state)
                context.print(["freeze": "Froze \(name): refused until unfrozen.", "unfreeze": "Unfroze \(name).",
                               "deactivate": "Deactivated \(name): their token no longer works."][command]!)
            default:
                throw CLIError.usage("Use `outpost user list`, `freeze NAME`, `unfreeze NAME` or `deactivate NAME`.")
            }
        } catch let error as SyncError {
            var situation = context.situation()
            situation.serverURL = settings.serverURL
            throw UserFacingError(error, situation: situation)
        }
    }

    /// The `status` line for `count` set-aside records.
    static func setAsideSummary(_ count: Int) -> String {
        "\(count) record\(count == 1 ? "" : "s") that stopped being yours, with changes not sent — run `outpost set-aside list`"
    }

    /// Runs `customer reassign`.
    func reassign() throws {
        let values = context.values
        let from = try values.require("from")
        let to = try values.require("to")
        let moved = try context.openReplica().reassign(from: from, to: to, code: values.option("customer"))
        let codes = moved.map { $0.value(of: "code")?.stringValue ?? $0.id.rawValue }
        if context.json {
            context.printJSON(.object(["from": .string(from), "to": .string(to), "customers": .array(codes.map { .string($0) })]))
        } else {
            context.print("Handed \(moved.count) customer(s) from \(from) to \(to): \(codes.joined(separator: ", ")).")
            context.print("Run `outpost sync` to send the change.")
        }
    }

    /// Runs `set-aside list|export|discard`.
    func setAside() throws {
        let replica = try context.openReplica()
        switch context.command.dropFirst().first {
        case "list":
            let items = try replica.setAsideRecords()
            if context.json {
                context.printJSON(.array(items.map { item in
                    .object(["id": .string(item.record.id.rawValue), "type": .string(item.record.type.rawValue), "reason": .string(item.reason)])
                }))
            } else if items.isEmpty {
                context.print("Nothing is set aside.")
            } else {
                context.print(TextTable(columns: ["ID", "TYPE", "LABEL", "REASON"], rows: items.map { item in
                    [item.record.id.rawValue, item.record.type.rawValue,
                     ["code", "name", "summary", "purpose", "content"].lazy.compactMap { item.record.value(of: $0)?.stringValue }.first ?? "",
                     item.reason]
                }, maxColumnWidth: 60).rendered())
            }
        case "export":
            context.out.write(String(decoding: try replica.exportSetAside(), as: UTF8.self) + "\n")
        case "discard":
            let text = try context.values.require("record")
            guard let id = try? RecordID(text), try replica.discardSetAside(id) else {
                throw CLIError.usage("No set-aside record has the id '\(text)'; see `outpost set-aside list`.")
            }
            context.print("Discarded the set-aside record \(id.rawValue).")
        default:
            throw CLIError.usage("Use `outpost set-aside list`, `export` or `discard ID`.")
        }
    }
}
