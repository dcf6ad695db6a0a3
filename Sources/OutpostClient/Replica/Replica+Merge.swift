import OutpostJSON
import OutpostModel
import OutpostStore

/// What a customer merge did.
public struct CustomerMergeResult: Sendable, Hashable {
    /// The customer that stays, with the chosen values.
    public var keep: Record
    /// The duplicate, now a tombstone with `mergedInto` = keep.
    public var duplicate: Record
    /// Contacts, visits and complaints pointed from the duplicate to keep.
    public var repointed: Int
}

extension Replica {
    /// Merges customer `duplicate` into `keep` (SPEC §6.6) in one local transaction: `keep` gets
    /// `values` (field → value, `.null` clears), every live contact, visit and complaint of the
    /// duplicate is pointed at `keep`, and the duplicate is deleted with `mergedInto` = `keep`.
    /// Unless `values` sets `sharedWith`, `keep` is shared with the duplicate's owner and
    /// `sharedWith` users. The writes sync like any edit.
    ///
    /// ```swift
    /// let result = try replica.mergeCustomer(keep: a.id, duplicate: b.id, values: ["notes": "VIP"])
    /// ```
    ///
    /// - Throws: ``MergeError`` when the two cannot be merged (or the role may not delete),
    ///   ``ReplicaError`` for unknown records or invalid values.
    @discardableResult
    public func mergeCustomer(keep keepID: RecordID, duplicate duplicateID: RecordID, values: [String: JSONValue] = [:]) throws -> CustomerMergeResult {
        do {
            try EntitySchema.customer.validate(values, requireAll: false)
        } catch {
            throw ReplicaError.invalid(error)
        }
        return try queue.write { db in
            guard var keep = try Self.load(db, keepID) else { throw ReplicaError.notFound(keepID.rawValue) }
            guard var duplicate = try Self.load(db, duplicateID) else { throw ReplicaError.notFound(duplicateID.rawValue) }
            try CustomerMerge.check(keep: keep, duplicate: duplicate)
            if let scope = try Self.loadSettings(db)?.scope, !scope.canDelete(branch: duplicate.branch) {
                throw MergeError.notAllowed(role: scope.role.rawValue)
            }
            var chosen = values
            if chosen["sharedWith"] == nil, let shared = CustomerMerge.sharedWith(keep: keep, duplicate: duplicate) {
                chosen["sharedWith"] = shared
            }
            let writes = try CustomerMerge.keepWrites(chosen: chosen, keep: keep)
            let node = try currentNode(db)
            // The duplicate first: its code is free for keep once it is deleted.
            try localWrite(db, &duplicate, node: node) { record, stamp throws(ModelError) in
                try record.write([CustomerMerge.mergedIntoField: .string(keep.id.rawValue)], node: node, at: stamp)
            }
            try localWrite(db, &duplicate, node: node) { record, stamp throws(ModelError) in
                try record.delete(node: node, at: stamp)
            }
            if case .string(let code)? = writes["code"], let holder: String = try db.fetchScalar(
                sql: "SELECT id FROM records WHERE type = 'customer' AND code = ? AND id != ? AND deleted = 0 LIMIT 1",
                arguments: [code, keep.id.rawValue])
            {
                throw ReplicaError.duplicateCode(code: code, existing: RecordID(unchecked: holder))
            }
            if !writes.isEmpty {
                try localWrite(db, &keep, node: node) { record, stamp throws(ModelError) in try record.write(writes, node: node, at: stamp) }
            }
            var repointed = 0
            for var child in try Self.liveChildren(db, of: duplicate.id) {
                try localWrite(db, &child, node: node) { record, stamp throws(ModelError) in
                    try record.write(["customer": .string(keep.id.rawValue)], node: node, at: stamp)
                }
                repointed += 1
            }
            return CustomerMergeResult(keep: keep, duplicate: duplicate, repointed: repointed)
        }
    }

    /// Redirects this device's own late writes to merged duplicates (SPEC §6.6): field writes to a
    /// merged customer tombstone that the merge had not seen go to the customer it was merged
    /// into, and this device's contacts, visits and complaints still naming the duplicate are
    /// pointed there. Each write is redirected once. Sync runs it after pulling; it returns the
    /// number of records it changed. It reads only deleted records (through a partial index), so
    /// it costs next to nothing on a replica of a million live customers.
    @discardableResult
    public func redirectMergedWrites() throws -> Int {
        try queue.write { db in
            // Created on first use (one scan), then kept up to date by SQLite.
            try db.execute(sql: "CREATE INDEX IF NOT EXISTS records_deleted ON records(type) WHERE deleted = 1")
            let node = try currentNode(db)
            var changed = 0
            let tombstones = try db.fetchAll(sql: """
                SELECT id, state FROM records INDEXED BY records_deleted
                WHERE type = 'customer' AND deleted = 1 AND instr(state, 'mergedInto') > 0
                """).map(Self.decode).filter { CustomerMerge.mergedInto($0) != nil }
            for tombstone in tombstones {
                guard var target = try Self.liveMergeTarget(db, of: tombstone) else { continue }
                let key = "merge.redirected.\(node.rawValue).\(tombstone.id.rawValue)"
                let done = try Self.meta(db, key).flatMap { UInt64($0) } ?? 0
                let late = CustomerMerge.lateWrites(in: tombstone, by: node, after: done)
                if !late.values.isEmpty {
                    let writes = late.values.filter { target.value(of: $0.key) != $0.value }
                    if !writes.isEmpty {
                        try localWrite(db, &target, node: node) { record, stamp throws(ModelError) in try record.write(writes, node: node, at: stamp) }
                        changed += 1
                    }
                }
                if late.highest > done { try Self.setMeta(db, key, String(late.highest)) }
                for var child in try Self.liveChildren(db, of: tombstone.id)
                where child.fields["customer"]?.siblings.contains(where: { $0.dot.node == node }) == true {
                    try localWrite(db, &child, node: node) { record, stamp throws(ModelError) in
                        try record.write(["customer": .string(target.id.rawValue)], node: node, at: stamp)
                    }
                    changed += 1
                }
            }
            return changed
        }
    }

    /// The live customer a merged tombstone ends in, following `mergedInto` (a merged customer
    /// may itself have been merged later); `nil` when it ends in a deleted or unknown record.
    static func liveMergeTarget(_ db: Database, of tombstone: Record) throws -> Record? {
        var current = tombstone
        for _ in 0..<16 {
            guard let next = CustomerMerge.mergedInto(current) else { return current.isDeleted ? nil : current }
            guard let record = try load(db, next), record.type == .customer, record.branch == tombstone.branch else { return nil }
            current = record
        }
        return nil
    }

    /// Live contacts, visits and complaints of a customer.
    static func liveChildren(_ db: Database, of customer: RecordID) throws -> [Record] {
        try db.fetchAll(sql: "SELECT id, state FROM records WHERE customer = ? AND type != 'customer' AND deleted = 0 ORDER BY id",
                        arguments: [customer.rawValue]).map(decode)
    }

    /// One local write inside the caller's transaction: stamps it, stores the record and queues it.
    func localWrite(_ db: Database, _ record: inout Record, node: NodeID,
                    _ change: (inout Record, HybridTimestamp) throws(ModelError) -> Void) throws {
        var clock = try Self.hybridClock(db)
        let stamp = clock.now(wallMillis: wallClock())
        try Self.saveHybridClock(db, clock)
        let before = record.clock[node]
        do {
            try change(&record, stamp)
        } catch {
            throw ReplicaError.deleted(record.id)
        }
        try Self.store(db, record)
        try Self.enqueue(db, record, ackedCounter: before)
    }
}
