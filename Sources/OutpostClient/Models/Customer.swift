import Foundation
import OutpostJSON
import OutpostModel

/// A customer file (``EntitySchema/customer``) as a typed value.
///
/// ```swift
/// var acme = Customer(code: "C-1", name: "Acme", kind: .enterprise, tier: .core)
/// acme.owner = "li"
/// acme.annualPurchase = 1_200_000
/// acme = try await client.save(acme)
/// ```
public struct Customer: RecordModel {
    /// The entity type this model views.
    public static let entityType = EntityType.customer
    /// The record values behind the properties.
    public var storage: ModelStorage
    /// A model over `storage` (see ``RecordModel``).
    public init(storage: ModelStorage) { self.storage = storage }

    /// A new customer with its required fields.
    public init(id: RecordID = .random(), code: String, name: String, kind: Kind, tier: Tier) {
        self.init(id: id)
        self.code = code
        self.name = name
        self.kind = kind
        self.tier = tier
    }

    /// The typed properties, each naming its schema field (checked against the schema by the tests).
    public static let properties = ModelProperties<Customer>([
        .field(\.code, "code"), .field(\.name, "name"), .field(\.kind, "kind"), .field(\.tier, "tier"),
        .field(\.industry, "industry"), .field(\.address, "address"), .field(\.region, "region"), .field(\.owner, "owner"),
        .field(\.sharedWith, "sharedWith"), .field(\.status, "status"), .field(\.creditRating, "creditRating"),
        .field(\.annualPurchase, "annualPurchase"), .field(\.notes, "notes"), .field(\.creditCode, "creditCode"),
        .field(\.margin, "margin"), .field(\.cooperationSince, "cooperationSince"), .field(\.lostAt, "lostAt"),
        .field(\.mergedInto, "mergedInto"),
    ])

    /// Unique customer code, e.g. `C-0001`.
    public var code: String { get { self[field: \.code] } set { self[field: \.code] = newValue } }
    /// Registered name.
    public var name: String { get { self[field: \.name] } set { self[field: \.name] = newValue } }
    /// Kind of customer.
    public var kind: Kind { get { self[field: \.kind] } set { self[field: \.kind] = newValue } }
    /// Tier; sets the contact cadence.
    public var tier: Tier { get { self[field: \.tier] } set { self[field: \.tier] = newValue } }
    /// Industry.
    public var industry: String? { get { self[field: \.industry] } set { self[field: \.industry] = newValue } }
    /// Postal address.
    public var address: String? { get { self[field: \.address] } set { self[field: \.address] = newValue } }
    /// Sales region within the branch.
    public var region: String? { get { self[field: \.region] } set { self[field: \.region] = newValue } }
    /// User name of the responsible salesperson (decides who sees the customer).
    public var owner: String? { get { self[field: \.owner] } set { self[field: \.owner] = newValue } }
    /// Other users who may read and write the customer.
    public var sharedWith: [String]? { get { self[field: \.sharedWith] } set { self[field: \.sharedWith] = newValue } }
    /// Relationship status.
    public var status: Status? { get { self[field: \.status] } set { self[field: \.status] = newValue } }
    /// Credit rating, A best.
    public var creditRating: CreditRating? { get { self[field: \.creditRating] } set { self[field: \.creditRating] = newValue } }
    /// Annual purchase amount.
    public var annualPurchase: Double? { get { self[field: \.annualPurchase] } set { self[field: \.annualPurchase] = newValue } }
    /// Free notes.
    public var notes: String? { get { self[field: \.notes] } set { self[field: \.notes] = newValue } }
    /// Unified social credit code (统一社会信用代码).
    public var creditCode: String? { get { self[field: \.creditCode] } set { self[field: \.creditCode] = newValue } }
    /// Gross margin as a fraction, e.g. 0.18.
    public var margin: Double? { get { self[field: \.margin] } set { self[field: \.margin] = newValue } }
    /// When cooperation began.
    public var cooperationSince: Date? { get { self[field: \.cooperationSince] } set { self[field: \.cooperationSince] = newValue } }
    /// When the customer was lost.
    public var lostAt: Date? { get { self[field: \.lostAt] } set { self[field: \.lostAt] = newValue } }
    /// On a merged duplicate: the customer it was merged into.
    public var mergedInto: RecordID? { get { self[field: \.mergedInto] } set { self[field: \.mergedInto] = newValue } }

    /// Kind of customer.
    public struct Kind: FieldChoice {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let enterprise = Kind(rawValue: "enterprise")
        public static let individual = Kind(rawValue: "individual")
        public static let channelPartner = Kind(rawValue: "channel-partner")
        public static let tenant = Kind(rawValue: "tenant")
        public static let allCases: [Kind] = [.enterprise, .individual, .channelPartner, .tenant]
    }

    /// Customer tier, most valuable first.
    public struct Tier: FieldChoice {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let core = Tier(rawValue: "core")
        public static let important = Tier(rawValue: "important")
        public static let potential = Tier(rawValue: "potential")
        public static let general = Tier(rawValue: "general")
        public static let allCases: [Tier] = [.core, .important, .potential, .general]
    }

    /// Relationship status.
    public struct Status: FieldChoice {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let prospect = Status(rawValue: "prospect")
        public static let active = Status(rawValue: "active")
        public static let dormant = Status(rawValue: "dormant")
        public static let lost = Status(rawValue: "lost")
        public static let allCases: [Status] = [.prospect, .active, .dormant, .lost]
    }

    /// Credit rating, A best.
    public struct CreditRating: FieldChoice {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let a = CreditRating(rawValue: "A")
        public static let b = CreditRating(rawValue: "B")
        public static let c = CreditRating(rawValue: "C")
        public static let d = CreditRating(rawValue: "D")
        public static let allCases: [CreditRating] = [.a, .b, .c, .d]
    }
}
