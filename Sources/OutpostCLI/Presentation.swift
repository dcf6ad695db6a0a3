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

    /// The record as a JSON object: id, type, branch, every schema field (`null` when unset), deleted, conflicts.
    static func json(_ record: Record, extra: [String: JSONValue] = [:]) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(record.id.rawValue), "type": .string(record.type.rawValue), "branch": .string(record.branch),
            "deleted": .bool(record.isDeleted), "conflicts": .array(record.conflicts.map(conflictJSON)),
            "modifiedAt": .string(time(record.lastModified.millis)),
        ]
        for field in EntitySchema.for(record.type).fields { object[field.name] = .null }
        for (name, value) in record.values { object[name] = value }
        for (key, value) in extra { object[key] = value }
        return .object(object)
    }

    static func conflictJSON(_ conflict: Conflict) -> JSONValue {
        switch conflict {
        case .field(let name, let siblings):
            return .object([
                "kind": "field", "field": .string(name),
                "values": .array(siblings.enumerated().map { index, sibling in
                    .object(["choice": .int(Int64(index + 1)), "value": sibling.value, "node": .string(sibling.dot.node.rawValue),
                             "at": .string(time(sibling.timestamp.millis))])
                }),
            ])
        case .deleteRacedEdit(let editedFields, let deleteTimestamp):
            return .object([
                "kind": "deleteRacedEdit", "editedFields": .array(editedFields.map { .string($0) }),
                "deletedAt": .string(time(deleteTimestamp.millis)),
            ])
        }
    }

    /// Lines describing each conflict of `record`, numbered for `resolve --pick`.
    static func conflictLines(_ record: Record, localNode: NodeID) -> [String] {
        var lines: [String] = []
        for conflict in record.conflicts {
            switch conflict {
            case .field(let name, let siblings):
                lines.append("  \(name): \(siblings.count) different values")
                for (index, sibling) in siblings.enumerated() {
                    let node = sibling.dot.node == localNode ? "this device" : "device \(short(sibling.dot.node))"
                    let current = index == 0 ? "  (current)" : ""
                    lines.append("    \(index + 1)) \(quoted(sibling.value))  — \(node), \(time(sibling.timestamp.millis))\(current)")
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
