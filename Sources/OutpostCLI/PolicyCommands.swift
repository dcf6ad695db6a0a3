import Foundation
import OutpostArguments
import OutpostClient
import OutpostJSON
import OutpostModel

/// The policy commands: `report monthly`, `policy show`, `code next|status`, `contacts due`,
/// `tier proposals|accept`. All work offline on the replica and the policy document it received at sync.
enum PolicyCommandTree {
    static let formats = ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")

    /// The command declarations, registered in ``CommandTree/root``.
    static let commands: [CommandSpec] = [
        CommandSpec(
            name: "report", abstract: "Management reports computed on this device.",
            subcommands: [
                CommandSpec(
                    name: "monthly", abstract: "The monthly report over what you can see: complaints, activity, customers, satisfaction.",
                    discussion: """
                        Complaints received in the month by category with handling, on-time and revisit rates; visits and
                        contacts per salesperson against plan; retention, complaint rate and satisfaction against the
                        policy's targets; and what is overdue now. Months are local months of each branch's calendar.
                        CSV is UTF-8 with a byte order mark, for spreadsheet programs.
                        Example: outpost report monthly --month 2026-11 --format markdown --output 2026-11.md
                        """,
                    options: [
                        OptionSpec("month", help: "The month, YYYY-MM (default: the current month).", valueName: "month"),
                        OptionSpec("format", help: "One of \(formats) (--json means json).", valueName: "format", defaultValue: "table"),
                        OptionSpec("output", help: "Write to this file instead of standard output.", valueName: "file"),
                    ]),
            ]),
        CommandSpec(
            name: "policy", abstract: "The company policy document this device uses.",
            subcommands: [
                CommandSpec(name: "show", abstract: "Print the policy document (version 0: built-in defaults until the first sync).",
                            discussion: "HQ changes it on the server with `outpost-server policy set FILE`; devices receive it when they sync."),
            ]),
        CommandSpec(
            name: "code", abstract: "Customer codes issued offline from blocks the server leases to this device.",
            subcommands: [
                CommandSpec(name: "next", abstract: "Issue the next customer code (final: no other device ever issues it).",
                            discussion: "Example: outpost customer add --code $(outpost code next) --name \"Acme\" --kind enterprise --tier core",
                            options: [OptionSpec("branch", help: "Branch (default: yours).", valueName: "code")]),
                CommandSpec(name: "status", abstract: "Show the code scheme and how many codes this device has left."),
            ]),
        CommandSpec(
            name: "contacts", abstract: "Contact cadence from the policy.",
            subcommands: [
                CommandSpec(
                    name: "due", abstract: "Customers to contact, per salesperson: overdue, due within 7 days, or short of this month's minimum.",
                    discussion: "Key customers need 2 effective contacts a month and prospects 1 follow-up; each tier has its interval. A customer whose latest satisfaction average is below 3.5 needs an improvement plan: a follow-up contact.",
                    options: [OptionSpec("owner", help: "Only this salesperson's customers.", valueName: "user")]),
            ]),
        CommandSpec(
            name: "tier", abstract: "Quarterly re-tiering by ABC class (annual purchase within the branch).",
            subcommands: [
                CommandSpec(name: "proposals", abstract: "List proposed tier changes with their reasons.",
                            flags: [FlagSpec("all", help: "Also list customers whose tier stays.")]),
                CommandSpec(name: "accept", abstract: "Accept the proposal for a customer: its tier is set to the proposed one.",
                            arguments: [CommandTree.recordArgument]),
            ]),
    ]
}

/// Runs the policy commands.
struct PolicyCommands {
    let context: Context

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
        default: throw CLIError.usage("Unknown command '\(context.command.joined(separator: " "))'.")
        }
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
            throw CLIError.usage("--format must be one of \(PolicyCommandTree.formats); got '\(formatText)'.")
        }
        let text = try replica.monthlyReport(month: month, now: context.now).render(format)
        if let path = context.values.option("output") {
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw UserFacingError(message: "Cannot write the report to \(path): check the folder exists and you may write there.",
                                      detail: String(describing: error))
            }
            context.note("Wrote the \(format.rawValue) report for \(month) to \(path).")
        } else {
            context.out.write(text)
        }
    }

    func policyShow() throws {
        let policy = try context.openReplica().policy()
        if !context.json {
            context.note(policy.version == 0 ? "Built-in defaults (no policy received from the server yet)." : "Policy version \(policy.version).")
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
            context.print("Scheme \(policy.codes.scheme); \(left) code\(left == 1 ? "" : "s") left on this device"
                + (left == 0 ? " (sync while online to lease \(policy.codes.blockSize))." : "."))
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
        guard !groups.isEmpty else { return context.print("Nobody needs a contact now.") }
        let rows = groups.flatMap { group in
            group.due.map { status -> [String] in
                [group.owner.isEmpty ? "(unassigned)" : group.owner, status.customer.value(of: "code")?.stringValue ?? "",
                 status.customer.value(of: "name")?.stringValue ?? "", status.customer.value(of: "tier")?.stringValue ?? "",
                 status.dueMillis.map { calendar.localText($0) } ?? "never contacted",
                 [status.isOverdue ? "overdue" : status.isDueSoon ? "due soon" : nil,
                  status.isShortThisMonth ? "short this month" : nil,
                  status.needsImprovementPlan ? "improvement plan" : nil].compactMap { $0 }.joined(separator: ", "),
                 "\(status.contactsThisMonth)/\(status.requiredThisMonth)"]
            }
        }
        context.print(TextTable(columns: ["SALESPERSON", "CODE", "NAME", "TIER", "DUE BY", "STATE", "THIS MONTH"], rows: rows).rendered())
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
        guard !proposals.isEmpty else { return context.print("No tier changes proposed.") }
        context.print(TextTable(columns: ["CODE", "NAME", "CLASS", "TIER", "PROPOSED", "HIGH VALUE", "WHY"], rows: proposals.map { p in
            [p.customer.value(of: "code")?.stringValue ?? "", p.customer.value(of: "name")?.stringValue ?? "", p.abcClass.rawValue,
             p.currentTier, p.proposedTier, p.isHighValue ? "yes" : "", p.reasons.joined(separator: "; ")]
        }).rendered())
    }

    func tierAccept() throws {
        let replica = try context.openReplica()
        let customer = try RecordCommands.lookup(replica, try context.values.require("record"), type: .customer)
        guard let proposal = try replica.tierProposals(now: context.now).first(where: { $0.customer.id == customer.id }) else {
            throw CLIError.operational("There is no tier proposal for this customer (prospects and lost customers are not ranked).")
        }
        guard proposal.changesTier else { return context.print("The customer stays \(proposal.currentTier); nothing to change.") }
        try replica.update(customer.id, fields: ["tier": .string(proposal.proposedTier)])
        context.print("Tier of \(customer.value(of: "code")?.stringValue ?? "the customer") changed from \(proposal.currentTier) to \(proposal.proposedTier).")
    }
}
