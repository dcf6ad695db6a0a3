import OutpostModel

/// A table of record envelopes: one row per record id (`id` column) holding its current version
/// as canonical JSON (`state` column). Server and client tables add their own columns (sequence
/// numbers, indexed values) and write rows themselves; this type reads and merges.
///
/// Call it inside a transaction: a batch of merges then commits entirely or not at all.
///
/// ```swift
/// let records = RecordTable("records")
/// try queue.write { db in
///     let outcome = try records.merge(db, incoming) { merged in try store(db, merged) }
/// }
/// ```
public struct RecordTable: Sendable {
    /// The table name.
    public let name: String
    private let selectSQL: String

    /// Describes the table `name` (which must have `id` and `state` columns).
    public init(_ name: String) {
        self.name = name
        selectSQL = "SELECT state FROM \(name) WHERE id = ?"
    }

    /// The stored version of `id`, or `nil` when the table has no such record.
    ///
    /// - Throws: ``RecordTableError/unreadableState(id:reason:)`` when the stored JSON is damaged.
    public func load(_ db: Database, _ id: RecordID) throws -> Record? {
        let statement = try db.cachedStatement(sql: selectSQL)
        var record: Record?
        try statement.forEachRow(arguments: [id.rawValue]) { row in
            record = try row.withUnsafeBlob(at: 0) { try Self.decode($0, id: id) }
        }
        return record
    }

    /// Decodes a stored `state` value.
    ///
    /// - Throws: ``RecordTableError/unreadableState(id:reason:)`` when it is not a valid envelope.
    public static func decode(_ state: String, id: RecordID) throws -> Record {
        var state = state
        return try state.withUTF8 { try decode(UnsafeRawBufferPointer($0), id: id) }
    }

    /// Decodes a stored `state` value from its UTF-8 bytes (e.g. a statement's column, read in place).
    ///
    /// - Throws: ``RecordTableError/unreadableState(id:reason:)`` when it is not a valid envelope.
    public static func decode(_ state: UnsafeRawBufferPointer, id: RecordID) throws -> Record {
        do {
            return try Record.decode(bytes: state)
        } catch {
            throw RecordTableError.unreadableState(id: id, reason: "\(error)")
        }
    }

    /// Merges `incoming` with the stored version of its record and hands the result to `write`
    /// when it differs from what is stored (always for a new record).
    ///
    /// - Throws: `ModelError.identityMismatch` when the stored record has another type or branch.
    @discardableResult
    public func merge(_ db: Database, _ incoming: Record, write: (Record) throws -> Void) throws -> RecordMergeOutcome {
        guard let stored = try load(db, incoming.id) else {
            try write(incoming)
            return .inserted(incoming)
        }
        let merged = try stored.merged(with: incoming)
        guard merged != stored else { return .unchanged(stored) }
        try write(merged)
        return .updated(from: stored, to: merged)
    }
}

/// What a ``RecordTable/merge(_:_:write:)`` did.
public enum RecordMergeOutcome: Sendable, Hashable {
    /// The record was new and stored as given.
    case inserted(Record)
    /// The stored version already held everything; nothing was written.
    case unchanged(Record)
    /// The stored version was replaced by the merge.
    case updated(from: Record, to: Record)

    /// The version now stored.
    public var current: Record {
        switch self {
        case .inserted(let record), .unchanged(let record), .updated(_, let record): return record
        }
    }
}

/// A stored envelope could not be read back.
public enum RecordTableError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `state` of record `id` is not a valid envelope.
    case unreadableState(id: RecordID, reason: String)

    public var description: String {
        switch self {
        case .unreadableState(let id, let reason): return "The stored version of record \(id) is damaged: \(reason)"
        }
    }
}
