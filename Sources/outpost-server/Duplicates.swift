import OutpostJSON
import OutpostModel
import OutpostServer

/// Prints `outpost-server duplicates`: each group as a table, or everything as JSON.
func printDuplicates(_ groups: [ServerDuplicateGroup], json: Bool) {
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
        print(value.serialized(pretty: true))
        return
    }
    guard !groups.isEmpty else {
        print("No duplicate customers found.")
        return
    }
    print("\(groups.count) group\(groups.count == 1 ? "" : "s") of customers look like the same company:")
    for (number, group) in groups.enumerated() {
        print("\nGroup \(number + 1)")
        for (index, customer) in group.customers.enumerated() {
            let why = group.reasons[index].map(\.description).joined(separator: ", ")
            print("  \(customer.id.rawValue.prefix(8))  \(customer.branch)  \(text(customer, "code"))  \(text(customer, "name"))  \(text(customer, "owner"))  \(why)")
        }
    }
}
