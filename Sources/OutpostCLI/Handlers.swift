import Foundation
import OutpostArguments
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostTerminal

/// Runs the command selected by the parser.
struct Handlers {
    let context: Context
    init(_ context: Context) { self.context = context }

    var values: ParsedValues { context.values }
    var l: Localizer { context.l }
    var display: Display { context.display }

    func run() async throws {
        let command = context.command
        if let code = values.option("lang"), Language(code: code) == nil {
            throw CLIError.usage(l("config.badLanguage", ["value": code]))
        }
        switch command.first {
        case "init": try await initialize()
        case "status": try status()
        case "sync": try await sync()
        case "conflicts": try conflicts()
        case "resolve": try resolve()
        case "doctor": try Doctor(context: context).run()
        case "config": try ConfigCommands(context: context).run()
        case "completion": try completion()
        case "set-aside": try ScopeCommands(context: context).setAside()
        case "user": try await ScopeCommands(context: context).user()
        case _ where PolicyCommands.handles(command): try PolicyCommands(context: context).run()
        case "import", "export": try ImportExportCommands(context: context).run()
        default:
            guard command.count == 2, let group = command.first, let type = EntityType(rawValue: group) else {
                throw CLIError.usage(l("error.unknownCommand", ["command": command.joined(separator: " ")]))
            }
            if type == .customer, try MergeCommand(context: context).run(command[1]) { return }
            let records = RecordCommands(context: context, type: type)
            switch command[1] {
            case CommandTree.addCommand(type): try records.add()
            case "edit": try records.edit()
            case "list": try records.list()
            case "show": try records.show()
            case "delete": try records.delete()
            case "reassign" where type == .customer: try ScopeCommands(context: context).reassign()
            case "restore": try records.restore()
            default: throw CLIError.usage(l("error.unknownCommand", ["command": command.joined(separator: " ")]))
            }
        }
    }

    // MARK: init

    /// The token of `init`: `--token TOKEN`, `--token -` (standard input) or `--token-file PATH`
    /// (the first line, surrounding whitespace trimmed), so it can stay out of `ps` and shell history.
    func initToken() throws -> String {
        let inline = values.option("token"), file = values.option("token-file")
        if inline != nil && file != nil { throw CLIError.usage(l("init.tokenTwice")) }
        guard inline == "-" || file != nil else {
            guard let inline else { throw CLIError.usage(l("init.tokenMissing")) }
            return inline
        }
        let source = file.map { $0 == "-" ? l("init.standardInput") : $0 } ?? l("init.standardInput")
        let data: Data
        if let file, file != "-" {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw CLIError.operational(l("init.tokenUnreadable", ["source": file]))
            }
            data = contents
        } else {
            data = FileHandle.standardInput.readDataToEndOfFile()
        }
        let firstLine = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first ?? ""
        let token = firstLine.trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else { throw CLIError.operational(l("init.tokenEmpty", ["source": source])) }
        return token
    }

    func initialize() async throws {
        let server = try values.require("server")
        let token = try initToken()
        let transport = try HTTPTransport(baseURL: server, timeout: TimeInterval(context.timeoutSeconds))
        let session: SessionInfo
        do {
            session = try await SyncAPI(transport: transport, token: token).session()
        } catch {
            var situation = context.situation()
            situation.serverURL = server
            situation.retry = "`outpost init`"
            situation.addressHint = ""
            situation.nothingLost = l("error.nothingStored")
            throw UserFacingError(error, situation: situation, l)
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
            context.print(l("init.signedIn", ["server": server, "user": session.user, "role": session.role.rawValue, "branch": session.branch]))
            context.print(l("init.role.\(session.role.rawValue)") + l("init.next"))
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
                "setAside": .int(Int64(status.setAside)),
                "refused": .array(try replica.refusedEdits().map { .object(["id": .string($0.record.rawValue), "code": .string($0.code), "message": .string($0.message)]) }),
                "lastSync": status.lastSyncMillis.map { .string(Presentation.time($0)) } ?? .null,
                "language": .string(l.language.rawValue), "timeZone": .string(context.local.timeZone.identifier),
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
        var rows: [(String, String)] = [(l("status.replica"), path), (l("status.node"), status.node.rawValue)]
        if let settings = status.settings {
            rows.append((l("status.server"), settings.serverURL))
            rows.append((l("status.user"), l("status.userValue", ["user": settings.user, "role": settings.role.rawValue, "branch": settings.branch])))
        } else {
            rows.append((l("status.server"), l("status.notSetUp")))
        }
        rows.append((l("status.pending"), status.pendingChanges == 0 ? l("status.nothingToSend") : l.count("status.pendingEdits", status.pendingChanges)))
        if status.refusedChanges > 0 {
            rows.append((l("status.refused"), l.count("status.refusedEdits", status.refusedChanges)))
            for edit in try replica.refusedEdits() {
                rows.append(("", "\(Presentation.short(edit.record))  \(UserFacingError.refusal(edit.code, l))"))
                if context.verbose { rows.append(("", "    " + HelpStrings.labelled(l("error.detail"), "\(edit.code): \(edit.message)"))) }
            }
        }
        if status.setAside > 0 { rows.append((l("status.setAside"), ScopeCommands.setAsideSummary(status.setAside, l))) }
        rows.append((l("status.conflicts"), status.conflicts == 0 ? l("status.none") : l.count("status.conflictRecords", status.conflicts)))
        rows.append((l("status.records"), String(status.records)))
        rows.append((l("status.lastSync"), status.lastSyncMillis.map(display.time) ?? l("status.never")))
        rows.append((l("status.timeZone"), context.local.timeZone.identifier))
        let width = (rows.map { DisplayWidth.of($0.0) }.max() ?? 0) + 2
        for (label, value) in rows {
            context.print(DisplayWidth.pad(label, to: width) + value)
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
                    printer.show(l("sync.pushing", ["done": progress.pushed, "total": progress.toPush]))
                case .pulling where progress.pulled > 0:
                    printer.show(l("sync.pulling", ["count": progress.pulled]))
                default:
                    break
                }
            }
        } catch let error as SyncError {
            var situation = context.situation()
            situation.serverURL = settings.serverURL
            situation.pendingChanges = try? replica.pendingChangeCount()
            throw UserFacingError(error, situation: situation, l)
        }
        if context.json {
            context.printJSON(.object([
                "pushed": .int(Int64(report.pushed)), "accepted": .int(Int64(report.accepted)), "merged": .int(Int64(report.merged)),
                "conflicted": .int(Int64(report.conflicted)), "pulled": .int(Int64(report.pulled)),
                "conflicts": .int(Int64(report.conflictsAfter)), "refused": .int(Int64(report.refused)),
                "policyVersion": .int(report.policyVersion), "codesLeased": .int(report.codesLeased),
            ]))
            return
        }
        PolicyCommands(context: context).noteSync(report)
        var details: [String] = []
        if report.merged > 0 { details.append(l("sync.merged", ["count": report.merged])) }
        if report.conflicted > 0 { details.append(l.count("sync.conflicted", report.conflicted)) }
        var summary = l("sync.pushed", ["count": report.pushed])
            + (details.isEmpty ? "" : l("sync.details", ["details": details.joined(separator: l("list.comma"))]))
        summary += l("sync.pulled", ["count": report.pulled])
        if report.refused > 0 { summary += l.count("sync.refused", report.refused) }
        if report.conflictsAfter > 0 { summary += l.count("sync.inConflict", report.conflictsAfter) }
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
            context.print(l("conflicts.none"))
            return
        }
        let codes = try RecordCommands.customerCodes(replica, for: records)
        for (index, record) in records.enumerated() {
            if index > 0 { context.print("") }
            let deleted = record.isDeleted ? " [\(l("note.deleted"))]" : ""
            context.print("\(Presentation.short(record.id))  \(display.label(record, codes: codes))\(deleted)")
            for line in display.conflictLines(record, localNode: replica.node, authors: authors) { context.print(line) }
            for hint in Presentation.resolveHints(record, l) { context.print("  → \(hint)") }
            if let note = try MergeCommand.mergedNote(record, replica: replica, context: context) { context.print("  → \(note)") }
        }
        // Codes must be unique, but two devices offline can pick the same one.
        for duplicate in duplicates {
            if !records.isEmpty || duplicate.code != duplicates.first?.code { context.print("") }
            context.print(l("conflicts.sharedCode", ["code": duplicate.code, "count": duplicate.customers.count]))
            for line in CLIError.Candidate.table(try duplicate.customers.compactMap { try replica.record($0) }.map(CLIError.Candidate.init), l) {
                context.print(line)
            }
            context.print("  → outpost customer edit \(Presentation.short(duplicate.customers.last!)) --code " + l("hint.newCode"))
        }
    }

    // MARK: resolve

    func resolve() throws {
        let replica = try context.openReplica()
        let key = try values.require("record")
        let record = try RecordCommands.lookup(replica, key, type: nil, l)
        let restore = values.flag("restore"), delete = values.flag("delete")
        let pick = try values.int("pick")
        let newValue = values.option("value")
        let usesField = values.option("field") != nil || pick != nil || newValue != nil
        if restore && delete { throw CLIError.usage(l("resolve.restoreOrDelete")) }
        if (restore || delete) && usesField { throw CLIError.usage(l("resolve.lifecycleWithField")) }
        let label = display.label(record, codes: try RecordCommands.customerCodes(replica, for: [record]))
        if restore || delete {
            if restore { try MergeCommand.refuseRestoreMerged(record, replica: replica, context: context) }
            let hasLifecycleConflict = record.conflicts.contains { if case .deleteRacedEdit = $0 { return true } else { return false } }
            guard hasLifecycleConflict || (restore ? record.isDeleted : !record.isDeleted) else {
                throw CLIError.noConflict(l(record.isDeleted ? "resolve.noDeleteConflict.deleted" : "resolve.noDeleteConflict.live", ["label": label]))
            }
            let result = restore ? try replica.restore(record.id) : try replica.delete(record.id)
            report(result, l(restore ? "resolve.restored" : "resolve.deleted", ["label": label]), replica: replica)
            return
        }
        let fieldConflicts = record.conflicts.compactMap { conflict -> String? in
            if case .field(let name, _) = conflict { return name }
            return nil
        }
        var field = values.option("field")
        if field == nil {
            guard usesField || !fieldConflicts.isEmpty || !record.hasConflicts else {
                throw CLIError.usage(l("resolve.hasDeleteConflict", ["label": label]))
            }
            guard fieldConflicts.count == 1 else {
                if fieldConflicts.isEmpty { throw CLIError.noConflict(l("resolve.noConflict", ["label": label])) }
                throw CLIError.usage(l("resolve.nameField", ["label": label, "fields": fieldConflicts.joined(separator: ", ")]))
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
            guard number >= 1 else { throw CLIError.usage(l("resolve.pickFromOne")) }
            // The numbers count distinct values, as `outpost conflicts` lists them.
            let siblings = record.conflicts.lazy.compactMap { conflict -> [Sibling<JSONValue>]? in
                if case .field(name, let siblings) = conflict { return siblings }
                return nil
            }.first ?? []
            let choices = Presentation.choices(siblings)
            guard choices.indices.contains(number - 1), let index = siblings.firstIndex(where: { $0.value == choices[number - 1].value }) else {
                if choices.isEmpty { throw CLIError.noConflict(l("resolve.fieldNoConflict", ["field": name, "label": label])) }
                throw CLIError.usage(l("resolve.pickOutOfRange", ["number": number, "field": name, "label": label, "count": choices.count]))
            }
            choice = .sibling(index)
        case (nil, let text?):
            choice = .value(try FieldInput.value([text], for: schema, now: context.now, local: context.local, l).get())
        default:
            throw CLIError.usage(l("resolve.pickOrValue"))
        }
        let result = try replica.resolve(record.id, field: name, choice: choice)
        report(result, l("resolve.resolved", ["field": name, "label": label, "value": display.quoted(result.value(of: name) ?? .null)]), replica: replica)
    }

    private func report(_ record: Record, _ message: String, replica: Replica) {
        if context.json {
            context.printJSON(Presentation.json(record))
        } else {
            var text = message
            if record.hasConflicts { text += l("resolve.stillConflicts") }
            text += l("resolve.shareDecision")
            context.print(text)
        }
    }

    // MARK: completion

    func completion() throws {
        let name = try values.require("shell")
        guard let shell = CompletionShell(rawValue: name) else {
            throw CLIError.usage(l("completion.unknownShell", ["shell": name]))
        }
        context.out.write(CommandTree.root(l).completionScript(for: shell))
    }
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
