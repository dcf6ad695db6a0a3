import Foundation
import OutpostArguments
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostTerminal

/// `outpost import customers|contacts|visits FILE` and `outpost export customers|contacts|visits|complaints`.
struct ImportExportCommands {
    let context: Context
    var values: ParsedValues { context.values }
    var l: Localizer { context.l }

    /// The plural names used on the command line.
    static let importable: [(word: String, type: EntityType)] = [("customers", .customer), ("contacts", .contact), ("visits", .visit)]
    static let exportable: [(word: String, type: EntityType)] = importable + [("complaints", .complaint)]

    static func specs(_ l: Localizer) -> [CommandSpec] {
        let file = ArgumentSpec("file", help: l("help.import.file"))
        let imports = importable.map { entry in
            CommandSpec(name: entry.word, abstract: l("help.import.entity", ["things": l("entity.\(entry.type.rawValue).plural")]),
                        discussion: l("help.import.\(entry.type.rawValue)"),
                        arguments: [file],
                        flags: [
                            FlagSpec("dry-run", help: l("help.import.dryRun")),
                            FlagSpec("all-or-nothing", help: l("help.import.allOrNothing")),
                            FlagSpec("progress", help: l("help.import.progress")),
                        ])
        }
        let exports = exportable.map { entry in
            CommandSpec(name: entry.word, abstract: l("help.export.entity", ["things": l("entity.\(entry.type.rawValue).plural")]),
                        options: [OptionSpec("output", help: l("help.export.output"), valueName: "file")])
        }
        return [
            CommandSpec(name: "import", abstract: l("help.import.abstract"), discussion: l("help.import.discussion"), subcommands: imports),
            CommandSpec(name: "export", abstract: l("help.export.abstract"), discussion: l("help.export.discussion"), subcommands: exports),
        ]
    }

    func run() throws {
        let command = context.command
        guard command.count == 2 else { throw CLIError.usage(l("error.unknownCommand", ["command": command.joined(separator: " ")])) }
        if command[0] == "import", let type = Self.importable.first(where: { $0.word == command[1] })?.type {
            try runImport(type)
        } else if command[0] == "export", let type = Self.exportable.first(where: { $0.word == command[1] })?.type {
            try runExport(type)
        } else {
            throw CLIError.usage(l("error.unknownCommand", ["command": command.joined(separator: " ")]))
        }
    }

    // MARK: Import

    func runImport(_ type: EntityType) throws {
        let path = try values.require("file")
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError.operational(l("import.cannotRead", ["file": path]))
        }
        let replica = try context.openReplica()
        var options = ImportOptions(local: context.local, now: context.now,
                                    dryRun: values.flag("dry-run"), allOrNothing: values.flag("all-or-nothing"))
        options.chunkSize = 2_000
        let showProgress = values.flag("progress") || (isatty(STDERR_FILENO) == 1 && !context.json)
        let bar = ProgressBar(output: context.err, enabled: showProgress)
        let report: ImportReport
        do {
            report = try replica.importCSV(type, bytes: Array(data), options: options) { done, total in bar.show(done, total) }
        } catch let error as ImportError {
            throw CLIError.operational(message(error, type: type))
        }
        bar.finish()
        if context.json {
            context.printJSON(json(report))
        } else {
            printReport(report, type: type, path: path, dryRun: options.dryRun)
        }
        if !report.issues.isEmpty { throw CommandExit() }
    }

    func printReport(_ report: ImportReport, type: EntityType, path: String, dryRun: Bool) {
        let things = l("entity.\(type.rawValue).plural")
        context.print(l.count("import.read", report.rows, ["file": path, "encoding": report.encoding.rawValue]))
        if !report.ignoredColumns.isEmpty {
            context.print(l("import.ignoredColumns", ["columns": report.ignoredColumns.joined(separator: ", ")]))
        }
        for issue in report.issues {
            let column: String
            if issue.column.isEmpty {
                column = l("import.wholeRow")
            } else if let field = issue.field, field != issue.column {
                column = l("import.columnField", ["column": issue.column, "field": field])
            } else {
                column = l("import.column", ["column": issue.column])
            }
            context.print(l("import.issue", ["line": issue.line, "column": column, "message": message(issue, type: type)]))
        }
        for duplicate in report.duplicates {
            let reasons = duplicate.reasons.map { MergeCommand.reason($0, l) }.joined(separator: l("list.comma"))
            if let existing = duplicate.existing {
                context.print(l("import.duplicateExisting", ["line": duplicate.line, "code": duplicate.code,
                                                             "id": Presentation.short(existing), "reasons": reasons]))
            } else if let earlier = duplicate.earlierLine {
                context.print(l("import.duplicateEarlier", ["line": duplicate.line, "code": duplicate.code, "earlier": earlier, "reasons": reasons]))
            }
        }
        let bad = report.badLines.count
        let counts = ["created": report.created, "updated": report.updated, "unchanged": report.unchanged, "bad": bad] as [String: Int]
        let args: KeyValuePairs<String, Any> = ["things": things, "created": counts["created"]!, "updated": counts["updated"]!,
                                                "unchanged": counts["unchanged"]!, "bad": bad]
        if dryRun {
            context.print(l("import.dryRun", args))
        } else if !report.stored {
            context.print(l.count("import.allOrNothing", bad))
        } else {
            context.print(l("import.done", args))
        }
        if !report.duplicates.isEmpty && report.stored { context.print(l("import.duplicatesHint")) }
    }

    func json(_ report: ImportReport) -> JSONValue {
        .object([
            "encoding": .string(report.encoding.rawValue),
            "rows": .int(Int64(report.rows)),
            "created": .int(Int64(report.created)),
            "updated": .int(Int64(report.updated)),
            "unchanged": .int(Int64(report.unchanged)),
            "stored": .bool(report.stored),
            "badLines": .array(report.badLines.map { .int(Int64($0)) }),
            "ignoredColumns": .array(report.ignoredColumns.map { .string($0) }),
            "issues": .array(report.issues.map { issue in
                .object([
                    "line": .int(Int64(issue.line)), "column": .string(issue.column),
                    "field": issue.field.map { .string($0) } ?? .null, "problem": .string(Self.problemCode(issue.problem)),
                ])
            }),
            "duplicates": .array(report.duplicates.map { duplicate in
                .object([
                    "line": .int(Int64(duplicate.line)), "code": .string(duplicate.code),
                    "existing": duplicate.existing.map { .string($0.rawValue) } ?? .null,
                    "earlierLine": duplicate.earlierLine.map { .int(Int64($0)) } ?? .null,
                    "reasons": .array(duplicate.reasons.map { .string(MergeCommand.reasonCode($0)) }),
                ])
            }),
        ])
    }

    static func problemCode(_ problem: ImportProblem) -> String {
        switch problem {
        case .unreadable: return "unreadable"
        case .invalid: return "invalid"
        case .creditCode: return "invalidCreditCode"
        case .missing: return "missing"
        case .unknownCustomer: return "unknownCustomer"
        case .repeatedCode: return "repeated"
        case .extraFields: return "extraFields"
        case .skippedTime: return "skippedTime"
        case .notYours: return "notAllowed"
        }
    }

    func message(_ issue: ImportIssue, type: EntityType) -> String {
        switch issue.problem {
        case .unreadable(let text, let kind):
            return l("import.problem.unreadable", ["text": text, "expected": FieldInput.summary(kind, l)])
        case .invalid(let error):
            return UserFacingError.validation(error, l)
        case .creditCode(let text, let problem):
            let reason: String
            switch problem {
            case .wrongLength(let count): reason = l("import.creditCode.length", ["count": count])
            case .invalidCharacter(let character, let position): reason = l("import.creditCode.character", ["character": String(character), "position": position])
            case .wrongCheckCharacter(let expected): reason = l("import.creditCode.check", ["expected": String(expected)])
            }
            return l("import.problem.creditCode", ["text": text, "reason": reason])
        case .missing:
            return l("import.problem.missing", ["field": issue.field ?? issue.column])
        case .unknownCustomer(let code):
            return l("import.problem.unknownCustomer", ["code": code])
        case .repeatedCode(let code, let firstLine):
            return l("import.problem.repeated", ["code": code, "first": firstLine])
        case .extraFields(let expected, let got):
            return l("import.problem.extraFields", ["expected": expected, "got": got])
        case .skippedTime(let text):
            return l("import.problem.skippedTime", ["text": text, "zone": context.local.timeZone.identifier])
        case .notYours(let user):
            return l("import.problem.notYours", ["user": user])
        }
    }

    func message(_ error: ImportError, type: EntityType) -> String {
        switch error {
        case .unsupportedType(let type): return l("import.error.unsupported", ["things": l("entity.\(type.rawValue).plural")])
        case .encoding(.gb18030Unavailable): return l("import.error.noGB18030")
        case .encoding(.undecodable(let offset)): return l("import.error.encoding", ["offset": offset])
        case .malformed(.unterminatedQuote(let line)): return l("import.error.quote", ["line": line])
        case .malformed(.textAfterQuote(let line)): return l("import.error.afterQuote", ["line": line])
        case .empty: return l("import.error.empty")
        case .missingColumn(let field):
            return l("import.error.missingColumn", ["field": field, "columns": CSVColumns.exportHeader(type).joined(separator: ",")])
        case .repeatedColumn(let field, let headers):
            return l("import.error.repeatedColumn", ["field": field, "headers": headers.joined(separator: ", ")])
        }
    }

    // MARK: Export

    func runExport(_ type: EntityType) throws {
        let replica = try context.openReplica()
        let things = l("entity.\(type.rawValue).plural")
        if let path = values.option("output") {
            guard FileManager.default.createFile(atPath: path, contents: nil),
                  let handle = FileHandle(forWritingAtPath: path) else {
                throw CLIError.operational(l("export.cannotWrite", ["file": path]))
            }
            defer { try? handle.close() }
            let count = try replica.exportCSV(type) { text in try handle.write(contentsOf: Data(text.utf8)) }
            if context.json {
                context.printJSON(.object(["file": .string(path), "records": .int(Int64(count)), "type": .string(type.rawValue)]))
            } else {
                context.print(l.count("export.done", count, ["things": things, "file": path]))
            }
        } else {
            try replica.exportCSV(type) { text in context.out.write(text) }
        }
    }
}

/// A progress bar on standard error: `[#########...........]  45%  45000/100000`, redrawn in place.
final class ProgressBar: @unchecked Sendable {
    let output: any TextOutput
    let enabled: Bool
    private var lastPercent = -1
    private var shown = false

    init(output: any TextOutput, enabled: Bool) {
        self.output = output
        self.enabled = enabled
    }

    func show(_ done: Int, _ total: Int) {
        guard enabled, total > 0 else { return }
        let percent = done * 100 / total
        guard percent != lastPercent else { return }
        lastPercent = percent
        shown = true
        let filled = percent / 5
        output.write("\r[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled) + "] "
                     + String(repeating: " ", count: percent < 10 ? 2 : percent < 100 ? 1 : 0) + "\(percent)%  \(done)/\(total)")
    }

    func finish() {
        if shown { output.write("\n") }
    }
}
