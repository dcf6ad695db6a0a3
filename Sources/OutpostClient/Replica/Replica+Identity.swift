import OutpostJSON
import OutpostModel
import OutpostStore

/// A replica's node id, and what happens when it must change.
///
/// Two copies of one replica file (a copied database, or a device restored from an old backup)
/// share a node id, so both would number their writes `[node, k]` from the same counters and two
/// different writes could carry the same dot. The server notices (409 `node_reused` or `dot_reused`),
/// and a pulled version may show it too; the copy that notices takes a fresh node id and re-stamps
/// every write the server has not acknowledged under the new id, in one transaction (SPEC §15).
extension Replica {
    /// Takes a fresh random node id and re-stamps every unacknowledged local write under it, in one
    /// transaction. Values, timestamps and the outbox are kept; the pending batch is dropped (the
    /// server refused it) and the batch chain starts again. Returns the new node id.
    ///
    /// For each record with local writes the server has not acknowledged, every field or lifecycle
    /// sibling written by the old node above the record's acknowledged counter gets a dot of the
    /// new node (one dot per record), and the record clock's entry for the old node is lowered to
    /// the acknowledged counter: the other copy's writes under the old id then merge as concurrent
    /// writes (conflicts when they touch the same field) instead of being taken for these.
    @discardableResult
    public func takeNewNode() throws -> NodeID {
        let node = try queue.write { db in try rotateNode(db) }
        nodeCache.value = node
        return node
    }

    /// ``takeNewNode()`` inside the caller's transaction (the caller updates ``nodeCache`` after commit).
    func rotateNode(_ db: Database) throws -> NodeID {
        let old = try currentNode(db)
        var fresh = NodeID.random()
        while fresh == old { fresh = NodeID.random() }
        let acked = try Self.ackedCounters(db)
        let tracked: [String] = try db.fetchColumn(sql: """
            SELECT record_id FROM outbox UNION SELECT record_id FROM pending_entries
            UNION SELECT record_id FROM refused UNION SELECT record_id FROM acked
            """)
        for id in tracked {
            guard let record = try Self.load(db, RecordID(unchecked: id)) else { continue }
            let known = acked[id] ?? 0
            guard record.clock[old] > known else { continue }
            try Self.store(db, Self.restamped(record, from: old, to: fresh, known: known))
        }
        try db.execute(sql: "UPDATE outbox SET acked = 0")
        try db.execute(sql: "DELETE FROM acked")
        try db.execute(sql: "INSERT INTO acked(record_id, counter) SELECT record_id, 0 FROM refused WHERE record_id NOT IN (SELECT record_id FROM outbox)")
        try Self.dropPendingBatch(db)
        try db.execute(sql: "DELETE FROM meta WHERE key = 'last_batch'")
        try Self.setMeta(db, "node", fresh.rawValue)
        try Self.setMeta(db, "previous_node", old.rawValue)
        return fresh
    }

    /// `record` with every write of `old` above `known` moved to new dots of `new` (one per record;
    /// a register holding several such writes gets consecutive counters), and `old`'s clock entry
    /// lowered to `known`.
    static func restamped(_ record: Record, from old: NodeID, to new: NodeID, known: UInt64) -> Record {
        let base = record.clock[new]
        var highest: UInt64 = 0
        func restamp<V>(_ register: Register<V>, _ transform: (Sibling<V>, Dot) -> Sibling<V>) -> Register<V> {
            var k: UInt64 = 0
            let siblings = register.siblings.map { sibling -> Sibling<V> in
                guard sibling.dot.node == old && sibling.dot.counter > known else { return sibling }
                k += 1
                return transform(sibling, Dot(node: new, counter: base + k))
            }
            highest = max(highest, k)
            return Register(siblings: siblings)
        }
        var fields: [String: Register<JSONValue>] = [:]
        for (name, register) in record.fields {
            fields[name] = restamp(register) { sibling, dot in Sibling(dot: dot, timestamp: sibling.timestamp, value: sibling.value) }
        }
        let lifecycle = restamp(record.lifecycle) { sibling, dot in
            guard case .deleted(var seen) = sibling.value else { return Sibling(dot: dot, timestamp: sibling.timestamp, value: sibling.value) }
            seen[old] = min(seen[old], known)
            seen[new] = dot.counter
            return Sibling(dot: dot, timestamp: sibling.timestamp, value: .deleted(seen: seen))
        }
        var clock = record.clock
        clock[old] = known
        clock[new] = base + max(highest, 1)
        return Record(id: record.id, type: record.type, branch: record.branch, clock: clock, fields: fields, lifecycle: lifecycle)
    }
}
