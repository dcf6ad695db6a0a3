import Foundation
import OutpostArguments
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostTerminal

/// `outpost customer reassign` (a manager hands a colleague's customers over) and `outpost
/// set-aside list|export|discard` (edits kept after their records left this device's scope).
struct ScopeCommands {
    let context: Context

    var l: Localizer { context.l }

    /// `customer reassign --from A --to B [--customer CODE]`.
    static func reassignSpec(_ l: Localizer) -> CommandSpec {
        CommandSpec(
            name: "reassign", abstract: l("scope.reassign.abstract"), discussion: l("scope.reassign.discussion"),
            options: [
                OptionSpec("from", help: l("scope.reassign.from"), valueName: "user", isRequired: true),
                OptionSpec("to", help: l("scope.reassign.to"), valueName: "user", isRequired: true),
                OptionSpec("customer", help: l("scope.reassign.customer"), valueName: "code"),
            ])
    }

    /// `set-aside list|export|discard`.
    static func setAsideSpec(_ l: Localizer) -> CommandSpec {
        CommandSpec(
            name: "set-aside", abstract: l("scope.setAside.abstract"), discussion: l("scope.setAside.discussion"),
            subcommands: [
                CommandSpec(name: "list", abstract: l("scope.setAside.list")),
                CommandSpec(name: "export", abstract: l("scope.setAside.export")),
                CommandSpec(name: "discard", abstract: l("scope.setAside.discard"),
                            arguments: [ArgumentSpec("record", help: l("scope.setAside.record"))]),
            ])
    }

    /// `user list|freeze|unfreeze|deactivate`: account administration over the API (SPEC §9.7).
    static func userSpec(_ l: Localizer) -> CommandSpec {
        CommandSpec(
            name: "user", abstract: l("scope.user.abstract"), discussion: l("scope.user.discussion"),
            subcommands: [
                CommandSpec(name: "list", abstract: l("scope.user.list"),
                            options: [OptionSpec("inactive", help: l("scope.user.inactive"), valueName: "days")]),
                CommandSpec(name: "freeze", abstract: l("scope.user.freeze"),
                            arguments: [ArgumentSpec("name", help: l("scope.user.name"))]),
                CommandSpec(name: "unfreeze", abstract: l("scope.user.unfreeze"),
                            arguments: [ArgumentSpec("name", help: l("scope.user.name"))]),
                CommandSpec(name: "deactivate", abstract: l("scope.user.deactivate"),
                            arguments: [ArgumentSpec("name", help: l("scope.user.name"))]),
            ])
    }

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
                if let days, days < 1 { throw CLIError.usage(l("scope.user.inactiveTooSmall")) }
                let listed = try await api.users(inactiveDays: days)
                if context.json {
                    context.printJSON(listed)
                    return
                }
                let users = listed.objectValue?["users"]?.arrayValue ?? []
                if users.isEmpty {
                    context.print(days.map { l("scope.user.allSynced", ["days": $0]) } ?? l("scope.user.none"))
                    return
                }
                context.print(TextTable(columns: ["name", "role", "branch", "state", "lastSync"].map { l("scope.user.column.\($0)") }, rows: users.map { user in
                    let object = user.objectValue ?? [:]
                    return ["name", "role", "branch", "state"].map { object[$0]?.stringValue ?? "" }
                        + [object["lastSync"]?.stringValue.map { String($0.prefix(16)).replacingOccurrences(of: "T", with: " ") } ?? l("scope.user.never")]
                }).rendered())
            case "freeze", "unfreeze", "deactivate":
                let name = try context.values.require("name")
                let state = ["freeze": "frozen", "unfreeze": "active", "deactivate": "deactivated"][command]!
                try await api.setUserState(name, to: state)
                context.print(l(["freeze": "scope.user.froze", "unfreeze": "scope.user.unfroze", "deactivate": "scope.user.deactivated"][command]!,
                                ["name": name]))
            default:
                throw CLIError.usage(l("scope.user.usage"))
            }
        } catch let error as SyncError {
            var situation = context.situation()
            situation.serverURL = settings.serverURL
            throw UserFacingError(error, situation: situation, l)
        }
    }

    /// The `status` line for `count` set-aside records.
    static func setAsideSummary(_ count: Int, _ l: Localizer) -> String {
        l.count("scope.setAside.summary", count)
    }

    /// The reason a record was set aside, in the user's language: the replica stores either the
    /// standard sentence (left the scope with unsent changes) or the server's refusal message,
    /// which is shown only with `--verbose`.
    static func setAsideReason(_ stored: String, verbose: Bool, _ l: Localizer) -> String {
        if stored == Replica.setAsideOutOfScopeReason || stored.isEmpty { return l("scope.setAside.reason.outOfScope") }
        let sentence = l("scope.setAside.reason.refused")
        return verbose ? sentence + " " + HelpStrings.labelled(l("error.detail"), stored) : sentence
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
            context.print(l("scope.reassign.done", ["count": moved.count, "from": from, "to": to, "codes": codes.joined(separator: ", ")]))
            context.print(l("scope.reassign.next"))
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
                context.print(l("scope.setAside.none"))
            } else {
                context.print(TextTable(columns: ["id", "type", "label", "reason"].map { l("scope.setAside.column.\($0)") }, rows: items.map { item in
                    [item.record.id.rawValue, item.record.type.rawValue,
                     ["code", "name", "summary", "purpose", "content"].lazy.compactMap { item.record.value(of: $0)?.stringValue }.first ?? "",
                     Self.setAsideReason(item.reason, verbose: context.verbose, l)]
                }, maxColumnWidth: 60).rendered())
            }
        case "export":
            context.out.write(String(decoding: try replica.exportSetAside(), as: UTF8.self) + "\n")
        case "discard":
            let text = try context.values.require("record")
            guard let id = try? RecordID(text), try replica.discardSetAside(id) else {
                throw CLIError.usage(l("scope.setAside.unknown", ["id": text]))
            }
            context.print(l("scope.setAside.discarded", ["id": id.rawValue]))
        default:
            throw CLIError.usage(l("scope.setAside.usage"))
        }
    }
}
