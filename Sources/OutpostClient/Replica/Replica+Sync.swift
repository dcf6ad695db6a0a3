import OutpostJSON
import OutpostModel
import OutpostStore

extension Replica {
    /// The pull cursor, or `nil` to pull from the beginning.
    public func cursor() throws -> String? {
        try queue.read { db in try Self.meta(db, "cursor") }
    }

    /// The batch id of this node's last acknowledged push (sent as `after`), `nil` before the first.
    public func lastBatch() throws -> BatchID? {
        try queue.read { db in try Self.meta(db, "last_batch").flatMap(BatchID.init) }
    }

    /// The batch to push next: the one already recorded (a retry, outbox or recovery alike) or a new
    /// one from the outbox. `nil` when nothing waits.
    ///
    /// Customers go before the contacts, visits and complaints that refer to them, within a batch
    /// and across batches; otherwise records go in the order of their first pending edit.
    public func pendingBatch(limit: Int) throws -> PendingBatch? {
        try queue.write { db in
            if let pending = try Self.loadPendingBatch(db) { return pending }
            let rows = try db.fetchAll(sql: """
                SELECT outbox.record_id, outbox.edit FROM outbox LEFT JOIN records ON records.id = outbox.record_id
                ORDER BY \(Self.typeRankSQL), outbox.seq LIMIT ?
                """, arguments: [limit])
            let entries = rows.map { PendingBatch.Entry(record: RecordID(unchecked: $0[0] ?? ""), outboxSeq: $0[1] ?? 0) }
            return try makePendingBatch(db, entries: entries, recovery: false, recoveringFrom: nil)
        }
    }

    /// `ORDER BY` term putting customers first (records refer to customers only).
    static let typeRankSQL = "CASE records.type WHEN 'customer' THEN 0 ELSE 1 END"

    static func loadPendingBatch(_ db: Database) throws -> PendingBatch? {
        guard let row = try db.fetchOne(sql: "SELECT body, kind FROM pending_batch WHERE id = 1"), let body: String = row[0] else {
            return nil
        }
        let request: PushRequest
        do {
            request = try PushRequest(json: JSONValue.parse(body))
        } catch {
            // A batch recorded by an older version of the app (protocol 1: no node) is rebuilt
            // from the outbox; re-sending its records under a new batch id merges nothing twice.
            guard (try? JSONValue.parse(body))?.objectValue?["node"] == nil else {
                throw ReplicaError.corrupt("the pending batch cannot be read (\(error))")
            }
            try dropPendingBatch(db)
            return nil
        }
        let entries = try db.fetchAll(sql: "SELECT record_id, outbox_seq FROM pending_entries").map { row in
            PendingBatch.Entry(record: RecordID(unchecked: row[0] ?? ""), outboxSeq: row[1] ?? 0)
        }
        let kind: String = row[1] ?? "outbox"
        return PendingBatch(request: request, entries: entries, isRecovery: kind == "recovery")
    }

    /// Records `entries` as the pending batch (their current versions, chained after the last
    /// acknowledged batch) and returns it; `nil` when no entry names a stored record.
    func makePendingBatch(_ db: Database, entries candidates: [PendingBatch.Entry], recovery: Bool, recoveringFrom: String?) throws -> PendingBatch? {
        var records: [Record] = []
        var entries: [PendingBatch.Entry] = []
        for entry in candidates {
            guard let record = try Self.load(db, entry.record) else { continue }
            records.append(record)
            entries.append(entry)
        }
        guard !records.isEmpty else { return nil }
        let after = try Self.meta(db, "last_batch").flatMap(BatchID.init)
        let request = PushRequest(batch: .random(), node: try currentNode(db), after: after, recoveringFrom: recoveringFrom, records: records)
        try db.execute(sql: "INSERT INTO pending_batch(id, body, kind) VALUES (1, ?, ?)",
                       arguments: [String(decoding: request.canonicalJSON(), as: UTF8.self), recovery ? "recovery" : "outbox"])
        for entry in entries {
            try db.cachedStatement(sql: "INSERT INTO pending_entries(record_id, outbox_seq) VALUES (?, ?)")
                .execute(arguments: [entry.record.rawValue, entry.outboxSeq])
        }
        return PendingBatch(request: request, entries: entries, isRecovery: recovery)
    }

    /// Clears a batch's outbox entries (or, for a recovery batch, its recovery entries) after the
    /// server acknowledged it, records the batch as this node's last and the node's counters as
    /// known to the server. Entries edited again since the batch was made stay in the outbox.
    public func acknowledge(_ batch: PendingBatch, response: PushResponse) throws {
        try queue.write { db in
            for entry in batch.entries {
                if batch.isRecovery {
                    try db.cachedStatement(sql: "DELETE FROM recovery_queue WHERE record_id = ?").execute(arguments: [entry.record.rawValue])
                } else {
                    try db.cachedStatement(sql: "DELETE FROM outbox WHERE record_id = ? AND edit <= ?")
                        .execute(arguments: [entry.record.rawValue, entry.outboxSeq])
                }
            }
            if batch.request.node == (try currentNode(db)) {
                for record in batch.request.records {
                    try Self.raiseAcked(db, record.id, to: record.clock[batch.request.node])
                    // Nothing of this record waits any more: its next edit records a fresh counter.
                    try db.cachedStatement(sql: """
                        DELETE FROM acked WHERE record_id = ? AND NOT EXISTS (SELECT 1 FROM outbox WHERE record_id = ?)
                          AND NOT EXISTS (SELECT 1 FROM refused WHERE record_id = ?)
                        """).execute(arguments: [record.id.rawValue, record.id.rawValue, record.id.rawValue])
                }
                try Self.setMeta(db, "last_batch", batch.request.batch.rawValue)
            }
            try Self.dropPendingBatch(db)
        }
    }

    static func dropPendingBatch(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM pending_entries")
        try db.execute(sql: "DELETE FROM pending_batch")
    }

    /// Takes edits the server refused out of the outbox (keeping them locally) and drops the
    /// pending batch so the remaining edits can sync. For a recovery batch the refused records are
    /// no longer re-offered, and any edits of them waiting in the outbox stay there. Records named in the error's details are
    /// refused; a one-record batch refuses that record. Returns the number of records refused:
    /// zero means the culprit is unknown and the caller should retry in smaller batches.
    @discardableResult
    public func refuse(_ batch: PendingBatch, error: ErrorBody) throws -> Int {
        try queue.write { db in
            let inBatch = Set(batch.entries.map(\.record.rawValue))
            var named = Set(error.details.compactMap { $0.record.flatMap { try? RecordID($0).rawValue } }).intersection(inBatch)
            if named.isEmpty && batch.entries.count == 1 { named = inBatch }
            for id in named.sorted() {
                let message = error.details.first { $0.record.flatMap { try? RecordID($0).rawValue } == id }?.message ?? error.message
                if batch.isRecovery {
                    // A record the restored server will not take back: no longer re-offered. Edits of it
                    // waiting in the outbox stay there (they are pushed, and judged, on their own).
                    try db.cachedStatement(sql: "DELETE FROM recovery_queue WHERE record_id = ?").execute(arguments: [id])
                    let pending: Int = try db.fetchScalar(sql: "SELECT COUNT(*) FROM outbox WHERE record_id = ?", arguments: [id]) ?? 0
                    if pending > 0 { continue }
                } else {
                    try Self.moveOutOfOutbox(db, id)
                }
                try db.cachedStatement(sql: """
                    INSERT INTO refused(record_id, code, message, refused_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(record_id) DO UPDATE SET code = excluded.code, message = excluded.message,
                      refused_at = excluded.refused_at
                    """).execute(arguments: [id, error.code, message, wallClock()])
            }
            try Self.dropPendingBatch(db)
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
    /// local one (or stored when new). A pulled version showing that another copy of this replica
    /// wrote under this node id first makes this replica take a new node id and re-stamp its
    /// unacknowledged edits (same transaction), so no value is merged away.
    public func apply(_ page: PullPage) throws {
        let received = page.receivedBytes.count == page.records.count ? page.receivedBytes : nil
        try apply(count: page.records.count, cursor: page.cursor, summary: { RecordSummary(page.records[$0]) },
                  bytes: { received?[$0] }, record: { page.records[$0] })
    }

    /// Applies a received pull page and its cursor in one transaction, like ``apply(_:)-PullPage``:
    /// new records are stored as received (summarised, decoded only when they mention this node);
    /// only records held already are decoded and merged.
    public func apply(_ page: ReceivedPullPage) throws {
        try apply(count: page.count, cursor: page.cursor, summary: { page.summaries[$0] },
                  bytes: { page.receivedBytes(at: $0) }, record: { try page.record(at: $0) })
    }

    /// Applies a pulled page like ``apply(_:)-ReceivedPullPage``, and stores its records of unknown
    /// entity types opaque (as received, replacing an older version; never shown or validated),
    /// all in one transaction with the cursor.
    public func apply(_ page: PulledPage) throws {
        let inner = page.page
        try apply(count: inner.count, cursor: inner.cursor, summary: { inner.summaries[$0] },
                  bytes: { inner.receivedBytes(at: $0) }, record: { try inner.record(at: $0) }, opaque: page.opaque,
                  isLast: !inner.hasMore)
    }

    /// Records of entity types this app does not know, as received (see ``OpaqueRecord``).
    public func opaqueRecords() throws -> [OpaqueRecord] {
        try queue.read { db in
            try db.fetchAll(sql: "SELECT id, type, state FROM opaque_records ORDER BY id").map { row in
                OpaqueRecord(id: RecordID(unchecked: row[0] ?? ""), type: row[1] ?? "", envelope: Array((row[2] as String? ?? "").utf8))
            }
        }
    }

    private func apply(count: Int, cursor: String, summary: (Int) -> RecordSummary, bytes: (Int) -> ArraySlice<UInt8>?,
                       record: (Int) throws -> Record, opaque: [OpaqueRecord] = [], isLast: Bool = false) throws {
        var rotatedTo: NodeID?
        try queue.write { db in
            var clock = try Self.hybridClock(db)
            let before = clock
            var node = try currentNode(db)
            // First every record is checked (so the acknowledged counters reflect the whole page
            // before a node change re-stamps anything), then the node changes if needed, then merges.
            var held: [(index: Int, isNew: Bool, remote: Record)] = []
            var clash = false
            for index in 0..<count {
                let summary = summary(index)
                let state = bytes(index)
                clock.observe(summary.lastModified, wallMillis: wallClock())
                // The common case: a record new here that holds no write of this node is stored as
                // received, without decoding it.
                if let state, !Self.contains(state, node.rawValue), try Self.insertIfNew(db, summary, state: state) { continue }
                let local = try Self.load(db, summary.id)
                let remote = try record(index)
                held.append((index, local == nil, remote))
                if try Self.clashes(db, remote: remote, local: local, node: node) {
                    clash = true
                    // Writes both copies share (made before the copy) are held identically by the server.
                    if let local { try Self.raiseAcked(db, local.id, to: Self.sharedCounter(db, local: local, remote: remote, node: node)) }
                } else {
                    try Self.raiseAcked(db, remote.id, to: remote.clock[node])
                }
            }
            if clash {
                node = try rotateNode(db)
                rotatedTo = node
            }
            for (index, isNew, remote) in held {
                // A record new here may come twice in one page: the second one merges.
                let inserted: Bool
                if !isNew {
                    inserted = false
                } else if let state = bytes(index) {
                    inserted = try Self.insertIfNew(db, summary(index), state: state)
                } else {
                    inserted = try Self.insertIfNew(db, remote, state: nil, modified: remote.lastModified)
                }
                if !inserted { try Self.mergeExisting(db, remote) }
                try Self.raiseAcked(db, remote.id, to: remote.clock[node])
            }
            for record in opaque {
                try db.cachedStatement(sql: """
                    INSERT INTO opaque_records(id, type, state) VALUES (?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET type = excluded.type, state = excluded.state
                    """).execute(arguments: [record.id.rawValue, record.type, String(decoding: record.envelope, as: UTF8.self)])
            }
            if clock != before { try Self.saveHybridClock(db, clock) }
            try Self.setMeta(db, "cursor", cursor)
            if try Self.meta(db, "rescope") != nil {
                for index in 0..<count { try Self.noteRescoped(db, summary(index).id.rawValue) }
                for record in opaque { try Self.noteRescoped(db, record.id.rawValue) }
                if isLast { try finishRescope(db) }
            }
        }
        if let rotatedTo { nodeCache.value = rotatedTo }
    }

    /// `true` when `bytes` contain `"text"` (a quoted JSON string).
    static func contains(_ bytes: ArraySlice<UInt8>, _ text: String) -> Bool {
        let needle = Array("\"\(text)\"".utf8)
        guard bytes.count >= needle.count, let first = needle.first else { return false }
        var index = bytes.startIndex
        let last = bytes.endIndex - needle.count
        while index <= last {
            if bytes[index] == first && bytes[index..<(index + needle.count)].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }

    /// `true` when a pulled version shows that someone else wrote under `node`: it holds more of
    /// `node`'s writes than this replica ever made, or it covers an unacknowledged local write of
    /// `node` while holding other content for it (the same dot naming two different writes).
    static func clashes(_ db: Database, remote: Record, local: Record?, node: NodeID) throws -> Bool {
        guard let local else { return remote.clock[node] > 0 }
        if remote.clock[node] > local.clock[node] { return true }
        guard let acked = try ackedCounter(db, local.id) else { return false }
        let known = UInt64(max(0, acked))
        for (name, register) in local.fields {
            for sibling in register.siblings where sibling.dot.node == node && sibling.dot.counter > known && remote.clock.covers(sibling.dot) {
                if remote.fields[name]?.siblings.first(where: { $0.dot == sibling.dot }) != sibling { return true }
            }
        }
        for sibling in local.lifecycle.siblings where sibling.dot.node == node && sibling.dot.counter > known && remote.clock.covers(sibling.dot) {
            if remote.lifecycle.siblings.first(where: { $0.dot == sibling.dot }) != sibling { return true }
        }
        // A write of `node` the server holds and this replica no longer does (it wrote the field
        // again since) is its own only if it went out in the unanswered pending batch; otherwise
        // another copy made it under the same dot, and merging would drop it as overwritten.
        var sent: Record??
        func isOwn<V>(_ sibling: Sibling<V>, _ held: Register<V>?, _ pushed: (Record) -> Register<V>?) throws -> Bool {
            guard sibling.dot.node == node, sibling.dot.counter > known, !(held?.siblings.contains(sibling) ?? false) else { return true }
            if sent == nil { sent = .some(try loadPendingBatch(db)?.request.records.first { $0.id == local.id }) }
            return sent!.flatMap(pushed)?.siblings.contains(sibling) ?? false
        }
        for (name, register) in remote.fields {
            for sibling in register.siblings where try !isOwn(sibling, local.fields[name], { $0.fields[name] }) { return true }
        }
        for sibling in remote.lifecycle.siblings where try !isOwn(sibling, local.lifecycle, { $0.lifecycle }) { return true }
        return false
    }

    /// The highest counter of `node` up to which every unacknowledged local write of `node` is one
    /// the server holds too: writes made before this replica was copied, which both copies share.
    /// A write is shared when the pulled version holds at least one of its siblings identically
    /// and none differently (the others overwritten there, their dots covered).
    static func sharedCounter(_ db: Database, local: Record, remote: Record, node: NodeID) throws -> UInt64 {
        let acked = try ackedCounter(db, local.id) ?? 0
        var shared = UInt64(max(0, acked))
        enum Seen { case identical, overwritten, different }
        func seen<V>(_ sibling: Sibling<V>, in register: Register<V>?) -> Seen {
            if let twin = register?.siblings.first(where: { $0.dot == sibling.dot }) { return twin == sibling ? .identical : .different }
            return remote.clock.covers(sibling.dot) ? .overwritten : .different
        }
        var writes: [UInt64: [Seen]] = [:]
        for (name, register) in local.fields {
            for sibling in register.siblings where sibling.dot.node == node && sibling.dot.counter > shared {
                writes[sibling.dot.counter, default: []].append(seen(sibling, in: remote.fields[name]))
            }
        }
        for sibling in local.lifecycle.siblings where sibling.dot.node == node && sibling.dot.counter > shared {
            writes[sibling.dot.counter, default: []].append(seen(sibling, in: remote.lifecycle))
        }
        for counter in writes.keys.sorted() {
            let seen = writes[counter]!
            guard seen.contains(.identical), !seen.contains(.different) else { break }
            shared = counter
        }
        return shared
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
