import OutpostClient
import OutpostJSON
import OutpostModel

/// How records, conflicts and times are shown in tables, text and JSON.
enum Presentation {
    /// The first 8 characters of an id, as shown in tables (accepted back as a prefix).
    static func short(_ id: RecordID) -> String { String(id.rawValue.prefix(8)) }
    static func short(_ node: NodeID) -> String { String(node.rawValue.prefix(8)) }

    static func time(_ millis: Int64) -> String { Timestamps.format(millis) }

    /// A date only (`2026-11-24`) for compact columns.
    static func date(_ millis: Int64) -> String { String(Timestamps.format(millis).prefix(10)) }

    /// `2026-11-24 09:30` for compact columns, from RFC 3339 text.
    static func compactTime(_ text: String?) -> String {
        guard let text, let millis = Timestamps.parse(text) else { return text ?? "" }
        let formatted = Timestamps.format(millis)
        return String(formatted.prefix(10)) + " " + String(formatted.dropFirst(11).prefix(5))
    }

    /// A short human name for a record, e.g. `customer C-001 “Acme”`.
    static func label(_ record: Record, codes: [RecordID: String] = [:]) -> String {
        let text = { (name: String) in record.value(of: name)?.stringValue ?? "" }
        let customer = record.value(of: "customer")?.stringValue.map { codes[RecordID(unchecked: $0)] ?? String($0.prefix(8)) } ?? ""
        switch record.type {
        case .customer: return "customer \(text("code")) “\(text("name"))”"
        case .contact: return "contact “\(text("name"))” of \(customer)"
        case .visit:
            let when = compactTime((record.value(of: "actualAt") ?? record.value(of: "plannedAt"))?.stringValue)
            return "visit to \(customer) at \(when)"
        case .complaint: return "complaint of \(customer) received \(compactTime(text("receivedAt")))"
        }
    }

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

    /// Who wrote on `node`: the user's name, "this device" for the local node, or
    /// "another device (4b29…)" when the server has not named its user.
    static func author(_ node: NodeID, localNode: NodeID, authors: [NodeID: String]) -> String {
        switch (authors[node], node == localNode) {
        case (let name?, true): return "\(name) (this device)"
        case (let name?, false): return name
        case (nil, true): return "this device"
        case (nil, false): return "another device (\(node.rawValue.prefix(4))…)"
        }
    }

    /// Lines describing each conflict of `record`, numbered for `resolve --pick`: each value once,
    /// with who wrote it and when.
    static func conflictLines(_ record: Record, localNode: NodeID, authors: [NodeID: String] = [:]) -> [String] {
        var lines: [String] = []
        for conflict in record.conflicts {
            switch conflict {
            case .field(let name, let siblings):
                let choices = choices(siblings)
                lines.append("  \(name): \(choices.count == 1 ? "the same value written on \(siblings.count) devices" : "\(choices.count) different values")")
                for (index, choice) in choices.enumerated() {
                    var writers: [String] = []
                    for sibling in choice.siblings {
                        let writer = author(sibling.dot.node, localNode: localNode, authors: authors)
                        if !writers.contains(writer) { writers.append(writer) }
                    }
                    let who = writers.count <= 2 ? writers.joined(separator: " and ")
                        : writers.dropLast().joined(separator: ", ") + " and " + writers.last!
                    let current = index == 0 ? "  (current)" : ""
                    lines.append("    \(index + 1)) \(quoted(choice.value))  — \(who), \(time(choice.siblings[0].timestamp.millis))\(current)")
                }
            case .deleteRacedEdit(let editedFields, let deleteTimestamp):
                var line = "  deleted on one device while edited on another (deleted \(time(deleteTimestamp.millis))"
                line += editedFields.isEmpty ? "; restored elsewhere)" : "; edited: \(editedFields.joined(separator: ", ")))"
                lines.append(line)
            }
        }
        return lines
    }

    /// How to resolve the conflicts of `record`, as commands.
    static func resolveHints(_ record: Record) -> [String] {
        var hints: [String] = []
        for conflict in record.conflicts {
            switch conflict {
            case .field(let name, _):
                hints.append("outpost resolve \(short(record.id)) --field \(name) --pick N   (or --value TEXT)")
            case .deleteRacedEdit:
                hints.append("outpost resolve \(short(record.id)) --restore   (or --delete)")
            }
        }
        return hints
    }

    static func quoted(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return "“\(text)”"
        case .null: return "(empty)"
        default: return FieldInput.display(value)
        }
    }
}
