import OutpostModel

/// Typed models for apps: read a record as a ``Customer``, ``Contact``, ``Visit`` or
/// ``Complaint``, change its properties, save it.
///
/// ```swift
/// var acme = Customer(code: "C-1", name: "Acme", kind: .enterprise, tier: .core)
/// acme = try await client.save(acme)
/// acme.tier = .important
/// acme = try await client.save(acme)          // writes only `tier`
/// if let other = try await client.customer(id), !other.conflicts.isEmpty { … }
/// ```
extension OfflineClient {
    /// Saves a model (see ``Replica/save(_:)``) and returns the version stored.
    @discardableResult
    public func save<Model: RecordModel>(_ model: Model) throws -> Model { try replica.save(model) }

    /// The record `id` as a model of `type`, or `nil`.
    public func model<Model: RecordModel>(_ type: Model.Type, id: RecordID) throws -> Model? { try replica.model(type, id: id) }

    /// The customer `id`, or `nil`.
    public func customer(_ id: RecordID) throws -> Customer? { try replica.model(Customer.self, id: id) }

    /// The contact `id`, or `nil`.
    public func contact(_ id: RecordID) throws -> Contact? { try replica.model(Contact.self, id: id) }

    /// The visit `id`, or `nil`.
    public func visit(_ id: RecordID) throws -> Visit? { try replica.model(Visit.self, id: id) }

    /// The complaint `id`, or `nil`.
    public func complaint(_ id: RecordID) throws -> Complaint? { try replica.model(Complaint.self, id: id) }

    /// Resolves a property's conflict by writing `value`.
    @discardableResult
    public func resolve<Model: RecordModel, Value: FieldValue>(_ model: Model, _ property: KeyPath<Model, Value>, to value: Value) throws -> Model {
        try replica.resolve(model, property, to: value)
    }

    /// Resolves an optional property's conflict by writing `value` (`nil` clears the field).
    @discardableResult
    public func resolve<Model: RecordModel, Value: FieldValue>(_ model: Model, _ property: KeyPath<Model, Value?>, to value: Value?) throws -> Model {
        try replica.resolve(model, property, to: value)
    }
}
