import OutpostJSON
/// A versioned record: the envelope every replica stores and every sync message carries.
///
/// Each field is a ``Register``: normally one value, several when concurrent writes to the
/// same field have not been resolved. The record ``clock`` summarises every write merged
/// into this version; per-field dots say which write produced each value.
///
/// ```swift
/// var customer = Record.create(id: .random(), type: .customer, branch: "BJ",
///                              fields: ["code": "C-001", "name": "Acme"], node: me, at: now)
/// try customer.write(["tier": "core"], node: me, at: later)
/// let merged = try customer.merged(with: theirs)   // field-level, deterministic
/// merged.conflicts                                  // fields holding distinct values
/// ```
public struct Record: Sendable, Hashable {
    /// The record's id (a UUID made on the creating device).
    public let id: RecordID
    /// The entity type; fixed at creation.
    public let type: EntityType
    /// The branch (region office) the record belongs to; fixed at creation and used for access scope.
    public let branch: String
    /// Every write merged into this version.
    public private(set) var clock: VectorClock
    /// The field registers by field name. Fields never written are absent.
    public private(set) var fields: [String: Register<JSONValue>]
    /// Delete / restore writes. Empty for a record that was never deleted.
    public private(set) var lifecycle: Register<Lifecycle>

    /// Creates a record from its parts (as decoded from storage or the wire).
    public init(
        id: RecordID, type: EntityType, branch: String, clock: VectorClock,
        fields: [String: Register<JSONValue>], lifecycle: Register<Lifecycle> = Register()
    ) {
        self.id = id
        self.type = type
        self.branch = branch
        self.clock = clock
        self.fields = fields.values.contains(where: \.isEmpty) ? fields.filter { !$0.value.isEmpty } : fields
        self.lifecycle = lifecycle
    }

    /// Creates a new record written by `node`: all fields share the first dot.
    public static func create(
        id: RecordID, type: EntityType, branch: String, fields: [String: JSONValue],
        node: NodeID, at timestamp: HybridTimestamp
    ) -> Record {
        // A new record's first write: the counter starts at 1 and cannot be exhausted.
        let dot = Dot(node: node, counter: 1)
        var record = Record(id: id, type: type, branch: branch, clock: VectorClock([node: 1]), fields: [:])
        for (name, value) in fields {
            record.fields[name] = Register(Sibling(dot: dot, timestamp: timestamp, value: value))
        }
        return record
    }

    // MARK: Local writes

    /// Writes field values as one edit by `node`. Each written field's siblings are replaced:
    /// writing a field that is in conflict resolves the conflict.
    ///
    /// - Throws: ``ModelError/recordDeleted(recordID:)`` when the record is deleted;
    ///   ``ModelError/counterExhausted(node:)`` when `node`'s counter is at 2^63−1.
    public mutating func write(_ values: [String: JSONValue], node: NodeID, at timestamp: HybridTimestamp) throws(ModelError) {
        guard !isDeleted else { throw .recordDeleted(recordID: id.rawValue) }
        guard !values.isEmpty else { return }
        let dot = try clock.increment(node)
        for (name, value) in values {
            fields[name, default: Register()].assign(Sibling(dot: dot, timestamp: timestamp, value: value))
        }
    }

    /// Resolves a field conflict by writing the chosen value (allowed on a deleted record
    /// only through ``restore(node:at:)`` first).
    public mutating func resolve(field: String, with value: JSONValue, node: NodeID, at timestamp: HybridTimestamp) throws(ModelError) {
        try write([field: value], node: node, at: timestamp)
    }

    /// Deletes the record. Field values are kept so a concurrent edit can be reviewed and the
    /// record restored; edits made elsewhere without having seen this delete flag a conflict.
    /// The delete's `seen` is ``deleteSeen(by:)``: proportional to the record, not to its writers.
    ///
    /// - Throws: ``ModelError/counterExhausted(node:)`` when `node`'s counter is at 2^63−1.
    public mutating func delete(node: NodeID, at timestamp: HybridTimestamp) throws(ModelError) {
        try delete(node: node, at: timestamp, seeingWholeClock: false)
    }

    /// A delete whose `seen` is ``deleteSeen(by:)``, or the whole clock as clients before the
    /// compact delete wrote it (`seeingWholeClock`; tests compare the two).
    mutating func delete(node: NodeID, at timestamp: HybridTimestamp, seeingWholeClock: Bool) throws(ModelError) {
        let dot = try clock.increment(node)
        let seen = seeingWholeClock ? clock : deleteSeen(by: node)
        lifecycle.assign(Sibling(dot: dot, timestamp: timestamp, value: .deleted(seen: seen)))
    }

    /// The `seen` clock of a delete by `node` made now (SPEC §4.3): the record clock restricted to
    /// `node` and to the writers of the field siblings the record holds. The rest of the clock
    /// covers only writes this version has overwritten, which a merge never brings back next to
    /// the delete, so it would change no conflict decision (§5) — and it grows with every device
    /// that ever wrote the record.
    public func deleteSeen(by node: NodeID) -> VectorClock {
        var seen = VectorClock()
        seen[node] = clock[node]
        for register in fields.values {
            for sibling in register.siblings { seen[sibling.dot.node] = clock[sibling.dot.node] }
        }
        return seen
    }

    /// Restores (undeletes) the record, keeping its field values.
    ///
    /// - Throws: ``ModelError/counterExhausted(node:)`` when `node`'s counter is at 2^63−1.
    public mutating func restore(node: NodeID, at timestamp: HybridTimestamp) throws(ModelError) {
        let dot = try clock.increment(node)
        lifecycle.assign(Sibling(dot: dot, timestamp: timestamp, value: .restored))
    }

    // MARK: Reading

    /// `true` when the provisional lifecycle winner is a delete.
    public var isDeleted: Bool { lifecycle.winner?.value.isDeleted ?? false }

    /// The provisional value of a field (the deterministic winner when in conflict).
    public func value(of field: String) -> JSONValue? { fields[field]?.winner?.value }

    /// The provisional value of every field.
    public var values: [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        result.reserveCapacity(fields.count)
        for (name, register) in fields {
            if let winner = register.winner { result[name] = winner.value }
        }
        return result
    }

    /// The hybrid timestamp of the latest write this version holds (for display).
    public var lastModified: HybridTimestamp {
        var latest = HybridTimestamp.zero
        for register in fields.values {
            for sibling in register.siblings where sibling.timestamp > latest { latest = sibling.timestamp }
        }
        for sibling in lifecycle.siblings where sibling.timestamp > latest { latest = sibling.timestamp }
        return latest
    }

    /// The unresolved conflicts of this version (SPEC §5): fields holding at least two distinct
    /// values, ordered by field name (bytewise), then the lifecycle conflict. A field conflict
    /// lists one sibling per distinct value (``Register/distinctValues``).
    public var conflicts: [Conflict] {
        var result: [Conflict] = []
        for name in fields.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            guard let register = fields[name], register.isConflicted else { continue }
            result.append(.field(name: name, siblings: register.distinctValues))
        }
        if let lifecycleConflict = self.lifecycleConflict { result.append(lifecycleConflict) }
        return result
    }

    /// `true` when some field holds distinct values or a delete raced an edit (SPEC §5).
    public var hasConflicts: Bool {
        fields.values.contains { $0.isConflicted } || lifecycleConflict != nil
    }

    private var lifecycleConflict: Conflict? {
        guard !lifecycle.isEmpty else { return nil }
        let deletes = lifecycle.siblings.filter { $0.value.isDeleted }
        if deletes.isEmpty { return nil }
        if deletes.count != lifecycle.siblings.count {
            // A delete raced a restore.
            return .deleteRacedEdit(editedFields: [], deleteTimestamp: deletes.map(\.timestamp).max() ?? .zero)
        }
        var seen = VectorClock()
        for sibling in deletes {
            if case .deleted(let clock) = sibling.value { seen.merge(clock) }
        }
        var edited: [String] = []
        for (name, register) in fields where register.siblings.contains(where: { !seen.covers($0.dot) }) {
            edited.append(name)
        }
        guard !edited.isEmpty else { return nil }
        return .deleteRacedEdit(
            editedFields: edited.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }),
            deleteTimestamp: deletes.map(\.timestamp).max() ?? .zero)
    }

    // MARK: Merging

    /// Merges another version of the same record (SPEC §4.2): field-level, commutative and
    /// idempotent for every input, associative for the versions honest replicas produce. Every
    /// register is merged by the general rule (§4.1) whatever the clocks say, so a stale sibling
    /// the other side has seen and dropped is dropped even when it arrives inside a dominating
    /// version. Linear in the number of siblings.
    ///
    /// - Throws: ``ModelError/identityMismatch(recordID:reason:)`` when the ids, types or branches differ.
    public func merged(with other: Record) throws(ModelError) -> Record {
        guard id == other.id else {
            throw .identityMismatch(recordID: id.rawValue, reason: "it was compared with record \(other.id.rawValue)")
        }
        guard type == other.type else {
            throw .identityMismatch(recordID: id.rawValue, reason: "one version is a \(type.rawValue), the other a \(other.type.rawValue)")
        }
        guard branch == other.branch else {
            throw .identityMismatch(recordID: id.rawValue, reason: "one version belongs to branch \(branch), the other to \(other.branch)")
        }
        var mergedFields = fields
        for (name, theirs) in other.fields {
            if let ours = fields[name] {
                let register = Register.merge(ours, leftClock: clock, theirs, rightClock: other.clock)
                mergedFields[name] = register.isEmpty ? nil : register
            } else {
                let register = Register.merge(Register(), leftClock: clock, theirs, rightClock: other.clock)
                mergedFields[name] = register.isEmpty ? nil : register
            }
        }
        for (name, ours) in fields where other.fields[name] == nil {
            let register = Register.merge(ours, leftClock: clock, Register(), rightClock: other.clock)
            mergedFields[name] = register.isEmpty ? nil : register
        }
        var result = self
        result.fields = mergedFields
        result.lifecycle = Register.merge(lifecycle, leftClock: clock, other.lifecycle, rightClock: other.clock)
        result.clock = clock.merged(with: other.clock)
        return result
    }
}

/// An unresolved conflict in a record, for a person to resolve.
public enum Conflict: Sendable, Hashable {
    /// Concurrent writes of distinct values to one field (SPEC §5): one sibling per distinct value,
    /// the highest-precedence sibling holding it, in descending precedence; the first is the
    /// provisional winner shown everywhere. The register itself keeps every sibling.
    case field(name: String, siblings: [Sibling<JSONValue>])
    /// The record was deleted on one replica while edited (or restored) on another.
    /// The edits are kept; resolve by deleting again or restoring.
    case deleteRacedEdit(editedFields: [String], deleteTimestamp: HybridTimestamp)
}
