/// Why record data was refused. Every case names the entity and field, so a field user can fix it.
public enum ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field does not exist on this entity.
    case unknownField(entity: EntityType, field: String)
    /// A required field is missing or null.
    case missingField(entity: EntityType, field: String)
    /// The value has the wrong JSON type or format.
    case invalidValue(entity: EntityType, field: String, expected: String, got: String)
    /// A survey answers a question the policy document does not ask (`asked` lists the keys it does).
    case unknownQuestion(entity: EntityType, field: String, question: String, asked: [String])

    /// The entity the error is about.
    public var entity: EntityType {
        switch self {
        case .unknownField(let entity, _), .missingField(let entity, _), .invalidValue(let entity, _, _, _),
            .unknownQuestion(let entity, _, _, _): return entity
        }
    }

    /// The field the error is about.
    public var field: String {
        switch self {
        case .unknownField(_, let field), .missingField(_, let field), .invalidValue(_, let field, _, _),
            .unknownQuestion(_, let field, _, _): return field
        }
    }

    public var description: String {
        switch self {
        case .unknownField(let entity, let field):
            let known = EntitySchema.for(entity).fields.map(\.name).joined(separator: ", ")
            return "A \(entity.rawValue) has no field '\(field)'. Known fields: \(known)."
        case .missingField(let entity, let field):
            return "A \(entity.rawValue) needs '\(field)'."
        case .invalidValue(let entity, let field, let expected, let got):
            return "The \(entity.rawValue) field '\(field)' must be \(expected); got \(got)."
        case .unknownQuestion(let entity, let field, let question, let asked):
            return "The \(entity.rawValue) field '\(field)' answers '\(question)', which the survey does not ask. Questions: \(asked.joined(separator: ", "))."
        }
    }
}
