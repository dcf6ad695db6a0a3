/// The kinds of records Outpost stores.
public enum EntityType: String, Sendable, Hashable, CaseIterable, Comparable {
    /// A customer file (unique code, tier, owner, ...).
    case customer
    /// A person at a customer.
    case contact
    /// A planned or completed visit to a customer.
    case visit
    /// A complaint received from a customer.
    case complaint

    public static func < (lhs: EntityType, rhs: EntityType) -> Bool { lhs.rawValue < rhs.rawValue }
}
