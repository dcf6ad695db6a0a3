import OutpostJSON
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
            let rows = try db.fetchAll(sql: "SELECT record_id, edit FROM outbox ORDER BY seq LIMIT ?", arguments: [limit])
            guard !rows.isEmpty else { return nil }
            var records: [Record] = []
            var entries: [PendingBatch.Entry] = []
            for row in rows {
                let id = RecordID(unchecked: row[0] ?? "")
                guard let record = try Self.load(db, id) else { continue }
                records.append(record)
                entries.append(PendingBatch.Entry(record: id, outboxSeq: row[1] ?? 0))
            }
            let after = try Self.meta(db, "last_batch").flatMap(BatchID.init)
            let request = PushRequest(batch: .random(), node: node, after: after, records: records)
            try db.execute(sql: "INSERT INTO pending_batch(id, body) VALUES (1, ?)", arguments: [String(decoding: request.canonicalJSON(), as: UTF8.self)])
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
                try db.cachedStatement(sql: "DELETE FROM outbox WHERE record_id = ? AND edit <= ?")
                    .execute(arguments: [entry.record.rawValue, entry.outboxSeq])
            }
            try db.execute(sql: "DELETE FROM pending_entries")
            try db.execute(sql: "DELETE FROM pending_batch")
            try Self.setMeta(db, "last_batch", batch.request.batch.rawValue)
        }
    }

    /// Takes edits the server refused out of the outbox (keeping them locally) and drops the
    /// pending batch so the remaining edits can sync. Records named in the error's details are
    /// refused; a one-record batch refuses that record. Returns the number of records refused:
    /// zero means the culprit is unknown and the caller should retry in smaller batches.
    @discardableResult
    public func refuse(_ batch: PendingBatch, error: ErrorBody) throws -> Int {
        try queue.write { db in
            let inBatch = Set(batch.entries.map(\.record.rawValue))
            var named = Set(error.details.compactMap(\.record)).intersection(inBatch)
            if named.isEmpty && batch.entries.count == 1 { named = inBatch }
            for id in named.sorted() {
                let message = error.details.first { $0.record == id }?.message ?? error.message
                try db.cachedStatement(sql: "DELETE FROM outbox WHERE record_id = ?").execute(arguments: [id])
                try db.cachedStatement(sql: """
                    INSERT INTO refused(record_id, code, message, refused_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(record_id) DO UPDATE SET code = excluded.code, message = excluded.message,
                      refused_at = excluded.refused_at
                    """).execute(arguments: [id, error.code, message, wallClock()])
            }
            try db.execute(sql: "DELETE FROM pending_entries")
            try db.execute(sql: "DELETE FROM pending_batch")
            return named.count
        }
    }

    /// Local edits the server refused, oldest first.
    public func refusedEdits() throws -> [RefusedEdit] {
        try queue.read { db in
            try db.fetchAll(sql: "SELECT record_id, code, message FROM refused ORDER BY refused_at, record_id").map { row in
                RefusedEdit(record: RecordID(unchecked: row[0] ?? ""), code: row[1] ?? "", message: row[2] ?? "")
            }
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
                    try Self.mergeExisting(db, remote)
                }
                clock.observe(modified, wallMillis: wallClock())
            }
            if clock != before { try Self.saveHybridClock(db, clock) }
            try Self.setMeta(db, "cursor", page.cursor)
        }
    }

    /// Applies a received pull page and its cursor in one transaction, like ``apply(_:)-PullPage``:
    /// new records are stored as received (summarised, never decoded); only records held
    /// already are decoded and merged.
    public func apply(_ page: ReceivedPullPage) throws {
        try queue.write { db in
            var clock = try Self.hybridClock(db)
            let before = clock
            for index in 0..<page.count {
                let summary = page.summaries[index]
                if try !Self.insertIfNew(db, summary, state: page.receivedBytes(at: index)) {
                    let remote = try page.record(at: index)
                    try Self.mergeExisting(db, remote)
                }
                clock.observe(summary.lastModified, wallMillis: wallClock())
            }
            if clock != before { try Self.saveHybridClock(db, clock) }
            try Self.setMeta(db, "cursor", page.cursor)
        }
    }

    /// Merges a pulled version into the stored one. A version whose type or branch differs from
    /// the local record (impossible for honest peers) is skipped rather than failing the page.
    static func mergeExisting(_ db: Database, _ remote: Record) throws {
        do {
            try records.merge(db, remote) { merged in try store(db, merged) }
        } catch is ModelError {
            return
        } catch let error as RecordTableError {
            throw ReplicaError.corrupt(error.description)
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
