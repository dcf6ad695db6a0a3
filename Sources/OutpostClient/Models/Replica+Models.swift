import OutpostJSON
import OutpostModel

/// Typed models read from and saved to the replica (the stringly API stays for tools).
extension Replica {
    /// The record `id` as a model, or `nil` when the replica holds no such record.
    ///
    /// - Throws: ``ModelConversionError`` when the record is of another type.
    public func model<Model: RecordModel>(_ type: Model.Type, id: RecordID) throws -> Model? {
        guard let record = try record(id) else { return nil }
        return try Model(record)
    }

    /// Saves a model: creates the record when it was never saved, else writes the fields set
    /// since it was read (``RecordModel/changes``) as one edit — other fields, fields unknown to
    /// this app and edits made meanwhile (e.g. pulled by a sync) stay as they are. Setting a field
    /// in conflict resolves the conflict. Returns the model of the version stored.
    ///
    /// - Throws: ``ReplicaError`` as ``create(_:fields:branch:id:)`` and ``update(_:fields:)`` do.
    @discardableResult
    public func save<Model: RecordModel>(_ model: Model) throws -> Model {
        let stored: Record
        if model.record == nil {
            stored = try create(Model.entityType, fields: model.fieldValues.filter { !$0.value.isNull }, branch: model.branch, id: model.id)
        } else {
            let changes = model.changes
            if changes.isEmpty {
                guard let current = try record(model.id) else { throw ReplicaError.notFound(model.id.rawValue) }
                stored = current
            } else {
                stored = try update(model.id, fields: changes)
            }
        }
        return try Model(stored)
    }

    /// Resolves the conflict of one property by writing `value` (see ``resolve(_:field:choice:)``).
    @discardableResult
    public func resolve<Model: RecordModel, Value: FieldValue>(_ model: Model, _ property: KeyPath<Model, Value>, to value: Value) throws -> Model {
        try Model(resolve(model.id, field: Model.properties.name(of: property), choice: .value(value.json)))
    }

    /// Resolves the conflict of one optional property by writing `value` (`nil` clears the field).
    @discardableResult
    public func resolve<Model: RecordModel, Value: FieldValue>(_ model: Model, _ property: KeyPath<Model, Value?>, to value: Value?) throws -> Model {
        try Model(resolve(model.id, field: Model.properties.name(of: property), choice: .value(value?.json ?? .null)))
    }
}
