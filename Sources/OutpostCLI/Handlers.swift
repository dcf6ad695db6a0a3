import Foundation
import OutpostArguments
import OutpostClient
import OutpostJSON
import OutpostModel

/// Runs the command selected by the parser.
struct Handlers {
    let context: Context
    init(_ context: Context) { self.context = context }

    var values: ParsedValues { context.values }

    func run() async throws {
        let command = context.command
        switch command.first {
        case "init": try await initialize()
        case "status": try status()
        case "sync": try await sync()
        case "conflicts": try conflicts()
        case "resolve": try resolve()
        case "doctor": try Doctor(context: context).run()
        case _ where PolicyCommands.handles(command): try PolicyCommands(context: context).run()
        default:
            guard command.count == 2, let group = command.first, let type = EntityType(rawValue: group) else {
                throw CLIError.usage("Unknown command '\(command.joined(separator: " "))'.")
            }
            let records = RecordCommands(context: context, type: type)
            switch command[1] {
            case CommandTree.addCommand(type): try records.add()
            case "edit": try records.edit()
            case "list": try records.list()
            case "show": try records.show()
            case "delete": try records.delete()
            case "restore": try records.restore()
            default: throw CLIError.usage("Unknown command '\(command.joined(separator: " "))'.")
            }
        }
    }

    // MARK: init

    func initialize() async throws {
        let server = try values.require("server")
        let token = try values.require("token")
        let transport = try HTTPTransport(baseURL: server, timeout: TimeInterval(context.timeoutSeconds))
        let session: SessionInfo
        do {
            session = try await SyncAPI(transport: transport, token: token).session()
        } catch {
            var situation = context.situation()
            situation.serverURL = server
            situation.retry = "`outpost init`"
            situation.addressHint = ""
            situation.nothingLost = "nothing was stored"
            throw UserFacingError(error, situation: situation)
        }
        guard session.protocolVersions.contains(SyncProtocol.currentVersion) else {
            throw SyncError.unsupportedProtocol(serverVersions: session.protocolVersions)
        }
        let replica = try context.openReplica()
        let settings = ReplicaSettings(serverURL: server, token: token, user: session.user, role: session.role,
                                       branch: session.branch, serverID: session.serverID)
        try replica.configure(settings)
        if context.json {
            context.printJSON(.object([
                "server": .string(server), "user": .string(session.user), "role": .string(session.role.rawValue),
                "branch": .string(session.branch), "serverId": .string(session.serverID), "node": .string(replica.node.rawValue),
                "replica": .string(context.replicaLocation().path),
            ]))
        } else {
            context.print("Signed in to \(server) as \(session.user) (\(session.role.rawValue), branch \(session.branch)).")
            context.print("Your role \(session.role.summary). Run `outpost sync` to receive records.")
        }
    }

    // MARK: status

    func status() throws {
        let replica = try context.openReplica()
        let status = try replica.status()
        let path = context.replicaLocation().path
        if context.json {
            var object: [String: JSONValue] = [
                "replica": .string(path), "node": .string(status.node.rawValue), "pendingChanges": .int(Int64(status.pendingChanges)),
                "conflicts": .int(Int64(status.conflicts)), "records": .int(Int64(status.records)),
                "refused": .array(try replica.refusedEdits().map { .object(["id": .string($0.record.rawValue), "code": .string($0.code), "message": .string($0.message)]) }),
                "lastSync": status.lastSyncMillis.map { .string(Presentation.time($0)) } ?? .null,
                "server": .null, "user": .null, "role": .null, "branch": .null,
            ]
            if let settings = status.settings {
                object["server"] = .string(settings.serverURL)
                object["user"] = .string(settings.user)
                object["role"] = .string(settings.role.rawValue)
                object["branch"] = .string(settings.branch)
            }
            context.printJSON(.object(object))
            return
        }
        var rows: [(String, String)] = [("Replica", path), ("Node", status.node.rawValue)]
        if let settings = status.settings {
            rows.append(("Server", settings.serverURL))
            rows.append(("User", "\(settings.user) (\(settings.role.rawValue), branch \(settings.branch))"))
        } else {
            rows.append(("Server", "not set up — run `outpost init --server URL --token TOKEN`"))
        }
        rows.append(("Pending", status.pendingChanges == 0 ? "nothing to send" : plural(status.pendingChanges, "local edit") + " waiting to sync"))
        if status.refusedChanges > 0 {
            rows.append(("Refused", plural(status.refusedChanges, "edit") + " refused by the server (kept here; edit the record to retry):"))
            for edit in try replica.refusedEdits() { rows.append(("", "\(Presentation.short(edit.record))  \(edit.message)")) }
        }
        rows.append(("Conflicts", status.conflicts == 0 ? "none" : plural(status.conflicts, "record") + " — run `outpost conflicts`"))
        rows.append(("Records", String(status.records)))
        rows.append(("Last sync", status.lastSyncMillis.map(Presentation.time) ?? "never"))
        for (label, value) in rows {
            context.print(label.padding(toLength: 11, withPad: " ", startingAt: 0) + value)
        }
    }

    // MARK: sync

    func sync() async throws {
        let replica = try context.openReplica()
        guard let settings = try replica.settings() else { throw SyncError.notConfigured }
        let transport = try HTTPTransport(baseURL: settings.serverURL, timeout: TimeInterval(context.timeoutSeconds))
        let engine = SyncEngine(replica: replica, api: SyncAPI(transport: transport, token: settings.token))
        let printer = ProgressPrinter(output: context.err)
        let report: SyncReport
        do {
            report = try await engine.sync { progress in
                switch progress.phase {
                case .pushing where progress.toPush > 0:
                    printer.show("Pushing \(progress.pushed)/\(progress.toPush)…")
                case .pulling where progress.pulled > 0:
                    printer.show("Pulling \(progress.pulled)…")
                default:
                    break
                }
            }
        } catch let error as SyncError {
            var situation = context.situation()
            situation.serverURL = settings.serverURL
            situation.pendingChanges = try? replica.pendingChangeCount()
            throw UserFacingError(error, situation: situation)
        }
        if context.json {
            context.printJSON(.object([
                "pushed": .int(Int64(report.pushed)), "accepted": .int(Int64(report.accepted)), "merged": .int(Int64(report.merged)),
                "conflicted": .int(Int64(report.conflicted)), "pulled": .int(Int64(report.pulled)),
                "conflicts": .int(Int64(report.conflictsAfter)), "refused": .int(Int64(report.refused)),
            ]))
            return
        }
        var details: [String] = []
        if report.merged > 0 { details.append("\(report.merged) merged") }
        if report.conflicted > 0 { details.append(plural(report.conflicted, "conflict")) }
        var summary = "Pushed \(report.pushed)" + (details.isEmpty ? "" : " (\(details.joined(separator: ", ")))")
        summary += ", pulled \(report.pulled)."
        if report.refused > 0 {
            summary += " The server refused \(plural(report.refused, "edit")) — run `outpost status`."
        }
        if report.conflictsAfter > 0 {
            summary += " \(plural(report.conflictsAfter, "record")) in conflict — run `outpost conflicts`."
        }
        context.print(summary)
    }

    // MARK: conflicts

    func conflicts() throws {
        let replica = try context.openReplica()
        let records = try replica.conflictedRecords()
        let authors = try replica.authorNames()
        if context.json {
            context.printJSON(.array(records.map { Presentation.json($0, authors: authors) }))
            return
        }
        let duplicates = try replica.duplicateCustomerCodes()
        guard !records.isEmpty || !duplicates.isEmpty else {
            context.print("No conflicts.")
            return
        }
        let codes = try RecordCommands.customerCodes(replica)
        for (index, record) in records.enumerated() {
            if index > 0 { context.print("") }
            let deleted = record.isDeleted ? " [deleted]" : ""
            context.print("\(Presentation.short(record.id))  \(Presentation.label(record, codes: codes))\(deleted)")
            for line in Presentation.conflictLines(record, localNode: replica.node, authors: authors) { context.print(line) }
            for hint in Presentation.resolveHints(record) { context.print("  → \(hint)") }
        }
        // Codes must be unique, but two devices offline can pick the same one.
        for duplicate in duplicates {
            if !records.isEmpty || duplicate.code != duplicates.first?.code { context.print("") }
            context.print("Customer code \(duplicate.code) is used by \(duplicate.customers.count) customers:")
            for line in CLIError.Candidate.table(try duplicate.customers.compactMap { try replica.record($0) }.map(CLIError.Candidate.init)) {
                context.print(line)
            }
            context.print("  → outpost customer edit \(Presentation.short(duplicate.customers.last!)) --code NEW-CODE")
        }
    }

    // MARK: resolve

    func resolve() throws {
        let replica = try context.openReplica()
        let key = try values.require("record")
        let record = try RecordCommands.lookup(replica, key, type: nil)
        let restore = values.flag("restore"), delete = values.flag("delete")
        let pick = try values.int("pick")
        let newValue = values.option("value")
        let usesField = values.option("field") != nil || pick != nil || newValue != nil
        if restore && delete { throw CLIError.usage("Give either --restore or --delete, not both.") }
        if (restore || delete) && usesField {
            throw CLIError.usage("--restore and --delete resolve a delete conflict; they cannot be combined with --field, --pick or --value.")
        }
        let label = Presentation.label(record, codes: try RecordCommands.customerCodes(replica))
        if restore || delete {
            let hasLifecycleConflict = record.conflicts.contains { if case .deleteRacedEdit = $0 { return true } else { return false } }
            guard hasLifecycleConflict || (restore ? record.isDeleted : !record.isDeleted) else {
                throw CLIError.noConflict("The \(label) has no delete conflict and is already \(record.isDeleted ? "deleted" : "live").")
            }
            let result = restore ? try replica.restore(record.id) : try replica.delete(record.id)
            report(result, restore ? "Restored the \(label)." : "Deleted the \(label).", replica: replica)
            return
        }
        let fieldConflicts = record.conflicts.compactMap { conflict -> String? in
            if case .field(let name, _) = conflict { return name }
            return nil
        }
        var field = values.option("field")
        if field == nil {
            guard usesField || !fieldConflicts.isEmpty || !record.hasConflicts else {
                throw CLIError.usage("The \(label) has a delete conflict: resolve it with --restore or --delete.")
            }
            guard fieldConflicts.count == 1 else {
                if fieldConflicts.isEmpty { throw CLIError.noConflict("The \(label) has no conflict to resolve.") }
                throw CLIError.usage("The \(label) has conflicts in \(fieldConflicts.joined(separator: ", ")); name one with --field.")
            }
            field = fieldConflicts[0]
        }
        let name = RecordCommands.fieldName(field!, type: record.type)
        guard let schema = EntitySchema.for(record.type).field(name) else {
            throw ValidationError.unknownField(entity: record.type, field: field!)
        }
        let choice: Replica.ResolutionChoice
        switch (pick, newValue) {
        case (let number?, nil):
            guard number >= 1 else { throw CLIError.usage("--pick counts from 1 (the current value).") }
            // The numbers count distinct values, as `outpost conflicts` lists them.
            let siblings = record.conflicts.lazy.compactMap { conflict -> [Sibling<JSONValue>]? in
                if case .field(name, let siblings) = conflict { return siblings }
                return nil
            }.first ?? []
            let choices = Presentation.choices(siblings)
            guard choices.indices.contains(number - 1), let index = siblings.firstIndex(where: { $0.value == choices[number - 1].value }) else {
                if choices.isEmpty { throw CLIError.noConflict("The \(name) of the \(label) has no conflict to resolve.") }
                throw CLIError.usage("--pick \(number): the \(name) of the \(label) has \(choices.count) values to choose from (see `outpost conflicts`).")
            }
            choice = .sibling(index)
        case (nil, let text?):
            choice = .value(try FieldInput.value([text], for: schema, now: context.now).get())
        default:
            throw CLIError.usage("Give --pick N (a value listed by `outpost conflicts`) or --value TEXT.")
        }
        let result = try replica.resolve(record.id, field: name, choice: choice)
        report(result, "Resolved \(name) of the \(label): \(Presentation.quoted(result.value(of: name) ?? .null)).", replica: replica)
    }

    private func report(_ record: Record, _ message: String, replica: Replica) {
        if context.json {
            context.printJSON(Presentation.json(record))
        } else {
            var text = message
            if record.hasConflicts { text += " It still has conflicts: run `outpost conflicts`." }
            text += " Run `outpost sync` to share the decision."
            context.print(text)
        }
    }
}

/// `3 local edits`, `1 record`.
func plural(_ count: Int, _ noun: String) -> String {
    "\(count) \(noun)\(count == 1 ? "" : "s")"
}

/// Writes sync progress lines to standard error, skipping a line identical to the previous one.
final class ProgressPrinter: @unchecked Sendable {
    private let output: any TextOutput
    private let lock = NSLock()
    private var last = ""

    init(output: any TextOutput) { self.output = output }

    func show(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        guard line != last else { return }
        last = line
        output.write(line + "\n")
    }
}
