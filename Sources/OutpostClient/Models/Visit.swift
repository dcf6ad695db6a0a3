import Foundation
import OutpostJSON
import OutpostModel

/// A planned or completed visit (``EntitySchema/visit``) as a typed value.
///
/// ```swift
/// var visit = Visit(customer: acme.id, method: .onsite)
/// visit.actualAt = Date()
/// visit.satisfaction = 5
/// visit = try await client.save(visit)
/// ```
public struct Visit: RecordModel {
    /// The entity type this model views.
    public static let entityType = EntityType.visit
    /// The record values behind the properties.
    public var storage: ModelStorage
    /// A model over `storage` (see ``RecordModel``).
    public init(storage: ModelStorage) { self.storage = storage }

    /// A new visit with its required fields.
    public init(id: RecordID = .random(), customer: RecordID, method: Method) {
        self.init(id: id)
        self.customer = customer
        self.method = method
    }

    /// The typed properties, each naming its schema field (checked against the schema by the tests).
    public static let properties = ModelProperties<Visit>([
        .field(\.customer, "customer"), .field(\.plannedAt, "plannedAt"), .field(\.actualAt, "actualAt"), .field(\.method, "method"),
        .field(\.purpose, "purpose"), .field(\.summary, "summary"), .field(\.outcome, "outcome"), .field(\.nextStep, "nextStep"),
        .field(\.satisfaction, "satisfaction"), .field(\.materials, "materials"), .field(\.needs, "needs"),
        .field(\.valueDelivered, "valueDelivered"), .field(\.problemsSolved, "problemsSolved"), .field(\.checkIn, "checkIn"),
        .field(\.survey, "survey"),
    ])

    /// The customer's record id.
    public var customer: RecordID { get { self[field: \.customer] } set { self[field: \.customer] = newValue } }
    /// Planned time.
    public var plannedAt: Date? { get { self[field: \.plannedAt] } set { self[field: \.plannedAt] = newValue } }
    /// Actual time (set when the visit took place).
    public var actualAt: Date? { get { self[field: \.actualAt] } set { self[field: \.actualAt] = newValue } }
    /// How the visit is made.
    public var method: Method { get { self[field: \.method] } set { self[field: \.method] = newValue } }
    /// Purpose.
    public var purpose: String? { get { self[field: \.purpose] } set { self[field: \.purpose] = newValue } }
    /// What happened.
    public var summary: String? { get { self[field: \.summary] } set { self[field: \.summary] = newValue } }
    /// Outcome.
    public var outcome: String? { get { self[field: \.outcome] } set { self[field: \.outcome] = newValue } }
    /// Agreed next step.
    public var nextStep: String? { get { self[field: \.nextStep] } set { self[field: \.nextStep] = newValue } }
    /// Customer satisfaction, 1 (poor) to 5 (excellent).
    public var satisfaction: Int? { get { self[field: \.satisfaction] } set { self[field: \.satisfaction] = newValue } }
    /// Materials to bring (plan).
    public var materials: String? { get { self[field: \.materials] } set { self[field: \.materials] = newValue } }
    /// Customer needs heard (report).
    public var needs: String? { get { self[field: \.needs] } set { self[field: \.needs] = newValue } }
    /// Value delivered (report).
    public var valueDelivered: String? { get { self[field: \.valueDelivered] } set { self[field: \.valueDelivered] = newValue } }
    /// Problems solved (report).
    public var problemsSolved: String? { get { self[field: \.problemsSolved] } set { self[field: \.problemsSolved] = newValue } }
    /// Optional check-in location, e.g. `31.2304,121.4737`.
    public var checkIn: String? { get { self[field: \.checkIn] } set { self[field: \.checkIn] = newValue } }

    /// Satisfaction survey: score 1 (poor) to 5 (excellent) per question of the policy document.
    public var survey: [String: Int]? { get { self[field: \.survey] } set { self[field: \.survey] = newValue } }

    /// How a visit is made.
    public struct Method: FieldChoice {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let onsite = Method(rawValue: "onsite")
        public static let phone = Method(rawValue: "phone")
        public static let email = Method(rawValue: "email")
        public static let video = Method(rawValue: "video")
        public static let allCases: [Method] = [.onsite, .phone, .email, .video]
    }
}
