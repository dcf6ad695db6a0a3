import Foundation
import OutpostJSON
import OutpostModel
import OutpostStore

/// What is wrong with one cell or row of an imported file.
public enum ImportProblem: Error, Sendable, Hashable {
    /// The text cannot be read as the field's kind (`kind` says what was expected).
    case unreadable(text: String, kind: FieldKind)
    /// Refused by the entity schema.
    case invalid(ValidationError)
    /// A credit code that is not a valid unified social credit code.
    case creditCode(text: String, problem: CreditCode.Problem)
    /// A required field is empty.
    case missing
    /// No live customer on this device has this code.
    case unknownCustomer(code: String)
    /// The same code (contacts: customer and name; visits: customer, time and method) appears on
    /// an earlier line of the file; `code` is the identifying value of this row.
    case repeatedCode(code: String, firstLine: Int)
    /// The row has more fields than the header.
    case extraFields(expected: Int, got: Int)
    /// A time the clocks skip (summer time).
    case skippedTime(text: String)
    /// The signed-in user may not assign customers to others or share them (`user` is who they are).
    case notYours(user: String)
}

/// One bad row (or cell) of an imported file: its line in the file and the column it is about.
public struct ImportIssue: Sendable, Hashable {
    /// The 1-based line of the file the row starts on.
    public var line: Int
    /// The column as headed in the file (empty for a whole-row problem).
    public var column: String
    /// The entity field, when the problem is about one.
    public var field: String?
    /// What is wrong.
    public var problem: ImportProblem
}

/// A row that looks like an existing customer (or an earlier row), reported but imported.
public struct ImportDuplicate: Sendable, Hashable {
    /// The line of the row.
    public var line: Int
    /// The code of the row's customer.
    public var code: String
    /// The customer it may duplicate, already on the device …
    public var existing: RecordID?
    /// … or on an earlier line of the file.
    public var earlierLine: Int?
    /// Why (credit code, name).
    public var reasons: [DuplicateReason]
}

/// Why a whole file cannot be imported.
public enum ImportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Only customers, contacts and visits are imported.
    case unsupportedType(EntityType)
    /// The bytes are not text in a known encoding.
    case encoding(TextDecodingError)
    /// The CSV structure is broken.
    case malformed(CSV.ParseError)
    /// The file has no header row.
    case empty
    /// A column the entity needs is missing from the header (`field` is the entity field).
    case missingColumn(field: String)
    /// Two columns map to the same field.
    case repeatedColumn(field: String, headers: [String])

    public var description: String {
        switch self {
        case .unsupportedType(let type): return "\(type.rawValue) records cannot be imported."
        case .encoding(let error): return error.description
        case .malformed(let error): return error.description
        case .empty: return "The file is empty: it needs a header row."
        case .missingColumn(let field): return "The file has no column for '\(field)'."
        case .repeatedColumn(let field, let headers): return "Columns \(headers.joined(separator: ", ")) all mean '\(field)'."
        }
    }
}

/// The outcome of reading (and, unless a dry run, storing) one CSV file.
public struct ImportReport: Sendable, Hashable {
    /// The encoding the file was read in.
    public var encoding: TextEncoding = .utf8
    /// Data rows in the file (header excluded).
    public var rows = 0
    /// Rows that add a new record.
    public var created = 0
    /// Rows matching an existing record (by code; contacts by customer and name; visits by customer, time and method) with new values.
    public var updated = 0
    /// Rows matching an existing record that already holds their values.
    public var unchanged = 0
    /// Bad rows, left out, in line order.
    public var issues: [ImportIssue] = []
    /// Header cells import does not read.
    public var ignoredColumns: [String] = []
    /// Rows that look like other customers (imported all the same; see `outpost customer duplicates`).
    public var duplicates: [ImportDuplicate] = []
    /// `true` when the valid rows were written (not a dry run, not refused as all-or-nothing).
    public var stored = false

    /// The lines of the bad rows, each once.
    public var badLines: [Int] { Array(Set(issues.map(\.line))).sorted() }
}

/// Options of an import.
public struct ImportOptions: Sendable {
    /// Check the file and report, storing nothing.
    public var dryRun = false
    /// Store nothing unless every row is valid.
    public var allOrNothing = false
    /// Reads dates without an offset (`2026-11-24 09:30`).
    public var local: LocalTime
    /// Now, UTC milliseconds (for `today 9:30`).
    public var now: Int64
    /// Rows per transaction.
    public var chunkSize = 2_000

    /// Options reading local times in `local`.
    public init(local: LocalTime, now: Int64, dryRun: Bool = false, allOrNothing: Bool = false) {
        self.local = local
        self.now = now
        self.dryRun = dryRun
        self.allOrNothing = allOrNothing
    }
}

extension Replica {
    /// Imports a CSV file of customers, contacts or visits (`outpost import`): decodes UTF-8
    /// (with or without BOM) or GB18030/GBK, maps the header (English or Chinese), validates every
    /// row and stores the valid ones as local edits (synced as usual) — or nothing with
    /// ``ImportOptions/allOrNothing`` when a row is bad, or with ``ImportOptions/dryRun``.
    /// Rows matching an existing record update it, so importing the same file twice adds nothing.
    ///
    /// ```swift
    /// let report = try replica.importCSV(.customer, bytes: Array(data), options: ImportOptions(local: local, now: now))
    /// for issue in report.issues { print(issue.line, issue.column, issue.problem) }
    /// ```
    ///
    /// - Parameter progress: called with (rows done, rows in file) while storing.
    /// - Throws: ``ImportError`` when the file as a whole cannot be read; ``ReplicaError`` or a
    ///   database error when storing fails (the chunks stored before stay; importing again completes it).
    public func importCSV(_ type: EntityType, bytes: [UInt8], options: ImportOptions,
                          progress: (Int, Int) -> Void = { _, _ in }) throws -> ImportReport {
        guard type == .customer || type == .contact || type == .visit else { throw ImportError.unsupportedType(type) }
        var report = ImportReport()
        let text: String
        do {
            (text, report.encoding) = try TextDecoding.decode(bytes)
        } catch {
            throw ImportError.encoding(error)
        }
        let rows: [CSV.Row]
        do {
            rows = try CSV.parse(text)
        } catch {
            throw ImportError.malformed(error)
        }
        guard let header = rows.first else { throw ImportError.empty }
        let schema = EntitySchema.for(type)
        // Column index → field.
        var columns: [Int: FieldSchema] = [:]
        var headersByField: [String: [String]] = [:]
        for (index, cell) in header.fields.enumerated() {
            if let name = CSVColumns.field(forHeader: cell, type: type), let field = schema.field(name) {
                columns[index] = field
                headersByField[name, default: []].append(cell)
            } else if !cell.trimmingCharacters(in: .whitespaces).isEmpty {
                report.ignoredColumns.append(cell)
            }
        }
        if let (field, headers) = headersByField.sorted(by: { $0.key < $1.key }).first(where: { $0.value.count > 1 }) {
            throw ImportError.repeatedColumn(field: field, headers: headers)
        }
        for field in schema.fields where field.required && headersByField[field.name] == nil {
            // A visit without a customer column, a customer without a code… cannot be imported.
            throw ImportError.missingColumn(field: field.name)
        }
        let dataRows = rows.dropFirst()
        report.rows = dataRows.count

        let context = try importContext(type)
        let policy = try self.policy()
        var plan: [PlannedImport] = []
        var seenKeys: [String: Int] = [:]
        var nameKeys: [String: (line: Int, code: String)] = [:]
        var creditKeys: [String: (line: Int, code: String)] = [:]
        for row in dataRows {
            var values: [String: JSONValue] = [:]
            var issues: [ImportIssue] = []
            if row.fields.count > header.fields.count, row.fields[header.fields.count...].contains(where: { !$0.isEmpty }) {
                issues.append(ImportIssue(line: row.line, column: "", field: nil,
                                          problem: .extraFields(expected: header.fields.count, got: row.fields.count)))
            }
            for (index, field) in columns {
                let cellText = index < row.fields.count ? row.fields[index].trimmingCharacters(in: .whitespacesAndNewlines) : ""
                let column = header.fields[index]
                if cellText.isEmpty {
                    if field.required {
                        issues.append(ImportIssue(line: row.line, column: column, field: field.name, problem: .missing))
                    }
                    continue
                }
                if field.name == "customer" {
                    if let id = context.customersByCode[cellText] {
                        values["customer"] = .string(id.rawValue)
                    } else {
                        issues.append(ImportIssue(line: row.line, column: column, field: field.name, problem: .unknownCustomer(code: cellText)))
                    }
                    continue
                }
                switch Self.cellValue(cellText, field: field, options: options) {
                case .success(let value):
                    do throws(ValidationError) {
                        try schema.validate(value, for: field)
                        if field.name == "survey" { try policy.checkSurvey(in: ["survey": value]) }
                        values[field.name] = value
                    } catch {
                        issues.append(ImportIssue(line: row.line, column: column, field: field.name, problem: .invalid(error)))
                    }
                case .failure(let problem):
                    issues.append(ImportIssue(line: row.line, column: column, field: field.name, problem: problem))
                }
            }
            if type == .visit && issues.isEmpty && values["plannedAt"] == nil && values["actualAt"] == nil {
                let column = headersByField["actualAt"]?.first ?? "actualAt"
                issues.append(ImportIssue(line: row.line, column: column, field: "actualAt", problem: .missing))
            }
            guard issues.isEmpty else {
                report.issues += issues.sorted { ($0.column, $0.field ?? "") < ($1.column, $1.field ?? "") }
                continue
            }
            let key = Self.matchKey(type, values)
            if let first = seenKeys[key] {
                // Name the row by what identifies it: the code, the contact's name, the visit's time.
                let field = type == .customer ? "code" : type == .contact ? "name" : values["actualAt"] != nil ? "actualAt" : "plannedAt"
                let column = headersByField[field]?.first ?? field
                report.issues.append(ImportIssue(line: row.line, column: column, field: field,
                                                 problem: .repeatedCode(code: values[field]?.stringValue ?? "", firstLine: first)))
                continue
            }
            if type == .customer, let user = context.user {
                // As when adding one by hand: a new customer is the user's own, and only roles that
                // assign customers may name another owner or share it.
                let existing = context.existing[key]
                if existing == nil && values["owner"] == nil { values["owner"] = .string(user) }
                if !context.canAssign {
                    let owner = values["owner"], shared = values["sharedWith"]
                    let reassigns = existing.map { owner != nil && owner != $0.value(of: "owner") } ?? (owner != .string(user))
                    let shares = existing.map { shared != nil && shared != $0.value(of: "sharedWith") } ?? !(shared?.arrayValue?.isEmpty ?? true)
                    if reassigns || shares {
                        let field = reassigns ? "owner" : "sharedWith"
                        report.issues.append(ImportIssue(line: row.line, column: headersByField[field]?.first ?? field, field: field,
                                                         problem: .notYours(user: user)))
                        continue
                    }
                }
            }
            seenKeys[key] = row.line
            if let existing = context.existing[key] {
                let changed = values.filter { existing.value(of: $0.key) != $0.value }
                if changed.isEmpty {
                    report.unchanged += 1
                } else {
                    report.updated += 1
                    plan.append(PlannedImport(line: row.line, existing: existing.id, values: changed))
                }
                continue
            }
            report.created += 1
            plan.append(PlannedImport(line: row.line, existing: nil, values: values))
            if type == .customer {
                let code = values["code"]?.stringValue ?? ""
                let keys = CustomerMatchKeys(customer: values)
                var reasons: [DuplicateReason] = []
                var existing: RecordID?
                var earlier: Int?
                if let credit = keys.creditCode {
                    if let id = context.creditCodes[credit] { existing = id; reasons.append(.sameCreditCode(credit)) }
                    else if let first = creditKeys[credit] { earlier = first.line; reasons.append(.sameCreditCode(credit)) }
                    else { creditKeys[credit] = (row.line, code) }
                }
                if !keys.name.isEmpty {
                    if let id = context.names[keys.name], existing == nil || existing == id { existing = id; reasons.append(.sameName(keys.name)) }
                    else if let first = nameKeys[keys.name], existing == nil { earlier = earlier ?? first.line; reasons.append(.sameName(keys.name)) }
                    else if nameKeys[keys.name] == nil { nameKeys[keys.name] = (row.line, code) }
                }
                if !reasons.isEmpty {
                    report.duplicates.append(ImportDuplicate(line: row.line, code: code, existing: existing, earlierLine: earlier, reasons: reasons))
                }
            }
        }
        report.issues.sort { ($0.line, $0.column) < ($1.line, $1.column) }
        if options.dryRun || (options.allOrNothing && !report.issues.isEmpty) { return report }
        try storeImport(type, plan, options: options, total: report.rows, progress: progress)
        report.stored = true
        return report
    }

    /// One row to store: a new record, or changed values of an existing one.
    struct PlannedImport {
        var line: Int
        var existing: RecordID?
        var values: [String: JSONValue]
    }

    /// What the rows are matched against.
    struct ImportContext {
        var customersByCode: [String: RecordID] = [:]
        var existing: [String: Record] = [:]
        var names: [String: RecordID] = [:]
        var creditCodes: [String: RecordID] = [:]
        /// The signed-in user, if any, and whether their role may assign customers to others.
        var user: String?
        var canAssign = true
    }

    func importContext(_ type: EntityType) throws -> ImportContext {
        try queue.read { db in
            var context = ImportContext()
            if let settings = try Self.loadSettings(db) {
                context.user = settings.user
                context.canAssign = settings.scope.canAssign(branch: settings.branch)
            }
            let customers = try db.fetchAll(sql: "SELECT id, state FROM records WHERE type = 'customer' AND deleted = 0 ORDER BY id")
                .map(Self.decode)
            for customer in customers {
                if let code = customer.value(of: "code")?.stringValue, context.customersByCode[code] == nil {
                    context.customersByCode[code] = customer.id
                }
                if type == .customer {
                    context.existing[Self.matchKey(.customer, customer.values)] = customer
                    let keys = CustomerMatchKeys(customer: customer.values)
                    if !keys.name.isEmpty, context.names[keys.name] == nil { context.names[keys.name] = customer.id }
                    if let credit = keys.creditCode, context.creditCodes[credit] == nil { context.creditCodes[credit] = customer.id }
                }
            }
            if type != .customer {
                for record in try db.fetchAll(sql: "SELECT id, state FROM records WHERE type = ? AND deleted = 0 ORDER BY id",
                                              arguments: [type.rawValue]).map(Self.decode) {
                    context.existing[Self.matchKey(type, record.values)] = record
                }
            }
            return context
        }
    }

    /// What identifies a row: a customer's code; a contact's customer and name; a visit's customer, time and method.
    static func matchKey(_ type: EntityType, _ values: [String: JSONValue]) -> String {
        func text(_ name: String) -> String {
            guard let value = values[name] else { return "" }
            if name.hasSuffix("At"), let text = value.stringValue, let millis = Timestamps.parse(text) { return String(millis) }
            return value.stringValue ?? "\(value)"
        }
        switch type {
        case .customer: return text("code")
        case .contact: return text("customer") + "\u{1F}" + MatchKeys.name(text("name"))
        case .visit: return text("customer") + "\u{1F}" + (values["actualAt"] != nil ? text("actualAt") : "p" + text("plannedAt")) + "\u{1F}" + text("method")
        case .complaint: return text("customer") + "\u{1F}" + text("receivedAt") + "\u{1F}" + text("content")
        }
    }

    /// The JSON value of a cell.
    static func cellValue(_ text: String, field: FieldSchema, options: ImportOptions) -> Result<JSONValue, ImportProblem> {
        switch field.kind {
        case .text, .code, .email, .reference:
            return .success(.string(text))
        case .oneOf(let choices):
            return .success(.string(CSVColumns.choice(text, field: field.name, options: choices) ?? text))
        case .timestamp:
            let slashed = text.replacingOccurrences(of: "/", with: "-")
            do {
                if Timestamps.parse(text) != nil { return .success(.string(text)) }
                let millis = try options.local.parse(slashed, now: options.now)
                return .success(.string(Timestamps.format(millis / 1000 * 1000)))
            } catch .skippedByClockChange {
                return .failure(.skippedTime(text: text))
            } catch {
                return .failure(.unreadable(text: text, kind: field.kind))
            }
        case .integer:
            guard let number = Int64(text) else { return .failure(.unreadable(text: text, kind: field.kind)) }
            return .success(.int(number))
        case .decimal:
            let plain = text.filter { $0 != "," && $0 != "¥" && $0 != "￥" && $0 != " " }
            if let number = Int64(plain) { return .success(.int(number)) }
            guard let number = Double(plain), number.isFinite else { return .failure(.unreadable(text: text, kind: field.kind)) }
            return .success(.double(number))
        case .boolean:
            switch text.lowercased() {
            case "true", "yes", "y", "1", "是", "对", "√": return .success(.bool(true))
            case "false", "no", "n", "0", "否", "不是", "×": return .success(.bool(false))
            default: return .failure(.unreadable(text: text, kind: field.kind))
            }
        case .creditCode:
            switch CreditCode.parse(text) {
            case .success(let code): return .success(.string(code.text))
            case .failure(let problem): return .failure(.creditCode(text: text, problem: problem))
            }
        case .scores:
            guard case .success(let answers) = SurveyScores.parse(text) else { return .failure(.unreadable(text: text, kind: field.kind)) }
            return .success(SurveyScores.value(answers))
        case .phoneList, .userList:
            let separators: Set<Character> = [";", "；", "、", ",", "，", "/", "\n"]
            let phones = text.split(whereSeparator: { separators.contains($0) })
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return .success(.array(phones.map { .string($0) }))
        }
    }

    /// Stores the planned rows in transactions of ``ImportOptions/chunkSize`` rows.
    func storeImport(_ type: EntityType, _ plan: [PlannedImport], options: ImportOptions, total: Int, progress: (Int, Int) -> Void) throws {
        var done = 0
        progress(0, plan.count)
        for start in stride(from: 0, to: plan.count, by: max(1, options.chunkSize)) {
            let chunk = plan[start..<min(plan.count, start + max(1, options.chunkSize))]
            try queue.write { db in
                let settings = try Self.loadSettings(db)
                let node = try currentNode(db)
                var clock = try Self.hybridClock(db)
                var branches: [String: String] = [:]
                for row in chunk {
                    let stamp = clock.now(wallMillis: wallClock())
                    if let id = row.existing {
                        guard var record = try Self.load(db, id) else { throw ReplicaError.notFound(id.rawValue) }
                        if let scope = settings?.scope, !scope.canWrite(branch: record.branch) {
                            throw ReplicaError.notAllowed(.changeInBranch(role: scope.role, branch: record.branch))
                        }
                        let before = record.clock[node]
                        do {
                            try record.write(row.values, node: node, at: stamp)
                        } catch {
                            throw ReplicaError.deleted(id)
                        }
                        try Self.store(db, record)
                        try Self.enqueue(db, record, ackedCounter: before)
                        continue
                    }
                    var branch = settings?.branch ?? "HQ"
                    if type != .customer, let customer = row.values["customer"]?.stringValue {
                        if let known = branches[customer] {
                            branch = known
                        } else {
                            guard let record = try Self.load(db, RecordID(unchecked: customer)), !record.isDeleted else {
                                throw ReplicaError.unknownCustomer(customer)
                            }
                            branch = record.branch
                            branches[customer] = branch
                        }
                    }
                    if let scope = settings?.scope, !scope.canWrite(branch: branch), !(scope.role == .sales && type != .customer) {
                        throw ReplicaError.notAllowed(.createInBranch(role: scope.role, branch: branch))
                    }
                    let record = Record.create(id: .random(), type: type, branch: branch, fields: row.values, node: node, at: stamp)
                    try Self.store(db, record)
                    try Self.enqueue(db, record, ackedCounter: 0)
                }
                try Self.saveHybridClock(db, clock)
            }
            done += chunk.count
            progress(done, plan.count)
        }
    }
}
