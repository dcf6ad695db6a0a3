import OutpostModel
import OutpostStore

/// The replica as the local side of the sync loop (SPEC §15), including the recovery sync after a
/// server restore (SPEC §11.1): its state lives in `meta` (`epoch_server`, `epoch`, `recovery_from`,
/// `recovery_step`, `recovery_diff_after`) and the `recovery_queue` table, so a recovery killed at
/// any point resumes where it stopped.
extension Replica: SyncStore {
    public var relaysWrites: Bool { false }

    public func syncNextBatch(limit: Int) throws -> PendingBatch? { try pendingBatch(limit: limit) }

    public func syncNextRecoveryBatch(limit: Int, recoveringFrom: String?) throws -> PendingBatch? {
        try queue.write { db in
            if let pending = try Self.loadPendingBatch(db) { return pending }
            let rows = try db.fetchAll(sql: """
                SELECT recovery_queue.record_id FROM recovery_queue LEFT JOIN records ON records.id = recovery_queue.record_id
                ORDER BY \(Self.typeRankSQL), recovery_queue.record_id LIMIT ?
                """, arguments: [limit])
            let entries = rows.map { PendingBatch.Entry(record: RecordID(unchecked: $0[0] ?? ""), outboxSeq: 0) }
            if entries.isEmpty { return nil }
            guard let batch = try makePendingBatch(db, entries: entries, recovery: true, recoveringFrom: recoveringFrom) else {
                // Records no longer held: nothing to re-offer.
                for entry in entries {
                    try db.cachedStatement(sql: "DELETE FROM recovery_queue WHERE record_id = ?").execute(arguments: [entry.record.rawValue])
                }
                return nil
            }
            return batch
        }
    }

    public func syncAcknowledge(_ batch: PendingBatch, response: PushResponse) throws { try acknowledge(batch, response: response) }

    public func syncSetAside(_ batch: PendingBatch, error: ErrorBody) throws -> Int { try refuse(batch, error: error) }

    public func syncTakeNewNode() throws { try takeNewNode() }

    public func syncNode() throws -> NodeID { try queue.read { db in try currentNode(db) } }

    public func syncCursor() throws -> String? { try cursor() }

    public func syncResetCursor() throws { try resetCursor() }

    public func syncScopeChanged() throws { try beginRescope() }

    public func syncSession(_ session: SessionInfo) throws { try adoptSession(session) }

    public func syncApply(_ page: PulledPage) throws -> Int {
        try apply(page)
        return page.count
    }

    public func syncEpochState() throws -> SyncEpochState {
        try queue.read { db in
            SyncEpochState(serverID: try Self.meta(db, "epoch_server"), epoch: try Self.meta(db, "epoch"), recoveringFrom: try Self.meta(db, "recovery_from"),
                           step: try Self.meta(db, "recovery_step").flatMap(SyncEpochState.RecoveryStep.init) ?? .diff)
        }
    }

    public func syncBeginRecovery(from epoch: String) throws {
        try queue.write { db in
            try Self.setMeta(db, "recovery_from", epoch)
            try Self.setMeta(db, "recovery_step", SyncEpochState.RecoveryStep.diff.rawValue)
            try db.execute(sql: "DELETE FROM meta WHERE key = 'recovery_diff_after'")
            try db.execute(sql: "DELETE FROM recovery_queue")
        }
    }

    public func syncRecoveryCandidates(limit: Int) throws -> [DiffRequest.Entry] {
        try queue.read { db in
            let after = try Self.meta(db, "recovery_diff_after") ?? ""
            return try db.fetchAll(sql: "SELECT id, state FROM records WHERE id > ? ORDER BY id LIMIT ?", arguments: [after, limit])
                .map { row in
                    let record = try Self.decode(row)
                    return DiffRequest.Entry(id: record.id, clock: record.clock)
                }
        }
    }

    public func syncRecoveryDiffed(through last: RecordID, missing: [RecordID]) throws {
        try queue.write { db in
            for id in missing {
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO recovery_queue(record_id) VALUES (?)").execute(arguments: [id.rawValue])
            }
            try Self.setMeta(db, "recovery_diff_after", last.rawValue)
        }
    }

    public func syncRecoveryStep(_ step: SyncEpochState.RecoveryStep) throws {
        try queue.write { db in
            try Self.setMeta(db, "recovery_step", step.rawValue)
            if step == .pull {
                try db.execute(sql: "DELETE FROM meta WHERE key = 'cursor'")
                if try Self.meta(db, "recovery_from") == "" {
                    // A recovery the epoch did not reveal (409 recovery_required in the same epoch:
                    // tombstones purged since the last sync, SPEC §11.3): the pull from the beginning
                    // re-lists. A record it does not list leaves; one with unsent or refused edits
                    // is kept in the set-aside list.
                    try db.execute(sql: "DELETE FROM rescope_seen")
                    try Self.setMeta(db, "rescope", "1")
                }
            }
        }
    }

    public func syncCompleted(serverID: String, epoch: String) throws {
        try queue.write { db in
            try Self.setMeta(db, "epoch_server", serverID)
            try Self.setMeta(db, "epoch", epoch)
            try db.execute(sql: "DELETE FROM meta WHERE key IN ('recovery_from', 'recovery_step', 'recovery_diff_after')")
            try db.execute(sql: "DELETE FROM recovery_queue")
        }
    }
}
