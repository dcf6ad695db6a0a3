import Foundation
import OutpostJSON

/// How a report is written out.
public enum ReportFormat: String, Sendable, CaseIterable {
    /// Aligned text tables for a terminal.
    case table
    /// One JSON object (machine-readable; rates as fractions, `null` when undefined).
    case json
    /// CSV, UTF-8 with a byte order mark so spreadsheet programs read Chinese text correctly.
    case csv
    /// Markdown tables.
    case markdown
}

extension MonthlyReport {
    /// A titled table of the report.
    public struct Section: Sendable, Hashable {
        /// Title.
        public var title: String
        /// Column headings.
        public var header: [String]
        /// Rows of cells.
        public var rows: [[String]]
    }

    /// A rate as a percentage with one decimal, or `—` when undefined.
    public static func percent(_ value: Double?) -> String {
        guard let value else { return "—" }
        let tenths = (value * 1000).rounded() / 10
        return tenths.rounded() == tenths ? "\(Int(tenths)).0%" : "\(tenths)%"
    }

    static func decimal(_ value: Double?) -> String {
        guard let value else { return "—" }
        let hundredths = (value * 100).rounded() / 100
        var text = String(hundredths)
        if let dot = text.firstIndex(of: ".") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if decimals < 2 { text += String(repeating: "0", count: 2 - decimals) }
        }
        return text
    }

    /// The report as titled tables (the same content in every text format).
    public var sections: [Section] {
        let c = complaints
        var sections: [Section] = []
        var complaintRows = EntitySchema.complaintCategories.map { [$0, String(c.byCategory[$0] ?? 0)] }
        complaintRows += [
            ["total received", String(c.received)],
            ["escalated to major", String(c.escalated)],
            ["handled", String(c.handled)],
            ["handling rate", Self.percent(c.handlingRate)],
            ["on-time rate", Self.percent(c.onTimeRate)],
            ["revisit rate", Self.percent(c.revisitRate)],
        ]
        sections.append(Section(title: "Complaints received in \(month)", header: ["measure", "value"], rows: complaintRows))
        sections.append(Section(
            title: "Activity against plan", header: ["salesperson", "planned", "done", "plan rate", "visits", "contacts", "required", "met"],
            rows: activity.map { a in
                [a.salesperson.isEmpty ? "(unassigned)" : a.salesperson, String(a.planned), String(a.plannedDone), Self.percent(a.planRate),
                 String(a.visits), String(a.contacts), String(a.required), String(a.requiredMet)]
            }))
        let k = customers
        let retentionTarget = "\(Self.percent(targets.retentionTargetMin))–\(Self.percent(targets.retentionTargetMax))"
        var customerRows: [[String]] = [
            ["customers at start", String(k.atStart), ""],
            ["lost in month", String(k.lost), ""],
            ["retention", Self.percent(k.retention), retentionTarget],
            ["complaining customers", String(k.complaining), ""],
            ["complaint rate", Self.percent(k.complaintRate), "< \(Self.percent(targets.complaintRateTarget))"],
            ["satisfaction answers", String(k.satisfactionAnswers), ""],
            ["satisfaction average", Self.decimal(k.satisfactionAverage), "≥ \(Self.decimal(satisfactionPolicy.good))"],
        ]
        customerRows += k.satisfactionByBranch.sorted { $0.key < $1.key }.map { ["satisfaction \($0.key)", Self.decimal($0.value), ""] }
        sections.append(Section(title: "Customers and satisfaction", header: ["measure", "value", "target"], rows: customerRows))
        sections.append(Section(title: "Improvement plans needed (satisfaction < \(Self.decimal(satisfactionPolicy.improvementBelow)))",
                                header: ["customer"], rows: k.needsImprovementPlan.map { [$0] }))
        sections.append(Section(title: "Overdue complaints", header: ["customer", "category", "deadline"], rows: overdueComplaints))
        sections.append(Section(title: "Customers overdue for contact", header: ["salesperson", "customers"],
                                rows: overdueContacts.sorted { $0.key < $1.key }.map { [$0.key.isEmpty ? "(unassigned)" : $0.key, String($0.value)] }))
        return sections
    }

    /// The report as JSON (rates as fractions 0–1, `null` when undefined).
    public var jsonValue: JSONValue {
        func rate(_ value: Double?) -> JSONValue { value.map { .double($0) } ?? .null }
        let c = complaints, k = customers
        return .object([
            "month": .string(month.description),
            "policyVersion": .int(policyVersion),
            "complaints": .object([
                "received": .int(Int64(c.received)),
                "byCategory": .object(c.byCategory.mapValues { .int(Int64($0)) }),
                "escalated": .int(Int64(c.escalated)), "handled": .int(Int64(c.handled)),
                "onTime": .int(Int64(c.onTime)), "revisited": .int(Int64(c.revisited)),
                "handlingRate": rate(c.handlingRate), "onTimeRate": rate(c.onTimeRate), "revisitRate": rate(c.revisitRate),
            ]),
            "activity": .array(activity.map { a in
                .object(["salesperson": .string(a.salesperson), "planned": .int(Int64(a.planned)), "plannedDone": .int(Int64(a.plannedDone)),
                         "planRate": rate(a.planRate), "visits": .int(Int64(a.visits)), "contacts": .int(Int64(a.contacts)),
                         "required": .int(Int64(a.required)), "requiredMet": .int(Int64(a.requiredMet))])
            }),
            "customers": .object([
                "atStart": .int(Int64(k.atStart)), "lost": .int(Int64(k.lost)), "retention": rate(k.retention),
                "complaining": .int(Int64(k.complaining)), "complaintRate": rate(k.complaintRate),
                "satisfactionAnswers": .int(Int64(k.satisfactionAnswers)), "satisfactionAverage": rate(k.satisfactionAverage),
                "satisfactionByBranch": .object(k.satisfactionByBranch.mapValues { .double($0) }),
                "needsImprovementPlan": .array(k.needsImprovementPlan.map { .string($0) }),
            ]),
            "targets": .object([
                "retentionMin": .double(targets.retentionTargetMin), "retentionMax": .double(targets.retentionTargetMax),
                "complaintRateMax": .double(targets.complaintRateTarget), "satisfactionGood": .double(satisfactionPolicy.good),
                "satisfactionImprovementBelow": .double(satisfactionPolicy.improvementBelow),
            ]),
            "overdueComplaints": .array(overdueComplaints.map { row in
                .object(["customer": .string(row[0]), "category": .string(row[1]), "deadline": .string(row[2])])
            }),
            "overdueContacts": .object(overdueContacts.mapValues { .int(Int64($0)) }),
        ])
    }

    /// The report written in `format`. CSV starts with the UTF-8 byte order mark (U+FEFF).
    public func render(_ format: ReportFormat) -> String {
        switch format {
        case .json:
            return jsonValue.serialized(pretty: true) + "\n"
        case .csv:
            var lines: [String] = []
            for section in sections {
                lines.append(Self.csvLine(["section", section.title]))
                lines.append(Self.csvLine(section.header))
                lines += section.rows.map(Self.csvLine)
                lines.append("")
            }
            return "\u{FEFF}" + lines.joined(separator: "\r\n")
        case .markdown:
            var text = "# Monthly report \(month)\n\nPolicy version \(policyVersion).\n"
            for section in sections {
                text += "\n## \(section.title)\n\n"
                guard !section.rows.isEmpty else { text += "None.\n"; continue }
                text += "| " + section.header.joined(separator: " | ") + " |\n"
                text += "|" + section.header.map { _ in "---|" }.joined() + "\n"
                for row in section.rows { text += "| " + row.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n" }
            }
            return text
        case .table:
            var text = "Monthly report \(month) (policy version \(policyVersion))\n"
            for section in sections {
                text += "\n\(section.title)\n"
                guard !section.rows.isEmpty else { text += "  none\n"; continue }
                let all = [section.header] + section.rows
                let widths = section.header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
                for row in all {
                    let cells = zip(row, widths).map { cell, width in cell + String(repeating: " ", count: max(0, width - cell.count)) }
                    text += "  " + String(cells.joined(separator: "  ").reversed().drop(while: { $0 == " " }).reversed()) + "\n"
                }
            }
            return text
        }
    }

    static func csvLine(_ cells: [String]) -> String {
        cells.map { cell in
            cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
        }.joined(separator: ",")
    }
}
