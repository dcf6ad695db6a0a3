import OutpostJSON
import OutpostModel
import OutpostServer

/// Prints `outpost-server duplicates`: each group as lines, or everything as JSON (`--json`).
struct DuplicatesReport {
    let context: ServerContext

    func print(_ groups: [ServerDuplicateGroup]) {
        let json = context.json
        func reasonCode(_ reason: DuplicateReason) -> String {
            switch reason {
            case .sameCreditCode: return "creditCode"
            case .sameName: return "name"
            case .samePhone: return "phone"
            }
        }
        func text(_ record: Record, _ field: String) -> String { record.value(of: field)?.stringValue ?? "" }
        if json {
            let value = JSONValue.array(groups.map { group in
                .array(group.customers.enumerated().map { index, customer in
                    .object([
                        "id": .string(customer.id.rawValue), "branch": .string(customer.branch), "code": .string(text(customer, "code")),
                        "name": .string(text(customer, "name")), "owner": customer.value(of: "owner") ?? .null,
                        "reasons": .array(group.reasons[index].map { .string(reasonCode($0)) }),
                    ])
                })
            })
            context.printJSON(value)
            return
        }
        guard !groups.isEmpty else {
            context.print("No duplicate customers found.")
            return
        }
        context.print("\(groups.count) group\(groups.count == 1 ? "" : "s") of customers look like the same company:")
        for (number, group) in groups.enumerated() {
            context.print("\nGroup \(number + 1)")
            for (index, customer) in group.customers.enumerated() {
                let why = group.reasons[index].map(\.description).joined(separator: ", ")
                context.print("  \(customer.id.rawValue.prefix(8))  \(customer.branch)  \(text(customer, "code"))  \(text(customer, "name"))  \(text(customer, "owner"))  \(why)")
            }
        }
    }
}
