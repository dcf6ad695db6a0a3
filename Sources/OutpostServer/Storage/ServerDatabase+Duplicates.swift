import OutpostJSON
import OutpostModel

/// One group of the server's duplicates report.
public struct ServerDuplicateGroup: Sendable, Hashable {
    /// The live customers that look like the same company, sorted by id.
    public var customers: [Record]
    /// Why each customer matches an earlier one of the group (index 0 is empty).
    public var reasons: [[DuplicateReason]]
}

extension ServerDatabase {
    /// The duplicates report across every device's customers as the server holds them
    /// (`outpost-server duplicates`, for headquarters): groups of live customers with the same
    /// credit code, normalised name or contact phone, within `branch` when given. Devices compute
    /// the same report over their own scope with `outpost customer duplicates`.
    public func duplicateCustomerGroups(branch: String? = nil) throws -> [ServerDuplicateGroup] {
        var customers: [RecordID: Record] = [:]
        var phones: [RecordID: [String]] = [:]
        var after: Int64 = 0
        while true {
            let page = try changes(after: after, limit: 5_000)
            guard let last = page.last else { break }
            after = last.seq
            for (_, record) in page where !record.isDeleted && (branch == nil || record.branch == branch) {
                switch record.type {
                case .customer:
                    customers[record.id] = record
                case .contact:
                    if let customer = record.value(of: "customer")?.stringValue {
                        phones[RecordID(unchecked: customer), default: []] += record.value(of: "phones")?.arrayValue?.compactMap(\.stringValue) ?? []
                    }
                case .visit, .complaint:
                    break
                }
            }
        }
        let keys = customers.values.sorted { $0.id < $1.id }.map { customer in
            (id: customer.id, keys: CustomerMatchKeys(customer: customer.values, contactPhones: phones[customer.id] ?? []))
        }
        let byID = Dictionary(keys.map { ($0.id, $0.keys) }, uniquingKeysWith: { first, _ in first })
        return DuplicateCheck.groups(keys).map { ids in
            ServerDuplicateGroup(customers: ids.compactMap { customers[$0] }, reasons: ids.enumerated().map { index, id in
                ids[..<index].lazy.map { DuplicateCheck.reasons(byID[id]!, byID[$0]!) }.first { !$0.isEmpty } ?? []
            })
        }
    }
}
