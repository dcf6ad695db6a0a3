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

    /// The words of the text formats by key, in English; ``render(_:labels:)`` takes replacements
    /// (e.g. a translation) by the same keys. `{month}`, `{version}`, `{branch}` and `{threshold}` are filled in.
    public static let englishLabels: [String: String] = [
        "title": "Monthly report {month} (policy version {version})",
        "markdownTitle": "Monthly report {month}",
        "policyVersion": "Policy version {version}.",
        "none": "none",
        "noneSentence": "None.",
        "section": "section",
        "unassigned": "(unassigned)",
        "complaints.title": "Complaints received in {month}",
        "measure": "measure",
        "value": "value",
        "target": "target",
        "complaints.total": "total received",
        "complaints.escalated": "escalated to major",
        "complaints.handled": "handled",
        "complaints.handlingRate": "handling rate",
        "complaints.onTimeRate": "on-time rate",
        "complaints.revisitRate": "revisit rate",
        "activity.title": "Activity against plan",
        "activity.salesperson": "salesperson",
        "activity.planned": "planned",
        "activity.done": "done",
        "activity.planRate": "plan rate",
        "activity.visits": "visits",
        "activity.contacts": "contacts",
        "activity.required": "required",
        "activity.met": "met",
        "customers.title": "Customers and satisfaction",
        "customers.atStart": "customers at start",
        "customers.lost": "lost in month",
        "customers.retention": "retention",
        "customers.complaining": "complaining customers",
        "customers.complaintRate": "complaint rate",
        "customers.answers": "satisfaction answers",
        "customers.average": "satisfaction average",
        "customers.branch": "satisfaction {branch}",
        "customers.question": "satisfaction: {question}",
        "customers.good": "customers rated good",
        "language": "en",
        "improvement.title": "Improvement plans needed (satisfaction < {threshold})",
        "improvement.customer": "customer",
        "overdueComplaints.title": "Overdue complaints",
        "overdueComplaints.customer": "customer",
        "overdueComplaints.category": "category",
        "overdueComplaints.deadline": "deadline",
        "overdueContacts.title": "Customers overdue for contact",
        "overdueContacts.salesperson": "salesperson",
        "overdueContacts.customers": "customers",
    ]

    /// The report as titled tables (the same content in every text format), in English.
    public var sections: [Section] { sections(labels: [:]) }

    /// The label for `key` (from `labels`, else English) with its placeholders filled.
    public static func label(_ key: String, _ labels: [String: String], _ values: [String: String] = [:]) -> String {
        var text = labels[key] ?? englishLabels[key] ?? key
        for (name, value) in values { text = text.replacingOccurrences(of: "{\(name)}", with: value) }
        return text
    }

    /// The report as titled tables with the words of `labels` (by ``englishLabels`` key).
    public func sections(labels: [String: String]) -> [Section] {
        func t(_ key: String, _ values: [String: String] = [:]) -> String { Self.label(key, labels, values) }
        let c = complaints
        var sections: [Section] = []
        var complaintRows = EntitySchema.complaintCategories.map { [$0, String(c.byCategory[$0] ?? 0)] }
        complaintRows += [
            [t("complaints.total"), String(c.received)],
            [t("complaints.escalated"), String(c.escalated)],
            [t("complaints.handled"), String(c.handled)],
            [t("complaints.handlingRate"), Self.percent(c.handlingRate)],
            [t("complaints.onTimeRate"), Self.percent(c.onTimeRate)],
            [t("complaints.revisitRate"), Self.percent(c.revisitRate)],
        ]
        sections.append(Section(title: t("complaints.title", ["month": month.description]), header: [t("measure"), t("value")], rows: complaintRows))
        sections.append(Section(
            title: t("activity.title"),
            header: ["salesperson", "planned", "done", "planRate", "visits", "contacts", "required", "met"].map { t("activity.\($0)") },
            rows: activity.map { a in
                [a.salesperson.isEmpty ? t("unassigned") : a.salesperson, String(a.planned), String(a.plannedDone), Self.percent(a.planRate),
                 String(a.visits), String(a.contacts), String(a.required), String(a.requiredMet)]
            }))
        let k = customers
        let retentionTarget = "\(Self.percent(targets.retentionTargetMin))–\(Self.percent(targets.retentionTargetMax))"
        var customerRows: [[String]] = [
            [t("customers.atStart"), String(k.atStart), ""],
            [t("customers.lost"), String(k.lost), ""],
            [t("customers.retention"), Self.percent(k.retention), retentionTarget],
            [t("customers.complaining"), String(k.complaining), ""],
            [t("customers.complaintRate"), Self.percent(k.complaintRate), "< \(Self.percent(targets.complaintRateTarget))"],
            [t("customers.answers"), String(k.satisfactionAnswers), ""],
            [t("customers.average"), Self.decimal(k.satisfactionAverage), "≥ \(Self.decimal(satisfactionPolicy.good))"],
        ]
        customerRows += k.satisfactionByBranch.sorted { $0.key < $1.key }.map { [t("customers.branch", ["branch": $0.key]), Self.decimal($0.value), ""] }
        // Questions in the policy's order, then answers to questions it no longer asks, by key.
        let asked = satisfactionPolicy.questions.map(\.key)
        let questionKeys = asked.filter { k.satisfactionByQuestion[$0] != nil } + k.satisfactionByQuestion.keys.filter { !asked.contains($0) }.sorted()
        customerRows += questionKeys.map { key in
            let label = satisfactionPolicy.question(key)?.label(language: t("language")) ?? key
            return [t("customers.question", ["question": label]), Self.decimal(k.satisfactionByQuestion[key]), ""]
        }
        customerRows.append([t("customers.good"), "\(k.satisfactionGoodCustomers) / \(k.satisfactionCustomers)",
                             "≥ \(Self.decimal(satisfactionPolicy.good))"])
        sections.append(Section(title: t("customers.title"), header: [t("measure"), t("value"), t("target")], rows: customerRows))
        sections.append(Section(title: t("improvement.title", ["threshold": Self.decimal(satisfactionPolicy.improvementBelow)]),
                                header: [t("improvement.customer")], rows: k.needsImprovementPlan.map { [$0] }))
        sections.append(Section(title: t("overdueComplaints.title"),
                                header: ["customer", "category", "deadline"].map { t("overdueComplaints.\($0)") }, rows: overdueComplaints))
        sections.append(Section(title: t("overdueContacts.title"), header: [t("overdueContacts.salesperson"), t("overdueContacts.customers")],
                                rows: overdueContacts.sorted { $0.key < $1.key }.map { [$0.key.isEmpty ? t("unassigned") : $0.key, String($0.value)] }))
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
                "satisfactionByQuestion": .object(k.satisfactionByQuestion.mapValues { .double($0) }),
                "satisfactionCustomers": .int(Int64(k.satisfactionCustomers)),
                "satisfactionGoodCustomers": .int(Int64(k.satisfactionGoodCustomers)),
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

    /// The report written in `format`, with the words of `labels` (by ``englishLabels`` key; English
    /// for keys not given). CSV starts with the UTF-8 byte order mark (U+FEFF). JSON keys are never translated.
    public func render(_ format: ReportFormat, labels: [String: String] = [:]) -> String {
        func t(_ key: String, _ values: [String: String] = [:]) -> String { Self.label(key, labels, values) }
        let sections = sections(labels: labels)
        let values = ["month": month.description, "version": String(policyVersion)]
        switch format {
        case .json:
            return jsonValue.serialized(pretty: true) + "\n"
        case .csv:
            var lines: [String] = []
            for section in sections {
                lines.append(Self.csvLine([t("section"), section.title]))
                lines.append(Self.csvLine(section.header))
                lines += section.rows.map(Self.csvLine)
                lines.append("")
            }
            return "\u{FEFF}" + lines.joined(separator: "\r\n")
        case .markdown:
            var text = "# \(t("markdownTitle", values))\n\n\(t("policyVersion", values))\n"
            for section in sections {
                text += "\n## \(section.title)\n\n"
                guard !section.rows.isEmpty else { text += t("noneSentence") + "\n"; continue }
                text += "| " + section.header.joined(separator: " | ") + " |\n"
                text += "|" + section.header.map { _ in "---|" }.joined() + "\n"
                for row in section.rows { text += "| " + row.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n" }
            }
            return text
        case .table:
            var text = t("title", values) + "\n"
            for section in sections {
                text += "\n\(section.title)\n"
                guard !section.rows.isEmpty else { text += "  \(t("none"))\n"; continue }
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
