import OutpostClient
import OutpostJSON
import OutpostModel

/// How records, conflicts and times are shown in tables, text and JSON.
enum Presentation {
    /// The first 8 characters of an id, as shown in tables (accepted back as a prefix).
    static func short(_ id: RecordID) -> String { String(id.rawValue.prefix(8)) }

    /// `value` pretty-printed as an element of a pretty-printed array (indented one level).
    static func indentedJSON(_ value: JSONValue) -> String {
        var bytes: [UInt8] = []
        _JSONWriter.writePretty(value, indent: 1, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
    static func short(_ node: NodeID) -> String { String(node.rawValue.prefix(8)) }

    /// UTC RFC 3339, for JSON (language- and zone-neutral, as on the wire).
    static func time(_ millis: Int64) -> String { Timestamps.format(millis) }

    /// The record as a JSON object: id, type, branch, every schema field (`null` when unset), deleted, conflicts
    /// (naming the user behind each value when `authors` knows the node).
    static func json(_ record: Record, extra: [String: JSONValue] = [:], authors: [NodeID: String] = [:]) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(record.id.rawValue), "type": .string(record.type.rawValue), "branch": .string(record.branch),
            "deleted": .bool(record.isDeleted), "conflicts": .array(record.conflicts.map { conflictJSON($0, authors: authors) }),
            "modifiedAt": .string(time(record.lastModified.millis)),
        ]
        for field in EntitySchema.for(record.type).fields { object[field.name] = .null }
        for (name, value) in record.values { object[name] = value }
        for (key, value) in extra { object[key] = value }
        return .object(object)
    }

    static func conflictJSON(_ conflict: Conflict, authors: [NodeID: String] = [:]) -> JSONValue {
        switch conflict {
        case .field(let name, let siblings):
            return .object([
                "kind": "field", "field": .string(name),
                "values": .array(choices(siblings).enumerated().map { index, choice in
                    let writer = choice.siblings[0]
                    return .object([
                        "choice": .int(Int64(index + 1)), "value": choice.value, "node": .string(writer.dot.node.rawValue),
                        "user": authors[writer.dot.node].map { .string($0) } ?? .null,
                        "writers": .array(choice.siblings.map { sibling in
                            .object(["node": .string(sibling.dot.node.rawValue),
                                     "user": authors[sibling.dot.node].map { .string($0) } ?? .null,
                                     "at": .string(time(sibling.timestamp.millis))])
                        }),
                        "at": .string(time(writer.timestamp.millis)),
                    ])
                }),
            ])
        case .deleteRacedEdit(let editedFields, let deleteTimestamp):
            return .object([
                "kind": "deleteRacedEdit", "editedFields": .array(editedFields.map { .string($0) }),
                "deletedAt": .string(time(deleteTimestamp.millis)),
            ])
        }
    }

    /// One value to choose from in a field conflict, and the writes that gave it (the same value
    /// written on several devices is one choice).
    struct Choice {
        var value: JSONValue
        /// The writes of this value, most recent first; never empty.
        var siblings: [Sibling<JSONValue>]
    }

    /// The distinct values of a field conflict, in the order of `siblings` (the provisional winner
    /// first): the numbers shown by `conflicts` and taken by `resolve --pick`.
    static func choices(_ siblings: [Sibling<JSONValue>]) -> [Choice] {
        var choices: [Choice] = []
        for sibling in siblings {
            if let index = choices.firstIndex(where: { $0.value == sibling.value }) {
                choices[index].siblings.append(sibling)
            } else {
                choices.append(Choice(value: sibling.value, siblings: [sibling]))
            }
        }
        return choices
    }

    /// How to resolve the conflicts of `record`, as commands.
    static func resolveHints(_ record: Record, _ l: Localizer) -> [String] {
        var hints: [String] = []
        for conflict in record.conflicts {
            switch conflict {
            case .field(let name, _):
                hints.append("outpost resolve \(short(record.id)) --field \(name) --pick N   " + l("hint.orValue"))
            case .deleteRacedEdit:
                hints.append("outpost resolve \(short(record.id)) --restore   " + l("hint.orDelete"))
            }
        }
        return hints
    }
}

/// How text output (never JSON) shows records and times: in the user's language and time zone.
struct Display: Sendable {
    let l: Localizer
    let local: LocalTime

    /// `2026-11-24 17:30` in the user's zone.
    func time(_ millis: Int64) -> String { local.format(millis) }

    /// A date only (`2026-11-24`) in the user's zone, for compact columns.
    func date(_ millis: Int64) -> String { local.formatDate(millis) }

    /// `2026-11-24 17:30` in the user's zone, from stored RFC 3339 text.
    func compactTime(_ text: String?) -> String {
        guard let text, let millis = Timestamps.parse(text) else { return text ?? "" }
        return local.format(millis)
    }

    /// A short human name for a record, e.g. `customer C-001 “Acme”` / `客户 C-001“Acme”`.
    func label(_ record: Record, codes: [RecordID: String] = [:]) -> String {
        let text = { (name: String) in record.value(of: name)?.stringValue ?? "" }
        let customer = record.value(of: "customer")?.stringValue.map { codes[RecordID(unchecked: $0)] ?? String($0.prefix(8)) } ?? ""
        switch record.type {
        case .customer: return l("label.customer", ["code": text("code"), "name": text("name")])
        case .contact: return l("label.contact", ["name": text("name"), "customer": customer])
        case .visit:
            let when = compactTime((record.value(of: "actualAt") ?? record.value(of: "plannedAt"))?.stringValue)
            return l("label.visit", ["customer": customer, "when": when])
        case .complaint: return l("label.complaint", ["customer": customer, "when": compactTime(text("receivedAt"))])
        }
    }

    /// Who wrote on `node`: the user's name, "this device" for the local node, or
    /// "another device (4b29…)" when the server has not named its user.
    func author(_ node: NodeID, localNode: NodeID, authors: [NodeID: String]) -> String {
        switch (authors[node], node == localNode) {
        case (let name?, true): return l("author.thisDeviceNamed", ["name": name])
        case (let name?, false): return name
        case (nil, true): return l("author.thisDevice")
        case (nil, false): return l("author.otherDevice", ["node": node.rawValue.prefix(4)])
        }
    }

    /// Lines describing each conflict of `record`, numbered for `resolve --pick`: each value once,
    /// with who wrote it and when.
    func conflictLines(_ record: Record, localNode: NodeID, authors: [NodeID: String] = [:]) -> [String] {
        var lines: [String] = []
        for conflict in record.conflicts {
            switch conflict {
            case .field(let name, let siblings):
                let choices = Presentation.choices(siblings)
                lines.append("  \(name): " + (choices.count == 1 ? l("conflict.sameValue", ["devices": siblings.count])
                                                                 : l("conflict.values", ["count": choices.count])))
                for (index, choice) in choices.enumerated() {
                    var writers: [String] = []
                    for sibling in choice.siblings {
                        let writer = author(sibling.dot.node, localNode: localNode, authors: authors)
                        if !writers.contains(writer) { writers.append(writer) }
                    }
                    let and = l("list.and")
                    let who = writers.count <= 2 ? writers.joined(separator: and)
                        : writers.dropLast().joined(separator: l("list.comma")) + and + writers.last!
                    let current = index == 0 ? "  " + l("conflict.current") : ""
                    lines.append("    \(index + 1)) \(quoted(choice.value))  — \(who), \(time(choice.siblings[0].timestamp.millis))\(current)")
                }
            case .deleteRacedEdit(let editedFields, let deleteTimestamp):
                let when = time(deleteTimestamp.millis)
                lines.append("  " + (editedFields.isEmpty ? l("conflict.deleteRestored", ["when": when])
                                     : l("conflict.deleteEdited", ["when": when, "fields": editedFields.joined(separator: ", ")])))
            }
        }
        return lines
    }

    /// A value in a sentence: text in quotes, others as shown in tables.
    func quoted(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return "“\(text)”"
        case .null: return l("value.empty")
        default: return FieldInput.display(value)
        }
    }
}
