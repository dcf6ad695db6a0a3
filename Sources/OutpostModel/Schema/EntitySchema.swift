import OutpostJSON
/// The fields of an entity type and the rules their values follow.
///
/// ```swift
/// try EntitySchema.customer.validate(["code": "C-001", "name": "Acme", "kind": "enterprise", "tier": "core"],
///                                    requireAll: true)
/// ```
public struct EntitySchema: Sendable {
    /// The entity this schema describes.
    public let type: EntityType
    /// The fields, in display order.
    public let fields: [FieldSchema]
    private let byName: [String: FieldSchema]

    /// Creates a schema.
    public init(type: EntityType, fields: [FieldSchema]) {
        self.type = type
        self.fields = fields
        var byName: [String: FieldSchema] = [:]
        for field in fields { byName[field.name] = field }
        self.byName = byName
    }

    /// The schema of a field, or `nil` when the entity has no such field.
    public func field(_ name: String) -> FieldSchema? { byName[name] }

    /// The schema for an entity type.
    public static func `for`(_ type: EntityType) -> EntitySchema {
        switch type {
        case .customer: return .customer
        case .contact: return .contact
        case .visit: return .visit
        case .complaint: return .complaint
        }
    }

    /// Checks field values. With `requireAll`, every required field must be present and non-null
    /// (use it for new records); without, only the given fields are checked (use it for edits).
    ///
    /// - Throws: ``ValidationError`` naming the first offending field (in schema order, unknown fields first).
    public func validate(_ values: [String: JSONValue], requireAll: Bool) throws(ValidationError) {
        for name in values.keys.sorted() where byName[name] == nil {
            throw .unknownField(entity: type, field: name)
        }
        for field in fields {
            if let value = values[field.name] {
                try validate(value, for: field)
            } else if requireAll && field.required {
                throw .missingField(entity: type, field: field.name)
            }
        }
    }

    /// Checks one value against a field's rules. `null` clears an optional field.
    public func validate(_ value: JSONValue, for field: FieldSchema) throws(ValidationError) {
        if value.isNull {
            if field.required { throw .missingField(entity: type, field: field.name) }
            return
        }
        if let problem = FieldRules.check(value, against: field.kind) {
            throw .invalidValue(entity: type, field: field.name, expected: field.kind.summary, got: problem)
        }
    }

    /// Checks every sibling of every field of a record version, and that a live record has its required fields.
    public func validate(_ record: Record) throws(ValidationError) {
        for name in record.fields.keys.sorted() {
            guard let field = byName[name] else { throw .unknownField(entity: type, field: name) }
            for sibling in record.fields[name]!.siblings {
                try validate(sibling.value, for: field)
            }
        }
        if !record.isDeleted {
            for field in fields where field.required {
                guard let value = record.value(of: field.name), !value.isNull else {
                    throw .missingField(entity: type, field: field.name)
                }
            }
        }
    }
}
