import Foundation
import OutpostJSON
import OutpostModel

/// A complaint received from a customer (``EntitySchema/complaint``) as a typed value.
///
/// ```swift
/// var complaint = Complaint(customer: acme.id, receivedAt: Date(), channel: .phone,
///                           content: "Late delivery", category: .responsibleGeneral, status: .open)
/// complaint = try await client.save(complaint)
/// ```
public struct Complaint: RecordModel {
    /// The entity type this model views.
    public static let entityType = EntityType.complaint
    /// The record values behind the properties.
    public var storage: ModelStorage
    /// A model over `storage` (see ``RecordModel``).
    public init(storage: ModelStorage) { self.storage = storage }

    /// A new complaint with its required fields.
    public init(id: RecordID = .random(), customer: RecordID, receivedAt: Date, channel: Channel, content: String,
                category: Category, status: Status = .open) {
        self.init(id: id)
        self.customer = customer
        self.receivedAt = receivedAt
        self.channel = channel
        self.content = content
        self.category = category
        self.status = status
    }

    /// The typed properties, each naming its schema field (checked against the schema by the tests).
    public static let properties = ModelProperties<Complaint>([
        .field(\.customer, "customer"), .field(\.receivedAt, "receivedAt"), .field(\.channel, "channel"),
        .field(\.complainant, "complainant"), .field(\.content, "content"), .field(\.category, "category"),
        .field(\.status, "status"), .field(\.resolution, "resolution"), .field(\.complainants, "complainants"),
        .field(\.onSite, "onSite"), .field(\.requestedBy, "requestedBy"), .field(\.resolvedAt, "resolvedAt"),
        .field(\.revisitedAt, "revisitedAt"),
    ])

    /// The customer's record id.
    public var customer: RecordID { get { self[field: \.customer] } set { self[field: \.customer] = newValue } }
    /// When the complaint was received.
    public var receivedAt: Date { get { self[field: \.receivedAt] } set { self[field: \.receivedAt] = newValue } }
    /// How it arrived.
    public var channel: Channel { get { self[field: \.channel] } set { self[field: \.channel] = newValue } }
    /// Who complained.
    public var complainant: String? { get { self[field: \.complainant] } set { self[field: \.complainant] = newValue } }
    /// What the complaint says.
    public var content: String { get { self[field: \.content] } set { self[field: \.content] = newValue } }
    /// Responsibility category; sets the deadline.
    public var category: Category { get { self[field: \.category] } set { self[field: \.category] = newValue } }
    /// Handling status.
    public var status: Status { get { self[field: \.status] } set { self[field: \.status] = newValue } }
    /// How it was resolved.
    public var resolution: String? { get { self[field: \.resolution] } set { self[field: \.resolution] = newValue } }
    /// How many people complain about the same matter (5 or more: collective, major).
    public var complainants: Int? { get { self[field: \.complainants] } set { self[field: \.complainants] = newValue } }
    /// For assist: the matter is inside the site (same day) or outside (3 working days).
    public var onSite: Bool? { get { self[field: \.onSite] } set { self[field: \.onSite] = newValue } }
    /// Date the customer asked for a general complaint to be handled by.
    public var requestedBy: Date? { get { self[field: \.requestedBy] } set { self[field: \.requestedBy] = newValue } }
    /// When handling was completed.
    public var resolvedAt: Date? { get { self[field: \.resolvedAt] } set { self[field: \.resolvedAt] = newValue } }
    /// When the customer was revisited after handling.
    public var revisitedAt: Date? { get { self[field: \.revisitedAt] } set { self[field: \.revisitedAt] = newValue } }

    /// How a complaint arrived.
    public struct Channel: FieldChoice {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let phone = Channel(rawValue: "phone")
        public static let email = Channel(rawValue: "email")
        public static let onsite = Channel(rawValue: "onsite")
        public static let letter = Channel(rawValue: "letter")
        public static let web = Channel(rawValue: "web")
        public static let other = Channel(rawValue: "other")
        public static let allCases: [Channel] = [.phone, .email, .onsite, .letter, .web, .other]
    }

    /// Responsibility category, by company responsibility.
    public struct Category: FieldChoice {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let responsibleMajor = Category(rawValue: "responsible-major")
        public static let responsibleGeneral = Category(rawValue: "responsible-general")
        public static let notResponsible = Category(rawValue: "not-responsible")
        public static let assist = Category(rawValue: "assist")
        public static let allCases: [Category] = [.responsibleMajor, .responsibleGeneral, .notResponsible, .assist]
    }

    /// Handling status.
    public struct Status: FieldChoice {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let open = Status(rawValue: "open")
        public static let inProgress = Status(rawValue: "in-progress")
        public static let resolved = Status(rawValue: "resolved")
        public static let closed = Status(rawValue: "closed")
        public static let allCases: [Status] = [.open, .inProgress, .resolved, .closed]
    }
}
