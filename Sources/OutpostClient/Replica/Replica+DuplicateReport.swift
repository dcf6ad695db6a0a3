import OutpostModel

/// One group of the duplicates report: customers that look like the same company.
public struct DuplicateGroup: Sendable, Hashable {
    /// The customers, sorted by id (the same on every replica).
    public var customers: [Record]
    /// Why each later customer matches an earlier one of the group (index 0 is empty).
    public var reasons: [[DuplicateReason]]
}

extension Replica {
    /// The duplicates report (`outpost customer duplicates`, 查重): groups of live customers this
    /// device holds — the signed-in user's scope — that look like the same company, by credit
    /// code, normalised name or a shared contact phone. Every replica holding the same records
    /// reports the same groups; an `hq` device holds every branch, so its report covers the company.
    public func duplicatesReport() throws -> [DuplicateGroup] {
        let keys = try customerMatchKeys()
        let byID = Dictionary(keys.map { ($0.id, $0.keys) }, uniquingKeysWith: { first, _ in first })
        return try DuplicateCheck.groups(keys).map { ids in
            let customers = try ids.compactMap { try record($0) }
            let reasons = ids.enumerated().map { index, id in
                ids[..<index].lazy.map { DuplicateCheck.reasons(byID[id]!, byID[$0]!) }.first { !$0.isEmpty } ?? []
            }
            return DuplicateGroup(customers: customers, reasons: reasons)
        }
    }
}
