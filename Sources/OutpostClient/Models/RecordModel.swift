import OutpostJSON
import OutpostModel

/// A typed view of one record: ``Customer``, ``Contact``, ``Visit`` or ``Complaint``.
///
/// Each typed property reads and writes the schema field its entry in ``properties`` names; the
/// schema (``EntitySchema``) stays the one definition of fields, kinds and required fields (the
/// models' tests check every schema field has exactly one property of a fitting type). Fields the
/// app does not know (written by a newer app) are kept as they are and saved back untouched.
///
/// ```swift
/// var acme = Customer(code: "C-1", name: "Acme", kind: .enterprise, tier: .core)
/// acme.owner = "li"
/// acme = try await client.save(acme)
/// acme.conflicts[\.tier]          // [] — or the distinct values when two devices disagreed
/// ```
public protocol RecordModel: Sendable, Hashable, Identifiable where ID == RecordID {
    /// The entity type the model views.
    static var entityType: EntityType { get }
    /// The typed properties, each naming its schema field.
    static var properties: ModelProperties<Self> { get }
    /// The record values behind the properties, and the version they were read from.
    var storage: ModelStorage { get set }
    /// Creates a model over `storage`.
    init(storage: ModelStorage)
}

/// The values behind a model's properties: the record's field values (known and unknown), the
/// fields set since it was read, and the version it was read from (`nil` for a new record).
public struct ModelStorage: Sendable, Hashable {
    /// The record's id (chosen when the model is made, so it can be referred to before saving).
    public internal(set) var id: RecordID
    /// The branch, once stored (a new record gets the user's or its customer's branch).
    public internal(set) var branch: String?
    /// Every field value, by schema field name (provisional winners for fields in conflict).
    public internal(set) var values: [String: JSONValue]
    /// The fields set through the model since it was read: what saving writes.
    public internal(set) var edited: Set<String>
    /// The version the model was read from; `nil` for a record not saved yet.
    public internal(set) var record: Record?

    init(id: RecordID, branch: String?, values: [String: JSONValue], edited: Set<String> = [], record: Record? = nil) {
        self.id = id
        self.branch = branch
        self.values = values
        self.edited = edited
        self.record = record
    }

    mutating func set(_ name: String, _ value: JSONValue) {
        values[name] = value
        edited.insert(name)
    }
}

/// A model could not be made from a record.
public enum ModelConversionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The record is of another entity type.
    case wrongType(record: RecordID, expected: EntityType, found: EntityType)

    public var description: String {
        switch self {
        case .wrongType(let record, let expected, let found):
            return "Record \(record) is a \(found.rawValue), not a \(expected.rawValue)."
        }
    }
}

extension RecordModel {
    /// A new record of this type, not saved yet, with a fresh id and no fields set.
    public init(id: RecordID = .random()) {
        self.init(storage: ModelStorage(id: id, branch: nil, values: [:]))
    }

    /// The model of a stored record version (every field, conflicts included).
    ///
    /// - Throws: ``ModelConversionError/wrongType(record:expected:found:)`` for a record of another type.
    public init(_ record: Record) throws(ModelConversionError) {
        guard record.type == Self.entityType else {
            throw .wrongType(record: record.id, expected: Self.entityType, found: record.type)
        }
        self.init(storage: ModelStorage(id: record.id, branch: record.branch, values: record.values, record: record))
    }

    /// The record's id.
    public var id: RecordID { storage.id }
    /// The record's branch; `nil` until saved.
    public var branch: String? { storage.branch }
    /// The version read from the replica; `nil` for a record not saved yet.
    public var record: Record? { storage.record }
    /// `true` when the record read is deleted.
    public var isDeleted: Bool { storage.record?.isDeleted ?? false }

    /// Every field value by schema field name, those this app does not know included.
    public var fieldValues: [String: JSONValue] { storage.values }

    /// Fields this app's schema does not know (from a newer app), kept and saved back as they are.
    public var unknownFields: [String: JSONValue] {
        storage.values.filter { Self.properties.property(named: $0.key) == nil }
    }

    /// The field values saving writes: the fields set since the model was read whose value
    /// differs from the stored one, or that are in conflict (writing one resolves it).
    public var changes: [String: JSONValue] {
        var changes: [String: JSONValue] = [:]
        for name in storage.edited {
            let value = storage.values[name] ?? .null
            let register = storage.record?.fields[name]
            if register?.isConflicted ?? false || (register?.winner?.value ?? .null) != value { changes[name] = value }
        }
        return changes
    }

    /// The distinct values of properties whose field two devices wrote concurrently.
    public var conflicts: ModelConflicts<Self> {
        ModelConflicts(registers: storage.record?.fields.filter { $0.value.isConflicted } ?? [:])
    }

    /// The record's unresolved conflicts as the stringly API shows them (a delete that raced an edit included).
    public var recordConflicts: [Conflict] { storage.record?.conflicts ?? [] }

    /// The value of a required field's property (``FieldValue/placeholder`` when the record lacks it).
    public subscript<Value: FieldValue>(field path: KeyPath<Self, Value>) -> Value {
        get { storage.values[Self.properties.name(of: path)].flatMap(Value.init(json:)) ?? .placeholder }
        set { storage.set(Self.properties.name(of: path), newValue.json) }
    }

    /// The value of an optional field's property; setting `nil` clears the field.
    public subscript<Value: FieldValue>(field path: KeyPath<Self, Value?>) -> Value? {
        get { storage.values[Self.properties.name(of: path)].flatMap(Value.init(json:)) }
        set { storage.set(Self.properties.name(of: path), newValue?.json ?? .null) }
    }
}

/// The distinct values of a model's fields in conflict, provisional winner first.
///
/// ```swift
/// customer.conflicts[\.tier]        // [.core, .important]: two devices disagreed; [] otherwise
/// customer.conflicts.isEmpty
/// ```
public struct ModelConflicts<Model: RecordModel>: Sendable, Hashable {
    let registers: [String: Register<JSONValue>]

    /// `true` when no field is in conflict.
    public var isEmpty: Bool { registers.isEmpty }

    /// The names of the fields in conflict, sorted.
    public var fieldNames: [String] { registers.keys.sorted() }

    /// The properties in conflict, in ``RecordModel/properties`` order.
    public var properties: [PartialKeyPath<Model>] {
        Model.properties.all.filter { registers[$0.name] != nil }.map(\.keyPath)
    }

    /// The distinct values of a required field's property, winner first; empty without conflict.
    public subscript<Value: FieldValue>(path: KeyPath<Model, Value>) -> [Value] {
        (registers[Model.properties.name(of: path)]?.distinctValues ?? []).map { Value(json: $0.value) ?? .placeholder }
    }

    /// The distinct values of an optional field's property (`nil`: cleared), winner first; empty without conflict.
    public subscript<Value: FieldValue>(path: KeyPath<Model, Value?>) -> [Value?] {
        (registers[Model.properties.name(of: path)]?.distinctValues ?? []).map { Value(json: $0.value) }
    }
}
