import Foundation
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostRelay
import OutpostServer

/// `upstream sync`, `policy show|set`, `report monthly`, `customer reassign` and `audit`.
struct AdminCommands {
    let context: ServerContext

    func upstreamSync() async throws {
        let values = context.values
        let api = SyncAPI(transport: try HTTPTransport(baseURL: try values.require("server")), token: try values.require("token"))
        let upstream = UpstreamSync(database: try context.openDatabase(), api: api)
        let report = try await upstream.run { line in context.warn(line) }
        context.print("Sent \(report.pushed) records (\(report.conflicts) in conflict at headquarters), received \(report.pulled) (\(report.changedHere) changed here).")
    }

    func policyShow() throws {
        context.print(try context.openDatabase().policy().jsonValue.serialized(pretty: true))
    }

    func policySet() throws {
        let file = try context.values.require("file")
        guard let data = FileManager.default.contents(atPath: file) else { throw ServerCLIError.failure("Cannot read \(file).") }
        let document = try PolicyDocument(json: JSONValue.parse(Array(data)), strict: true)
        let stored = try context.openDatabase().setPolicy(document)
        context.print("Policy version \(stored.version) is in force; devices receive it on their next sync.")
    }

    func monthlyReport() throws {
        let values = context.values
        let month = try ReportMonth(try values.require("month"))
        guard let format = ReportFormat(rawValue: values.option("format") ?? "table") else {
            throw ServerCLIError.usage("--format must be table, json, csv or markdown.")
        }
        let scope = values.option("branch").map { AccessScope(role: .manager, branch: $0) } ?? AccessScope(role: .hq, branch: "HQ")
        let report = try context.openDatabase().monthlyReport(month: month, scope: scope, now: context.now)
        context.out.write(report.render(format))
    }

    func reassign() throws {
        let from = try context.values.require("from")
        let to = try context.values.require("to")
        let summary = try context.openDatabase().reassign(from: from, to: to, code: context.values.option("customer"))
        if summary.customers.isEmpty {
            context.print("\(from) owns no live customers; nothing to hand over.")
        } else {
            context.print("Handed \(summary.customers.count) customer(s) from \(from) to \(to): \(summary.customers.joined(separator: ", ")).")
            context.print("Devices follow on their next sync.")
        }
    }

    func audit() throws {
        let limit = try context.int("limit", atLeast: 1, what: "") ?? 100
        let entries = try context.openDatabase().auditLog(limit: limit)
        if entries.isEmpty { context.print("No access changes recorded yet.") }
        for entry in entries {
            let when = String(Timestamps.format(entry.at).prefix(19)).replacingOccurrences(of: "T", with: " ")
            context.print("\(when)  \(entry.actor)  \(entry.action)  \(entry.subject)  [\(entry.branch)]\(entry.detail.isEmpty ? "" : "  " + entry.detail)")
        }
    }
}
