import Foundation
import OutpostArguments
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostTerminal

/// The policy commands: `report monthly`, `policy show`, `code next|status`, `contacts due`,
/// `tier proposals|accept`. All work offline on the replica and the policy document it received at sync.
enum PolicyCommandTree {
    static let formats = ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")

    /// The command declarations in the user's language, registered in ``CommandTree/root(_:)``.
    static func commands(_ l: Localizer) -> [CommandSpec] {
        [
            CommandSpec(
                name: "report", abstract: l("help.report.abstract"),
                subcommands: [
                    CommandSpec(
                        name: "monthly", abstract: l("help.report.monthly.abstract"), discussion: l("help.report.monthly.discussion"),
                        options: [
                            OptionSpec("month", help: l("help.report.month"), valueName: "month"),
                            OptionSpec("format", help: l("help.report.format", ["formats": formats]), valueName: "format", defaultValue: "table"),
                            OptionSpec("output", help: l("help.report.output"), valueName: "file"),
                        ]),
                ]),
            CommandSpec(
                name: "policy", abstract: l("help.policy.abstract"),
                subcommands: [
                    CommandSpec(name: "show", abstract: l("help.policy.show.abstract"), discussion: l("help.policy.show.discussion")),
                ]),
            CommandSpec(
                name: "code", abstract: l("help.code.abstract"),
                subcommands: [
                    CommandSpec(name: "next", abstract: l("help.code.next.abstract"), discussion: l("help.code.next.discussion"),
                                options: [OptionSpec("branch", help: l("help.code.branch"), valueName: "code")]),
                    CommandSpec(name: "status", abstract: l("help.code.status.abstract")),
                ]),
            CommandSpec(
                name: "contacts", abstract: l("help.contacts.abstract"),
                subcommands: [
                    CommandSpec(name: "due", abstract: l("help.contacts.due.abstract"), discussion: l("help.contacts.due.discussion"),
                                options: [OptionSpec("owner", help: l("help.contacts.owner"), valueName: "user")]),
                ]),
            CommandSpec(
                name: "tier", abstract: l("help.tier.abstract"),
                subcommands: [
                    CommandSpec(name: "proposals", abstract: l("help.tier.proposals.abstract"),
                                flags: [FlagSpec("all", help: l("help.tier.all"))]),
                    CommandSpec(name: "accept", abstract: l("help.tier.accept.abstract"), arguments: [CommandTree.recordArgument(l)]),
                ]),
        ]
    }
}

/// Runs the policy commands.
struct PolicyCommands {
    let context: Context
    var l: Localizer { context.l }

    /// `true` when `command` is one of these commands.
    static func handles(_ command: [String]) -> Bool {
        ["report", "policy", "code", "contacts", "tier"].contains(command.first ?? "")
    }

    func run() throws {
        switch context.command {
        case ["report", "monthly"]: try monthlyReport()
        case ["policy", "show"]: try policyShow()
        case ["code", "next"]: try codeNext()
        case ["code", "status"]: try codeStatus()
        case ["contacts", "due"]: try contactsDue()
        case ["tier", "proposals"]: try tierProposals()
        case ["tier", "accept"]: try tierAccept()
        default: throw CLIError.usage(l("error.unknownCommand", ["command": context.command.joined(separator: " ")]))
        }
    }

    /// After a sync, on standard error: codes leased, and a policy document this app could not take.
    func noteSync(_ report: SyncReport) {
        if report.codesLeased > 0 { context.note(l.count("sync.codesLeased", Int(report.codesLeased))) }
        if let problem = report.policyProblem { context.note(l("sync.policyProblem", ["reason": problem])) }
    }

    func monthlyReport() throws {
        let replica = try context.openReplica()
        let policy = try replica.policy()
        let month: ReportMonth
        if let text = context.values.option("month") {
            do { month = try ReportMonth(text) } catch { throw CLIError.usage(error.description) }
        } else {
            let branch = try replica.settings()?.branch ?? "HQ"
            month = ReportMonth(containing: policy.calendar(branch: branch).date(of: context.now))
        }
        let formatText = context.json ? "json" : (context.values.option("format") ?? "table")
        guard let format = ReportFormat(rawValue: formatText) else {
            throw CLIError.usage(l("policy.format.invalid", ["formats": PolicyCommandTree.formats, "format": formatText]))
        }
        let report = try replica.monthlyReport(month: month, now: context.now)
        let labels = Dictionary(uniqueKeysWithValues: MonthlyReport.englishLabels.keys.map { ($0, l("report.\($0)")) })
        let text = format == .table ? Self.table(report, labels) : report.render(format, labels: labels)
        if let path = context.values.option("output") {
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw UserFacingError(message: l("policy.report.cannotWrite", ["path": path]),
                                      detail: String(describing: error))
            }
            context.note(l("policy.report.written", ["format": format.rawValue, "month": month, "path": path]))
        } else {
            context.out.write(text)
        }
    }

    /// The report as aligned tables that measure wide (Chinese) characters correctly.
    static func table(_ report: MonthlyReport, _ labels: [String: String]) -> String {
        var text = MonthlyReport.label("title", labels, ["month": report.month.description, "version": String(report.policyVersion)]) + "\n"
        for section in report.sections(labels: labels) {
            text += "\n\(section.title)\n"
            guard !section.rows.isEmpty else { text += "  \(MonthlyReport.label("none", labels))\n"; continue }
            let table = TextTable(columns: section.header, rows: section.rows).rendered()
            text += table.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n") + "\n"
        }
        return text
    }

    func policyShow() throws {
        let policy = try context.openReplica().policy()
        if !context.json {
            context.note(policy.version == 0 ? l("policy.show.defaults") : l("policy.show.version", ["version": policy.version]))
        }
        context.printJSON(policy.jsonValue)
    }

    func codeNext() throws {
        let replica = try context.openReplica()
        let code = try replica.issueCustomerCode(branch: context.values.option("branch"), now: context.now)
        if context.json { context.printJSON(["code": .string(code)]) } else { context.print(code) }
    }

    func codeStatus() throws {
        let replica = try context.openReplica()
        let policy = try replica.policy()
        let left = try replica.remainingCodes(now: context.now)
        if context.json {
            context.printJSON(["scheme": .string(policy.codes.scheme), "remaining": .int(left), "blockSize": .int(policy.codes.blockSize)])
        } else {
            context.print(left == 0 ? l("code.status.empty", ["scheme": policy.codes.scheme, "blockSize": policy.codes.blockSize])
                : l.count("code.status.line", Int(left), ["scheme": policy.codes.scheme]))
        }
    }

    func contactsDue() throws {
        let replica = try context.openReplica()
        let calendar = try replica.policy().calendars.default
        var groups = try replica.contactsDueBySalesperson(now: context.now)
        if let owner = context.values.option("owner") { groups = groups.filter { $0.owner == owner } }
        if context.json {
            context.printJSON(.array(groups.flatMap { group in
                group.due.map { status in
                    .object([
                        "owner": .string(group.owner), "customer": .string(status.customer.id.rawValue),
                        "code": status.customer.value(of: "code") ?? .null,
                        "due": status.dueMillis.map { .string(Timestamps.format($0)) } ?? .null,
                        "overdue": .bool(status.isOverdue), "contactsThisMonth": .int(Int64(status.contactsThisMonth)),
                        "requiredThisMonth": .int(Int64(status.requiredThisMonth)),
                        "improvementPlan": .bool(status.needsImprovementPlan),
                    ])
                }
            }))
            return
        }
        guard !groups.isEmpty else { return context.print(l("contacts.none")) }
        let rows = groups.flatMap { group in
            group.due.map { status -> [String] in
                [group.owner.isEmpty ? l("contacts.unassigned") : group.owner, status.customer.value(of: "code")?.stringValue ?? "",
                 status.customer.value(of: "name")?.stringValue ?? "", status.customer.value(of: "tier")?.stringValue ?? "",
                 status.dueMillis.map { calendar.localText($0) } ?? l("contacts.never"),
                 [status.isOverdue ? l("contacts.state.overdue") : status.isDueSoon ? l("contacts.state.dueSoon") : nil,
                  status.isShortThisMonth ? l("contacts.state.short") : nil,
                  status.needsImprovementPlan ? l("contacts.state.plan") : nil].compactMap { $0 }.joined(separator: ", "),
                 "\(status.contactsThisMonth)/\(status.requiredThisMonth)"]
            }
        }
        let columns = ["salesperson", "code", "name", "tier", "due", "state", "month"].map { l("contacts.column.\($0)") }
        context.print(TextTable(columns: columns, rows: rows).rendered())
    }

    func tierProposals() throws {
        let replica = try context.openReplica()
        var proposals = try replica.tierProposals(now: context.now)
        if !context.values.flag("all") { proposals = proposals.filter(\.changesTier) }
        if context.json {
            context.printJSON(.array(proposals.map { p in
                .object(["customer": .string(p.customer.id.rawValue), "code": p.customer.value(of: "code") ?? .null,
                         "class": .string(p.abcClass.rawValue), "tier": .string(p.currentTier), "proposed": .string(p.proposedTier),
                         "highValue": .bool(p.isHighValue), "reasons": .array(p.reasons.map { .string($0) })])
            }))
            return
        }
        guard !proposals.isEmpty else { return context.print(l("tier.none")) }
        let columns = [l("contacts.column.code"), l("contacts.column.name")]
            + ["class", "tier", "proposed", "highValue", "why"].map { l("tier.column.\($0)") }
        context.print(TextTable(columns: columns, rows: proposals.map { p in
            [p.customer.value(of: "code")?.stringValue ?? "", p.customer.value(of: "name")?.stringValue ?? "", p.abcClass.rawValue,
             p.currentTier, p.proposedTier, p.isHighValue ? l("tier.yes") : "", p.reasons.joined(separator: "; ")]
        }).rendered())
    }

    func tierAccept() throws {
        let replica = try context.openReplica()
        let customer = try RecordCommands.lookup(replica, try context.values.require("record"), type: .customer, l)
        guard let proposal = try replica.tierProposals(now: context.now).first(where: { $0.customer.id == customer.id }) else {
            throw CLIError.operational(l("tier.noProposal"))
        }
        guard proposal.changesTier else { return context.print(l("tier.stays", ["tier": proposal.currentTier])) }
        try replica.update(customer.id, fields: ["tier": .string(proposal.proposedTier)])
        context.print(l("tier.changed", ["customer": customer.value(of: "code")?.stringValue ?? Presentation.short(customer.id),
                                         "from": proposal.currentTier, "to": proposal.proposedTier]))
    }
}
