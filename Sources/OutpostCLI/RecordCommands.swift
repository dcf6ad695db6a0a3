import OutpostArguments
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostTerminal

/// `customer|contact|visit|complaint add/edit/list/show/delete/restore`.
struct RecordCommands {
    let context: Context
    let type: EntityType
    var schema: EntitySchema { EntitySchema.for(type) }
    var values: ParsedValues { context.values }
    var l: Localizer { context.l }
    var display: Display { context.display }

    // MARK: Lookups shared with other commands

    /// The record named by a full id, an id prefix (≥4 characters) or a customer code.
    ///
    /// A code freed by deleting its customer may be used again: the live customer is meant then
    /// (the deleted one when `preferDeleted`, as for `restore`). Two live customers sharing a
    /// code (created on two devices offline) are never guessed between: the command is refused
    /// with the candidates, to be named by id.
    static func lookup(_ replica: Replica, _ key: String, type: EntityType?, preferDeleted: Bool = false, _ l: Localizer) throws -> Record {
        if let id = try? RecordID(key), let record = try replica.record(id), type == nil || record.type == type {
            return record
        }
        let matches = try replica.find(key, type: type)
        if matches.count == 1 { return matches[0] }
        if matches.isEmpty {
            let what = l("entity.\(type?.rawValue ?? "record")")
            let hint = type.map { "`outpost \($0.rawValue) list`" } ?? "`list`"
            throw CLIError.operational(l(type == .customer || type == nil ? "lookup.noneWithCodes" : "lookup.none",
                                         ["thing": what, "key": key, "hint": hint]))
        }
        if matches.allSatisfy({ $0.type == .customer && $0.value(of: "code")?.stringValue == key }) {
            let preferred = matches.filter { $0.isDeleted == preferDeleted }
            if preferred.count == 1 { return preferred[0] }
            throw CLIError.sharedCode(key, candidates: (preferred.isEmpty ? matches : preferred).map(CLIError.Candidate.init))
        }
        throw CLIError.ambiguous(key, count: matches.count)
    }

    /// Customer codes by record id of the customers `records` belong to, for showing which
    /// customer a contact, visit or complaint belongs to (one indexed read per customer).
    static func customerCodes(_ replica: Replica, for records: [Record]) throws -> [RecordID: String] {
        try replica.customerCodes(of: records.compactMap { $0.value(of: "customer")?.stringValue.map(RecordID.init(unchecked:)) })
    }

    /// A field name given as `annualPurchase` or `annual-purchase`.
    static func fieldName(_ text: String, type: EntityType) -> String {
        EntitySchema.for(type).fields.first { $0.name == text || FieldInput.optionName(for: $0.name) == text }?.name ?? text
    }

    // MARK: Field values from options

    func fieldValues() throws -> [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        let now = context.now
        for field in schema.fields {
            if case .reference = field.kind { continue }
            let texts = values.options(FieldInput.optionName(for: field.name))
            guard !texts.isEmpty else { continue }
            fields[field.name] = try FieldInput.value(texts, for: field, now: now, local: context.local, l).get()
        }
        return fields
    }

    func customerForChild(_ replica: Replica, key: String) throws -> Record {
        let customer = try Self.lookup(replica, key, type: .customer, l)
        if customer.isDeleted {
            throw CLIError.operational(l("record.customerDeleted", ["label": display.label(customer), "id": Presentation.short(customer.id)]))
        }
        return customer
    }

    // MARK: Commands

    func add() throws {
        var fields = try fieldValues()
        let replica = try context.openReplica()
        if type != .customer {
            let customer = try customerForChild(replica, key: try values.require("customer"))
            fields["customer"] = .string(customer.id.rawValue)
        }
        if type == .visit && fields["plannedAt"] == nil && fields["actualAt"] == nil {
            fields["actualAt"] = .string(Timestamps.format(context.now / 1000 * 1000))
        }
        if type == .customer {
            try MergeCommand.checkBeforeAdding(fields, replica: replica, context: context)
            if fields["code"] == nil { fields["code"] = .string(try issueCode(replica)) }
        }
        let record = try replica.create(type, fields: fields)
        if context.json {
            context.printJSON(Presentation.json(record))
        } else {
            let label = display.label(record, codes: try Self.customerCodes(replica, for: [record]))
            context.print(l("record.added", ["label": label, "id": Presentation.short(record.id)]))
        }
    }

    /// The next code from this device's leased blocks, for `customer add` without `--code`. A device
    /// that never received a block is told to sync first (or type a code), not that its codes ran out.
    private func issueCode(_ replica: Replica) throws -> String {
        do {
            return try replica.issueCustomerCode(now: context.now)
        } catch PolicyError.noCodesLeft(let branch) {
            if try replica.hasCodeBlocks() { throw PolicyError.noCodesLeft(branch: branch) }
            throw CLIError.operational(l("customer.add.noCodeBlock", ["branch": branch]))
        }
    }

    func edit() throws {
        var fields = try fieldValues()
        for text in values.options("clear") {
            let name = Self.fieldName(text, type: type)
            guard let field = schema.field(name), field.kind != .reference(.customer) else {
                throw ValidationError.unknownField(entity: type, field: text)
            }
            if fields[name] != nil {
                throw CLIError.usage(l("record.clearAndSet", ["option": FieldInput.optionName(for: name), "field": text]))
            }
            fields[name] = .null
        }
        guard !fields.isEmpty else {
            throw CLIError.usage(l("record.nothingToChange"))
        }
        let replica = try context.openReplica()
        let record = try Self.lookup(replica, try values.require("record"), type: type, l)
        try MergeCommand.refuseMerged(record, replica: replica, context: context)
        let updated = try replica.update(record.id, fields: fields)
        if context.json {
            context.printJSON(Presentation.json(updated))
        } else {
            let label = display.label(updated, codes: try Self.customerCodes(replica, for: [updated]))
            context.print(l("record.updated", ["fields": fields.keys.sorted().joined(separator: ", "), "label": label]))
        }
    }

    func delete() throws {
        let replica = try context.openReplica()
        let record = try Self.lookup(replica, try values.require("record"), type: type, l)
        let label = display.label(record, codes: try Self.customerCodes(replica, for: [record]))
        guard !record.isDeleted else { throw CLIError.operational(l("record.alreadyDeleted", ["label": label])) }
        let deleted = try replica.delete(record.id)
        if context.json {
            context.printJSON(Presentation.json(deleted))
        } else {
            context.print(l("record.deleted", ["label": label, "type": type.rawValue, "id": Presentation.short(record.id)]))
        }
    }

    func restore() throws {
        let replica = try context.openReplica()
        let record = try Self.lookup(replica, try values.require("record"), type: type, preferDeleted: true, l)
        let label = display.label(record, codes: try Self.customerCodes(replica, for: [record]))
        guard record.isDeleted else { throw CLIError.operational(l("record.notDeleted", ["label": label])) }
        try MergeCommand.refuseRestoreMerged(record, replica: replica, context: context)
        if type == .customer, let code = record.value(of: "code")?.stringValue,
            let holder = try replica.find(code, type: .customer).first(where: { !$0.isDeleted && $0.value(of: "code")?.stringValue == code })
        {
            // Restoring would make two live customers share the code.
            throw CLIError.operational(l("record.codeTaken", ["code": code, "label": display.label(holder), "id": Presentation.short(holder.id)]))
        }
        let restored = try replica.restore(record.id)
        if context.json {
            context.printJSON(Presentation.json(restored))
        } else {
            context.print(l("record.restored", ["label": label]))
        }
    }

    func list() throws {
        let replica = try context.openReplica()
        let includeDeleted = values.flag("deleted")
        var customerFilter: RecordID?
        if type != .customer, let key = values.option("customer") {
            customerFilter = try Self.lookup(replica, key, type: .customer, l).id
        }
        let now = context.now
        // Records are streamed from the replica once, never all held (a table keeps its formatted rows in a RowSpool).
        switch type {
        case .customer:
            let tier = values.option("tier")
            if let tier, !EntitySchema.tiers.contains(tier) {
                throw ValidationError.invalidValue(entity: .customer, field: "tier", expected: FieldKind.oneOf(EntitySchema.tiers).summary, got: "'\(tier)'")
            }
            let owner = values.option("owner")
            let dueOnly = values.flag("due")
            func each(_ body: (VisitDue) throws -> Void) throws {
                func filtered(_ entry: VisitDue) throws {
                    if let tier, entry.customer.value(of: "tier")?.stringValue != tier { return }
                    if let owner, entry.customer.value(of: "owner")?.stringValue != owner { return }
                    try body(entry)
                }
                if dueOnly {
                    try replica.forEachCustomerDue(now: now, filtered)
                } else {
                    try replica.forEachCustomerSchedule(includeDeleted: includeDeleted, filtered)
                }
            }
            if context.json {
                return try printJSONArray { emit in
                    try each { entry in
                        emit(Presentation.json(entry.customer, extra: ["revisitDue": entry.dueMillis.map { .string(Presentation.time($0)) } ?? .null]))
                    }
                }
            }
            try printTable(["id", "code", "name", "kind", "tier", "owner", "status", "visitDue", "note"]) { emit in
                try each { entry in
                    let record = entry.customer
                    let visitDue: String
                    if let due = entry.dueMillis {
                        visitDue = display.date(due) + (due < now ? l("list.late") : "")
                    } else {
                        visitDue = l("list.noVisitYet")
                    }
                    emit([Presentation.short(record.id), text(record, "code"), text(record, "name"), text(record, "kind"),
                          text(record, "tier"), text(record, "owner"), text(record, "status"), visitDue, note(record)])
                }
            }
        case .contact:
            let each = { (body: (Record, String?) throws -> Void) throws in
                try replica.forEachRecord(.contact, customer: customerFilter, includeDeleted: includeDeleted, body)
            }
            if context.json { return try printJSONArray { emit in try each { record, _ in emit(Presentation.json(record)) } } }
            try printTable(["id", "customer", "name", "title", "phones", "email", "decides", "note"]) { emit in
                try each { record, code in
                    emit([Presentation.short(record.id), customer(record, code), text(record, "name"), text(record, "title"),
                          text(record, "phones"), text(record, "email"), text(record, "decisionMaker"), note(record)])
                }
            }
        case .visit:
            let each = { (body: (Record, String?) throws -> Void) throws in
                try replica.forEachRecord(.visit, customer: customerFilter, includeDeleted: includeDeleted, body)
            }
            if context.json { return try printJSONArray { emit in try each { record, _ in emit(Presentation.json(record)) } } }
            try printTable(["id", "customer", "when", "state", "method", "purpose", "summary", "note"]) { emit in
                try each { record, code in
                    let done = record.value(of: "actualAt")?.stringValue != nil
                    let when = display.compactTime((record.value(of: "actualAt") ?? record.value(of: "plannedAt"))?.stringValue)
                    emit([Presentation.short(record.id), customer(record, code), when, l(done ? "list.done" : "list.planned"),
                          text(record, "method"), text(record, "purpose"), text(record, "summary"), note(record)])
                }
            }
        case .complaint:
            let policy = try replica.policy()
            let openOnly = values.flag("open")
            func each(_ body: (Record, String?) throws -> Void) throws {
                if values.flag("overdue") {
                    // Overdue under the stored policy document; only the overdue ones are held.
                    return try replica.forEachOverdueComplaint(now: now, customer: customerFilter) { complaint, _, code in
                        try body(complaint, code)
                    }
                }
                try replica.forEachRecord(.complaint, customer: customerFilter, includeDeleted: includeDeleted) { record, code in
                    if openOnly && !Policies.openComplaintStatuses.contains(record.value(of: "status")?.stringValue ?? "open") { return }
                    try body(record, code)
                }
            }
            if context.json {
                return try printJSONArray { emit in
                    try each { record, _ in
                        let deadline = Policies.deadline(ofComplaint: record, now: now, policy: policy)
                        emit(Presentation.json(record, extra: [
                            "due": deadline.map { .string(Presentation.time($0.dueMillis)) } ?? .null,
                            "overdue": .bool(deadline?.isOverdue ?? false),
                        ]))
                    }
                }
            }
            try printTable(["id", "customer", "received", "category", "status", "due", "content", "note"]) { emit in
                try each { record, code in
                    let deadline = Policies.deadline(ofComplaint: record, now: now, policy: policy)
                    let due = deadline.map { display.time($0.dueMillis) + ($0.isOverdue ? l("list.overdue") : "") } ?? ""
                    emit([Presentation.short(record.id), customer(record, code), display.compactTime(text(record, "receivedAt")),
                          text(record, "category"), text(record, "status"), due, text(record, "content"), note(record)])
                }
            }
        }
    }

    func show() throws {
        let replica = try context.openReplica()
        let record = try Self.lookup(replica, try values.require("record"), type: type, l)
        let codes = try Self.customerCodes(replica, for: [record])
        let now = context.now
        let policy = try replica.policy()
        var extra: [String: JSONValue] = [:]
        var policyLines: [(String, String)] = []
        switch type {
        case .customer:
            let last = try replica.lastVisits(customer: record.id)[record.id]
            let tier = record.value(of: "tier")?.stringValue ?? ""
            let due = last.flatMap { policy.nextContactDue(tier: tier, lastContact: $0, calendar: policy.calendar(branch: record.branch)) }
            extra["lastVisit"] = last.map { .string(Presentation.time($0)) } ?? .null
            extra["revisitDue"] = due.map { .string(Presentation.time($0)) } ?? .null
            let contacts = try replica.count(.contact, customer: record.id)
            let visits = try replica.count(.visit, customer: record.id)
            let openComplaints = try replica.records(.complaint, customer: record.id)
                .filter { Policies.openComplaintStatuses.contains($0.value(of: "status")?.stringValue ?? "open") }.count
            extra["contacts"] = .int(Int64(contacts))
            extra["visits"] = .int(Int64(visits))
            extra["openComplaints"] = .int(Int64(openComplaints))
            let interval = Policies.revisitIntervalDays(tier: tier, policy: policy).map { l("show.interval", ["days": $0, "tier": tier]) } ?? l("show.unknownTier")
            if let due, let last {
                policyLines.append((l("show.revisitDue"), l("show.revisitDueValue", [
                    "due": display.date(due), "late": due < now ? l("show.late") : "", "last": display.date(last), "interval": interval,
                ])))
            } else {
                policyLines.append((l("show.revisitDue"), l("show.revisitNow", ["interval": interval])))
            }
            policyLines.append((l("show.contacts"), String(contacts)))
            policyLines.append((l("show.visits"), String(visits)))
            policyLines.append((l("show.openComplaints"), String(openComplaints)))
        case .complaint:
            let deadline = Policies.deadline(ofComplaint: record, now: now, policy: policy)
            extra["due"] = deadline.map { .string(Presentation.time($0.dueMillis)) } ?? .null
            if let deadline {
                policyLines.append((l("show.due"), display.time(deadline.dueMillis) + (deadline.isOverdue ? l("show.overdue") : "")))
            }
        case .contact, .visit:
            break
        }
        if context.json {
            context.printJSON(Presentation.json(record, extra: extra, authors: record.hasConflicts ? try replica.authorNames() : [:]))
            return
        }
        let conflicted = Set(record.conflicts.compactMap { conflict -> String? in
            if case .field(let name, _) = conflict { return name }
            return nil
        })
        var rows: [(String, String)] = [(l("fieldLabel.id"), record.id.rawValue), (l("fieldLabel.branch"), record.branch)]
        for field in schema.fields {
            var value = FieldInput.display(record.value(of: field.name))
            if case .reference = field.kind, let id = record.value(of: field.name)?.stringValue {
                value = "\(codes[RecordID(unchecked: id)] ?? "?") (\(id.prefix(8)))"
            }
            if field.kind == .timestamp, let text = record.value(of: field.name)?.stringValue, let millis = Timestamps.parse(text) {
                value = context.local.formatFull(millis)
            }
            if value.isEmpty { value = "—" }
            if conflicted.contains(field.name) { value += "   ⚠ " + l("show.inConflict") }
            rows.append((l("fieldLabel.\(field.name)"), value))
        }
        rows.append((l("show.modified"), context.local.formatFull(record.lastModified.millis)))
        if record.isDeleted { rows.append((l("show.deleted"), l("show.deletedValue", ["type": type.rawValue, "id": Presentation.short(record.id)]))) }
        rows += policyLines
        let width = (rows.map { DisplayWidth.of($0.0) }.max() ?? 0) + 2
        context.print(display.label(record, codes: codes).capitalizedFirst)
        for (label, value) in rows { context.print("  " + DisplayWidth.pad(label, to: width) + value) }
        if record.hasConflicts {
            context.print(l("show.conflicts"))
            let authors = try replica.authorNames()
            for line in display.conflictLines(record, localNode: replica.node, authors: authors) { context.print(line) }
            for hint in Presentation.resolveHints(record, l) { context.print("  → \(hint)") }
        }
    }

    // MARK: Table helpers

    /// Prints a table of the rows `rows` emits. The rows are read once: kept in a bounded
    /// ``RowSpool`` while the column widths are measured, then printed from it in blocks.
    private func printTable(_ columns: [String], rows: ((_ emit: ([String]) -> Void) throws -> Void)) throws {
        var table = TextTable(columns: columns.map { l("column.\($0)") }, rows: [])
        let spool = RowSpool()
        var count = 0
        var spoolError: (any Error)?
        try rows { row in
            table.measure(row)
            count += 1
            guard spoolError == nil else { return }
            do { try spool.append(row) } catch { spoolError = error }
        }
        if let spoolError { throw CLIError.operational(l("list.spoolFailed", ["reason": "\(spoolError)"])) }
        guard count > 0 else {
            // The list command's own options and flags narrow the list (`--deleted` widens it).
            let command = context.parsed.command
            let filters = command.options.compactMap { option in values.option(option.name).map { "--\(option.name) \($0)" } }
                + command.flags.map(\.name).filter { $0 != "deleted" && values.flag($0) }.map { "--\($0)" }
            let things = l("entity.\(type.rawValue).plural")
            context.print(filters.isEmpty ? l("list.empty", ["things": things])
                          : l("list.emptyFiltered", ["things": things, "filters": filters.joined(separator: " ")]))
            return
        }
        var block = table.line(table.columns) + "\n"
        do {
            try spool.forEach { row in
                block += table.line(row) + "\n"
                if block.utf8.count >= 65_536 {
                    context.out.write(block)
                    block = ""
                }
            }
        } catch let error as RowSpool.SpoolError {
            throw CLIError.operational(l("list.spoolFailed", ["reason": error.description]))
        }
        if !block.isEmpty { context.out.write(block) }
    }

    /// Prints a JSON array (as ``Context/printJSON(_:)`` would) of the values `elements` emits,
    /// one at a time.
    private func printJSONArray(_ elements: ((_ emit: (JSONValue) -> Void) throws -> Void)) throws {
        var block = ""
        var first = true
        try elements { value in
            block += (first ? "[\n  " : ",\n  ") + Presentation.indentedJSON(value)
            first = false
            if block.utf8.count >= 65_536 {
                context.out.write(block)
                block = ""
            }
        }
        context.out.write(block + (first ? "[]\n" : "\n]\n"))
    }

    private func text(_ record: Record, _ field: String) -> String { FieldInput.display(record.value(of: field)) }

    private func customer(_ record: Record, _ code: String?) -> String {
        guard let id = record.value(of: "customer")?.stringValue else { return "" }
        return code ?? String(id.prefix(8))
    }

    private func note(_ record: Record) -> String {
        var notes: [String] = []
        if record.isDeleted { notes.append(l("note.deleted")) }
        if record.hasConflicts { notes.append(l("note.conflict")) }
        return notes.joined(separator: l("list.comma"))
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
