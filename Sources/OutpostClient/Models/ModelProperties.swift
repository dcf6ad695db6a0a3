import OutpostJSON
import OutpostModel

/// One typed property of a model and the schema field it reads and writes.
public struct ModelProperty<Model: RecordModel>: @unchecked Sendable {
    // @unchecked: key paths are immutable once made; the closures capture only key paths.

    /// The property.
    public let keyPath: PartialKeyPath<Model>
    /// The schema field's name.
    public let name: String
    /// The Swift type the property holds (without the optional).
    public let valueType: any FieldValue.Type
    /// `true` when the property is optional (the field is not required).
    public let isOptional: Bool
    let read: (Model) -> JSONValue?
    let write: (inout Model, JSONValue) -> Void

    /// A required field's property.
    public static func field<Value: FieldValue>(_ path: WritableKeyPath<Model, Value>, _ name: String) -> ModelProperty {
        ModelProperty(keyPath: path, name: name, valueType: Value.self, isOptional: false,
                      read: { $0[keyPath: path].json },
                      write: { model, json in if let value = Value(json: json) { model[keyPath: path] = value } })
    }

    /// An optional field's property.
    public static func field<Value: FieldValue>(_ path: WritableKeyPath<Model, Value?>, _ name: String) -> ModelProperty {
        ModelProperty(keyPath: path, name: name, valueType: Value.self, isOptional: true,
                      read: { $0[keyPath: path]?.json },
                      write: { model, json in model[keyPath: path] = Value(json: json) })
    }

    /// `true` when the property's type can hold the values of a schema field of `kind`.
    public func accepts(_ kind: FieldKind) -> Bool { valueType.accepts(kind) }

    /// Reads the property through its getter, as JSON (`nil` for an optional property without value).
    public func json(of model: Model) -> JSONValue? { read(model) }

    /// Sets the property through its setter from JSON (a value of another type is ignored for a
    /// required property and clears an optional one).
    public func set(_ json: JSONValue, on model: inout Model) { write(&model, json) }
}

/// A model's typed properties, by key path and by schema field name.
public struct ModelProperties<Model: RecordModel>: @unchecked Sendable {
    // @unchecked: immutable after init; key paths are immutable.

    /// The properties, in schema order as listed.
    public let all: [ModelProperty<Model>]
    private let names: [AnyKeyPath: String]
    private let byName: [String: Int]

    /// The properties of a model.
    public init(_ properties: [ModelProperty<Model>]) {
        all = properties
        var names: [AnyKeyPath: String] = [:]
        var byName: [String: Int] = [:]
        for (index, property) in properties.enumerated() {
            names[property.keyPath] = property.name
            byName[property.name] = index
        }
        self.names = names
        self.byName = byName
    }

    /// The schema field a property reads and writes.
    public func name(of path: AnyKeyPath) -> String {
        guard let name = names[path] else { preconditionFailure("\(path) is not listed in \(Model.self).properties") }
        return name
    }

    /// The property of a schema field, if the model has one.
    public func property(named name: String) -> ModelProperty<Model>? { byName[name].map { all[$0] } }
}
