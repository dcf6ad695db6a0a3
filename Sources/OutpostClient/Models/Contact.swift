import OutpostJSON
import OutpostModel

/// A person at a customer (``EntitySchema/contact``) as a typed value.
///
/// ```swift
/// var li = Contact(customer: acme.id, name: "李明")
/// li.phones = ["138 0013 8000"]
/// li = try await client.save(li)
/// ```
public struct Contact: RecordModel {
    /// The entity type this model views.
    public static let entityType = EntityType.contact
    /// The record values behind the properties.
    public var storage: ModelStorage
    /// A model over `storage` (see ``RecordModel``).
    public init(storage: ModelStorage) { self.storage = storage }

    /// A new contact with its required fields.
    public init(id: RecordID = .random(), customer: RecordID, name: String) {
        self.init(id: id)
        self.customer = customer
        self.name = name
    }

    /// The typed properties, each naming its schema field (checked against the schema by the tests).
    public static let properties = ModelProperties<Contact>([
        .field(\.customer, "customer"), .field(\.name, "name"), .field(\.title, "title"), .field(\.phones, "phones"),
        .field(\.email, "email"), .field(\.decisionMaker, "decisionMaker"),
    ])

    /// The customer's record id.
    public var customer: RecordID { get { self[field: \.customer] } set { self[field: \.customer] = newValue } }
    /// Full name.
    public var name: String { get { self[field: \.name] } set { self[field: \.name] = newValue } }
    /// Job title.
    public var title: String? { get { self[field: \.title] } set { self[field: \.title] = newValue } }
    /// Phone numbers.
    public var phones: [String]? { get { self[field: \.phones] } set { self[field: \.phones] = newValue } }
    /// E-mail address.
    public var email: String? { get { self[field: \.email] } set { self[field: \.email] = newValue } }
    /// Takes purchase decisions.
    public var decisionMaker: Bool? { get { self[field: \.decisionMaker] } set { self[field: \.decisionMaker] = newValue } }
}
