import OutpostModel
import OutpostStore

extension Replica {
    /// The pull cursor, or `nil` to pull from the beginning.
    public func cursor() throws -> String? {
        try queue.read { db in try Self.meta(db, "cursor") }
    }

    /// The batch to push next: the one already recorded (a retry) or a new one from the outbox.
    /// `nil` when nothing waits.
    public func pendingBatch(limit: Int) throws -> PendingBatch? {
        try queue.write { db in
            if let body: String = try db.fetchScalar(sql: "SELECT body FROM pending_batch WHERE id = 1") {
                let request: PushRequest
                do {
                    request = try PushRequest(json: JSONValue.parse(body))
                } catch {
                    throw ReplicaError.corrupt("the pending batch cannot be read (\(error))")
                }
                let entries = try db.fetchAll(sql: "SELECT record_id, outbox_seq FROM pending_entries").map { row in
                    PendingBatch.Entry(record: RecordID(unchecked: row[0] ?? ""), outboxSeq: row[1] ?? 0)
                }
                return PendingBatch(request: request, entries: entries)
            }
            let rows = try db.fetchAll(sql: "SELECT record_id, seq FROM outbox ORDER BY seq LIMIT ?", arguments: [limit])
            guard !rows.isEmpty else { return nil }
            var records: [Record] = []
            var entries: [PendingBatch.Entry] = []
            for row in rows {
                let id = RecordID(unchecked: row[0] ?? "")
                guard let record = try Self.load(db, id) else { continue }
                records.append(record)
                entries.append(PendingBatch.Entry(record: id, outboxSeq: row[1] ?? 0))
            }
            let request = PushRequest(batch: RecordID.random().rawValue, records: records)
            try db.execute(sql: "INSERT INTO pending_batch(id, body) VALUES (1, ?)", arguments: [request.jsonValue.serialized()])
            for entry in entries {
                try db.cachedStatement(sql: "INSERT INTO pending_entries(record_id, outbox_seq) VALUES (?, ?)")
                    .execute(arguments: [entry.record.rawValue, entry.outboxSeq])
            }
            return PendingBatch(request: request, entries: entries)
        }
    }

    /// Clears a batch's outbox entries after the server acknowledged it. Entries edited again
    /// since the batch was made stay in the outbox for the next push.
    public func acknowledge(_ batch: PendingBatch, response: PushResponse) throws {
        try queue.write { db in
            for entry in batch.entries {
                try db.cachedStatement(sql: "DELETE FROM outbox WHERE record_id = ? AND seq <= ?")
                    .execute(arguments: [entry.record.rawValue, entry.outboxSeq])
            }
            try db.execute(sql: "DELETE FROM pending_entries")
            try db.execute(sql: "DELETE FROM pending_batch")
        }
    }

    /// Applies a pulled page and its cursor in one transaction: each version is merged into the
    /// local one (or stored when new).
    public func apply(_ page: PullPage) throws {
        try queue.write { db in
            var clock = try Self.hybridClock(db)
            let before = clock
            let received = page.receivedBytes.count == page.records.count ? page.receivedBytes : nil
            for (index, remote) in page.records.enumerated() {
                // New records are inserted as received (the server sends its stored canonical
                // envelope); existing ones are merged.
                let modified = remote.lastModified
                if try !Self.insertIfNew(db, remote, state: received?[index], modified: modified) {
                    guard let local = try Self.load(db, remote.id), let merged = try? local.merged(with: remote) else { continue }
                    if merged != local { try Self.store(db, merged) }
                }
                clock.observe(modified)
            }
            if clock != before { try Self.saveHybridClock(db, clock) }
            try Self.setMeta(db, "cursor", page.cursor)
        }
    }

    /// Forgets the pull cursor so the next sync pulls everything again (safe: merging is idempotent).
    public func resetCursor() throws {
        try queue.write { db in try db.execute(sql: "DELETE FROM meta WHERE key = 'cursor'") }
    }

    /// Notes that a sync finished now.
    public func recordSyncCompleted() throws {
        try queue.write { db in try Self.setMeta(db, "last_sync", String(wallClock())) }
    }
}
