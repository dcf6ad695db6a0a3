import Foundation
import OutpostArguments
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostTerminal

/// `outpost customer duplicates`, `outpost customer merge KEEP DUPLICATE` and the duplicate check of `customer add`.
struct MergeCommand {
    let context: Context
    var values: ParsedValues { context.values }
    var l: Localizer { context.l }
    var display: Display { context.display }

    /// The customer subcommands this file adds.
    static func specs(_ l: Localizer) -> [CommandSpec] {
        [
            CommandSpec(name: "duplicates", abstract: l("help.duplicates.abstract"), discussion: l("help.duplicates.discussion")),
            CommandSpec(
                name: "merge", abstract: l("help.merge.abstract"), discussion: l("help.merge.discussion"),
                arguments: [ArgumentSpec("keep", help: l("help.merge.keep")), ArgumentSpec("duplicate", help: l("help.merge.duplicate"))],
                options: [OptionSpec("take", help: l("help.merge.take"), valueName: "field", isRepeatable: true)],
                flags: [
                    FlagSpec("take-all", help: l("help.merge.takeAll")),
                    FlagSpec("yes", help: l("help.merge.yes")),
                ]),
        ]
    }

    /// The `--force` flag of `customer add`.
    static func forceFlag(_ l: Localizer) -> FlagSpec { FlagSpec("force", help: l("help.customer.force")) }

    /// Runs `duplicates` or `merge`; `false` for other verbs.
    func run(_ verb: String) throws -> Bool {
        switch verb {
        case "duplicates": try duplicates()
        case "merge": try merge()
        default: return false
        }
        return true
    }

    // MARK: Reasons

    static func reason(_ reason: DuplicateReason, _ l: Localizer) -> String {
        switch reason {
        case .sameCreditCode(let code): return l("duplicate.reason.creditCode", ["code": code])
        case .sameName(let key): return l("duplicate.reason.name", ["key": key])
        case .samePhone(let phone): return l("duplicate.reason.phone", ["phone": phone])
        }
    }

    static func reasonCode(_ reason: DuplicateReason) -> String {
        switch reason {
        case .sameCreditCode: return "creditCode"
        case .sameName: return "name"
        case .samePhone: return "phone"
        }
    }

    // MARK: Check before adding

    /// Refuses a new customer that looks like an existing one, naming it, unless `--force`.
    static func checkBeforeAdding(_ fields: [String: JSONValue], replica: Replica, context: Context) throws {
        guard !context.values.flag("force") else { return }
        let matches = try replica.possibleDuplicates(ofCustomer: fields)
        guard let first = matches.first, let existing = try replica.record(first.existing) else { return }
        let l = context.l
        let reasons = first.reasons.map { reason($0, l) }.joined(separator: l("list.comma"))
        var message = l("duplicate.refused", ["label": context.display.label(existing), "id": Presentation.short(existing.id), "reasons": reasons])
        if matches.count > 1 { message += " " + l.count("duplicate.more", matches.count - 1) }
        throw CLIError.operational(message)
    }

    /// Refuses to edit a merged duplicate, naming the customer it was merged into.
    static func refuseMerged(_ record: Record, replica: Replica, context: Context) throws {
        guard let target = CustomerMerge.mergedInto(record) else { return }
        let keep = try replica.record(target)
        throw CLIError.operational(context.l("merge.error.editMerged", [
            "label": context.display.label(record),
            "keep": keep.map { context.display.label($0) } ?? target.rawValue,
            "code": keep?.value(of: "code")?.stringValue ?? Presentation.short(target),
        ]))
    }

    /// Refuses to restore a merged duplicate: its contacts, visits and complaints, and its late
    /// edits, belong to the customer it was merged into.
    static func refuseRestoreMerged(_ record: Record, replica: Replica, context: Context) throws {
        guard let target = CustomerMerge.mergedInto(record) else { return }
        let keep = try replica.record(target)
        throw CLIError.operational(context.l("merge.error.restoreMerged", [
            "label": context.display.label(record), "keep": keep.map { context.display.label($0) } ?? target.rawValue,
            "id": Presentation.short(record.id),
        ]))
    }

    /// For `outpost conflicts`: a merged duplicate's late edits were moved to the customer it was merged into.
    static func mergedNote(_ record: Record, replica: Replica, context: Context) throws -> String? {
        guard let target = CustomerMerge.mergedInto(record) else { return nil }
        let keep = try replica.record(target)
        return context.l("merge.conflictNote", ["keep": keep.map { context.display.label($0) } ?? target.rawValue,
                                                "id": Presentation.short(record.id)])
    }

    // MARK: duplicates

    func duplicates() throws {
        let replica = try context.openReplica()
        let groups = try replica.duplicatesReport()
        if context.json {
            context.printJSON(.array(groups.map { group in
                .array(group.customers.enumerated().map { index, customer in
                    Presentation.json(customer, extra: ["reasons": .array(group.reasons[index].map { .string(Self.reasonCode($0)) })])
                })
            }))
            return
        }
        guard !groups.isEmpty else {
            context.print(l("duplicates.none"))
            return
        }
        context.print(l.count("duplicates.found", groups.count))
        for (number, group) in groups.enumerated() {
            context.print("")
            context.print(l("duplicates.group", ["number": number + 1]))
            let rows = group.customers.enumerated().map { index, customer in
                [Presentation.short(customer.id), customer.value(of: "code")?.stringValue ?? "", customer.value(of: "name")?.stringValue ?? "",
                 customer.value(of: "owner")?.stringValue ?? "", group.reasons[index].map { Self.reason($0, l) }.joined(separator: l("list.comma"))]
            }
            let columns = ["id", "code", "name", "owner", "why"].map { l("column.\($0)") }
            for line in TextTable(columns: columns, rows: rows).rendered().split(separator: "\n") { context.print("  " + line) }
            if group.customers.count >= 2 {
                let keep = group.customers[0].value(of: "code")?.stringValue ?? Presentation.short(group.customers[0].id)
                let duplicate = group.customers[1].value(of: "code")?.stringValue ?? Presentation.short(group.customers[1].id)
                context.print("  → outpost customer merge \(keep) \(duplicate)")
            }
        }
    }

    // MARK: merge

    func merge() throws {
        let replica = try context.openReplica()
        let keep = try RecordCommands.lookup(replica, try values.require("keep"), type: .customer, l)
        let duplicate = try RecordCommands.lookup(replica, try values.require("duplicate"), type: .customer, l)
        do {
            try CustomerMerge.check(keep: keep, duplicate: duplicate)
        } catch {
            throw CLIError.operational(message(error, keep: keep, duplicate: duplicate))
        }
        let differing = CustomerMerge.differingFields(keep: keep, duplicate: duplicate)
        var taken = Set<String>()
        for text in values.options("take") {
            let name = RecordCommands.fieldName(text, type: .customer)
            guard EntitySchema.customer.field(name) != nil, name != CustomerMerge.mergedIntoField else {
                throw ValidationError.unknownField(entity: .customer, field: text)
            }
            taken.insert(name)
        }
        if values.flag("take-all") { taken.formUnion(differing.filter { $0 != "code" && $0 != "sharedWith" }) }
        let interactive = values.options("take").isEmpty && !values.flag("take-all") && !values.flag("yes") && !context.json
            && isatty(STDIN_FILENO) == 1
        var chosen: [String: JSONValue] = [:]
        let fillIn = CustomerMerge.fillIn(keep: keep, duplicate: duplicate)
        for name in differing {
            let mine = keep.value(of: name), theirs = duplicate.value(of: name)
            var takeDuplicate = taken.contains(name) || fillIn[name] != nil
            if interactive && name != "code" && mine != nil && mine != .null {
                context.print(l("merge.prompt", ["field": name, "keep": FieldInput.display(mine), "duplicate": FieldInput.display(theirs)]))
                context.out.write(l("merge.choose"))
                let answer = readLine()?.trimmingCharacters(in: .whitespaces) ?? ""
                takeDuplicate = answer == "2"
            }
            if name == "code" { takeDuplicate = taken.contains("code") }
            if takeDuplicate, let theirs { chosen[name] = theirs }
        }
        let result: CustomerMergeResult
        do {
            result = try replica.mergeCustomer(keep: keep.id, duplicate: duplicate.id, values: chosen)
        } catch let error as MergeError {
            throw CLIError.operational(message(error, keep: keep, duplicate: duplicate))
        }
        if context.json {
            context.printJSON(.object([
                "keep": Presentation.json(result.keep), "duplicate": Presentation.json(result.duplicate),
                "repointed": .int(Int64(result.repointed)), "taken": .array(chosen.keys.sorted().map { .string($0) }),
            ]))
            return
        }
        context.print(l("merge.done", [
            "duplicate": display.label(duplicate), "keep": display.label(result.keep),
            "taken": chosen.isEmpty ? l("merge.nothingTaken") : chosen.keys.sorted().joined(separator: ", "),
        ]))
        context.print(l.count("merge.repointed", result.repointed) + l("merge.next"))
    }

    func message(_ error: MergeError, keep: Record, duplicate: Record) -> String {
        switch error {
        case .notCustomers: return l("merge.error.notCustomers")
        case .same: return l("merge.error.same")
        case .deleted(let id): return l("merge.error.deleted", ["label": display.label(id == keep.id ? keep : duplicate)])
        case .differentBranches(let a, let b): return l("merge.error.branches", ["keep": a, "duplicate": b])
        case .identityField(let field): return l("merge.error.field", ["field": field])
        case .notAllowed(let role): return l("merge.error.role", ["role": role])
        }
    }
}
