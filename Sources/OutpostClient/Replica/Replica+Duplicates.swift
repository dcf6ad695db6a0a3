import OutpostJSON
import OutpostModel

extension Replica {
    /// The match keys of every live customer held locally, with its contacts' phone numbers.
    func customerMatchKeys() throws -> [(id: RecordID, keys: CustomerMatchKeys)] {
        var phonesByCustomer: [RecordID: [String]] = [:]
        for contact in try records(.contact) {
            guard let customer = contact.value(of: "customer")?.stringValue else { continue }
            let phones = contact.value(of: "phones")?.arrayValue?.compactMap(\.stringValue) ?? []
            phonesByCustomer[RecordID(unchecked: customer), default: []].append(contentsOf: phones)
        }
        return try records(.customer).map { customer in
            (customer.id, CustomerMatchKeys(customer: customer.values, contactPhones: phonesByCustomer[customer.id] ?? []))
        }
    }

    /// Live customers that a customer with these values (and contact phones) would likely
    /// duplicate, checked offline before adding it (查重). `excluding` leaves out the customer
    /// itself when checking an edit.
    ///
    /// ```swift
    /// let matches = try replica.possibleDuplicates(ofCustomer: ["name": "北京华联有限公司"])
    /// if !matches.isEmpty { /* warn, name matches[0].existing, ask before adding */ }
    /// ```
    public func possibleDuplicates(ofCustomer values: [String: JSONValue], contactPhones: [String] = [],
                                   excluding: RecordID? = nil) throws -> [DuplicateMatch] {
        let candidate = CustomerMatchKeys(customer: values, contactPhones: contactPhones)
        return DuplicateCheck.matches(candidate, among: try customerMatchKeys().filter { $0.id != excluding })
    }

    /// Groups of live customers that look like the same company, for the duplicates report.
    public func duplicateCustomerGroups() throws -> [[RecordID]] {
        DuplicateCheck.groups(try customerMatchKeys())
    }
}
