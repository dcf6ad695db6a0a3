import OutpostJSON

/// The match keys of one customer: what makes two customer files the same company.
public struct CustomerMatchKeys: Sendable, Hashable {
    /// ``MatchKeys/name(_:)`` of the registered name; empty when unknown.
    public var name: String
    /// The unified social credit code, when valid.
    public var creditCode: String?
    /// The phone numbers of the customer's contacts.
    public var phones: [PhoneKey]

    /// Keys from a customer's field values and its contacts' phone numbers.
    public init(customer values: [String: JSONValue], contactPhones: [String] = []) {
        name = values["name"]?.stringValue.map(MatchKeys.name) ?? ""
        creditCode = values["creditCode"]?.stringValue.flatMap(CreditCode.init)?.text
        phones = contactPhones.compactMap(MatchKeys.phone)
    }
}

/// Why two customers look like the same company.
public enum DuplicateReason: Sendable, Hashable, CustomStringConvertible {
    /// Both carry this unified social credit code.
    case sameCreditCode(String)
    /// Their names reduce to the same match key.
    case sameName(String)
    /// A contact of each has this phone number.
    case samePhone(String)

    public var description: String {
        switch self {
        case .sameCreditCode(let code): return "same credit code \(code)"
        case .sameName(let key): return "same name (\(key))"
        case .samePhone(let phone): return "same phone \(phone)"
        }
    }
}

/// One existing customer a new or edited customer may duplicate.
public struct DuplicateMatch: Sendable, Hashable {
    /// The existing customer.
    public var existing: RecordID
    /// Every reason found, strongest first (credit code, name, phone).
    public var reasons: [DuplicateReason]

    /// Creates a match.
    public init(existing: RecordID, reasons: [DuplicateReason]) {
        self.existing = existing
        self.reasons = reasons
    }
}

/// The duplicate check (查重): finds customers that are likely the same company, offline on a
/// device before a customer is added and across a whole scope for the duplicates report.
///
/// ```swift
/// let keys = CustomerMatchKeys(customer: ["name": "北京华联有限公司"])
/// DuplicateCheck.matches(keys, among: existing)   // [DuplicateMatch(existing: …, reasons: [.sameName("北京华联")])]
/// ```
public enum DuplicateCheck {
    /// The reasons two customers look like the same company; empty when they do not.
    public static func reasons(_ a: CustomerMatchKeys, _ b: CustomerMatchKeys) -> [DuplicateReason] {
        var reasons: [DuplicateReason] = []
        if let code = a.creditCode, code == b.creditCode { reasons.append(.sameCreditCode(code)) }
        if !a.name.isEmpty, a.name == b.name { reasons.append(.sameName(a.name)) }
        if let phone = a.phones.first(where: { mine in b.phones.contains { mine.matches($0) } }) {
            reasons.append(.samePhone(phone.digits))
        }
        return reasons
    }

    /// The existing customers `candidate` may duplicate, in the order given.
    public static func matches(_ candidate: CustomerMatchKeys, among existing: [(id: RecordID, keys: CustomerMatchKeys)]) -> [DuplicateMatch] {
        existing.compactMap { entry in
            let found = reasons(candidate, entry.keys)
            return found.isEmpty ? nil : DuplicateMatch(existing: entry.id, reasons: found)
        }
    }

    /// Groups of two or more customers linked by any reason (transitively), each group sorted by
    /// id and the groups by their first id, so every replica reports the same groups.
    public static func groups(_ customers: [(id: RecordID, keys: CustomerMatchKeys)]) -> [[RecordID]] {
        var parent = Array(customers.indices)
        func root(_ index: Int) -> Int {
            var index = index
            while parent[index] != index {
                parent[index] = parent[parent[index]]
                index = parent[index]
            }
            return index
        }
        func join(_ a: Int, _ b: Int) {
            let (ra, rb) = (root(a), root(b))
            if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
        }
        // Exact keys meet in dictionaries; phones without area code need the pairwise rule.
        var firstByKey: [String: Int] = [:]
        var localPhones: [(index: Int, phone: PhoneKey)] = []
        var fullPhones: [(index: Int, phone: PhoneKey)] = []
        for (index, customer) in customers.enumerated() {
            var keys: [String] = []
            if let code = customer.keys.creditCode { keys.append("c:" + code) }
            if !customer.keys.name.isEmpty { keys.append("n:" + customer.keys.name) }
            for phone in customer.keys.phones {
                keys.append("p:" + phone.digits)
                if phone.hasAreaCode { fullPhones.append((index, phone)) } else { localPhones.append((index, phone)) }
            }
            for key in keys {
                if let first = firstByKey[key] { join(first, index) } else { firstByKey[key] = index }
            }
        }
        for local in localPhones {
            for full in fullPhones where local.phone.matches(full.phone) { join(local.index, full.index) }
        }
        var members: [Int: [RecordID]] = [:]
        for index in customers.indices { members[root(index), default: []].append(customers[index].id) }
        return members.values.filter { $0.count > 1 }.map { $0.sorted() }.sorted { $0[0] < $1[0] }
    }
}
