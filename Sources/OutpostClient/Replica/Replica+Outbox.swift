import OutpostModel
import OutpostStore

/// The outbox of local edits and the acknowledged counters that go with it (SPEC §15).
///
/// One row per record with edits the server has not acknowledged: `seq` orders records by their
/// first pending edit, `edit` grows with every edit of the record (an acknowledgement removes the
/// row only if the batch carried its latest edit), and `acked` is the highest counter of this
/// replica's node the server is known to hold for the record. Records whose edits the server
/// refused leave the outbox; their counter is kept in the `acked` table until they are edited again.
///
/// A record's first edit writes its outbox row and the `record_id` index entry; later edits
/// rewrite the row only (with the record and the clock: three or four pages, SPEC §14's size target).
extension Replica {
    /// Marks a stored record as edited (see ``enqueue(_:_:ackedCounter:)``), taking every write of
    /// the current node in its stored version as known to the server when it has no acknowledged
    /// counter yet (e.g. records queued again by a repair, under a fresh node id).
    static func enqueue(_ db: Database, _ id: RecordID) throws {
        let node = try meta(db, "node").map { NodeID(unchecked: $0) }
        let record = try load(db, id)
        let counter = node.flatMap { record?.clock[$0] } ?? 0
        try enqueue(db, id, version: record.map(version(of:)) ?? 0, ackedCounter: counter)
    }

    /// Marks `record` (just stored) as edited: appended to the outbox, or (already there) its edit
    /// number raised so an acknowledgement of an earlier batch does not clear the newer edit.
    /// `ackedCounter` is the record's counter of this node before the edit: when the record has no
    /// acknowledged counter yet, everything up to it is known to the server (or was never written).
    static func enqueue(_ db: Database, _ record: Record, ackedCounter: UInt64) throws {
        try enqueue(db, record.id, version: version(of: record), ackedCounter: ackedCounter)
    }

    /// The sum of a record's clock counters: it grows with every write, so it numbers the record's edits.
    static func version(of record: Record) -> Int64 {
        record.clock.counters.values.reduce(Int64(0)) { $0.addingReportingOverflow(Int64(clamping: $1)).partialValue }
    }

    private static func enqueue(_ db: Database, _ id: RecordID, version: Int64, ackedCounter: UInt64) throws {
        // The edit number only has to grow per record: at least one more than before, and the
        // record's version so a row removed and added again never goes back.
        try db.cachedStatement(sql: "UPDATE outbox SET edit = MAX(edit + 1, ?) WHERE record_id = ?")
            .execute(arguments: [version, id.rawValue])
        if db.changesCount == 0 {
            // A record edited again after a refusal takes back its counter from `acked`.
            let kept: Int64? = try db.fetchScalar(sql: "SELECT counter FROM acked WHERE record_id = ?", arguments: [id.rawValue])
            try db.cachedStatement(sql: "INSERT INTO outbox(record_id, edit, acked) VALUES (?, ?, ?)")
                .execute(arguments: [id.rawValue, version, kept ?? Int64(clamping: ackedCounter)])
            if kept != nil { try db.cachedStatement(sql: "DELETE FROM acked WHERE record_id = ?").execute(arguments: [id.rawValue]) }
        }
        try db.cachedStatement(sql: "DELETE FROM refused WHERE record_id = ?").execute(arguments: [id.rawValue])
    }

    /// The highest counter of this replica's node the server is known to hold for `id`, if the
    /// record has local edits (in the outbox, or refused).
    static func ackedCounter(_ db: Database, _ id: RecordID) throws -> Int64? {
        try db.fetchScalar(sql: """
            SELECT COALESCE((SELECT acked FROM outbox WHERE record_id = ?1), (SELECT counter FROM acked WHERE record_id = ?1))
            """, arguments: [id.rawValue])
    }

    /// Every record's acknowledged counter (outbox rows and refused records).
    static func ackedCounters(_ db: Database) throws -> [String: UInt64] {
        var acked: [String: UInt64] = [:]
        for row in try db.fetchAll(sql: """
            SELECT record_id, counter FROM acked UNION ALL SELECT record_id, acked FROM outbox WHERE acked IS NOT NULL
            """) {
            if let id: String = row[0], let counter: Int64 = row[1] { acked[id] = max(acked[id] ?? 0, UInt64(max(0, counter))) }
        }
        return acked
    }

    /// Raises the acknowledged counter of a record that has one (records with local edits).
    static func raiseAcked(_ db: Database, _ id: RecordID, to counter: UInt64) throws {
        try db.cachedStatement(sql: "UPDATE outbox SET acked = MAX(acked, ?) WHERE record_id = ? AND acked IS NOT NULL")
            .execute(arguments: [Int64(clamping: counter), id.rawValue])
        try db.cachedStatement(sql: "UPDATE acked SET counter = MAX(counter, ?) WHERE record_id = ?")
            .execute(arguments: [Int64(clamping: counter), id.rawValue])
    }

    /// Takes a record out of the outbox because the server refused its edits, keeping its
    /// acknowledged counter (in `acked`) for when it is edited again.
    static func moveOutOfOutbox(_ db: Database, _ id: String) throws {
        try db.cachedStatement(sql: """
            INSERT INTO acked(record_id, counter) SELECT record_id, acked FROM outbox WHERE record_id = ? AND acked IS NOT NULL
            ON CONFLICT(record_id) DO UPDATE SET counter = MAX(counter, excluded.counter)
            """).execute(arguments: [id])
        try db.cachedStatement(sql: "DELETE FROM outbox WHERE record_id = ?").execute(arguments: [id])
    }
}
