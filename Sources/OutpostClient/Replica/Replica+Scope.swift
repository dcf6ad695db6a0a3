import OutpostJSON
import OutpostModel
import OutpostStore

/// A record that left this device's scope (reassigned to a colleague, unshared, a role changed)
/// while holding local edits the server did not take. It is no longer shown with the records,
/// but kept whole — nothing is dropped silently — until exported and discarded (SPEC §11.2).
public struct SetAsideRecord: Sendable, Hashable {
    /// The record as it was on this device, local edits included.
    public var record: Record
    /// Why it was set aside (the server's refusal, or that it left this device's scope).
    public var reason: String
    /// When (UTC ms).
    public var setAsideAt: Int64
}

/// Scope changes on the device: re-scoping after the server answers `scope_changed`, the set-aside
/// list, ownership rules for local edits, and reassignment by a manager's device.
extension Replica {
    /// Starts a re-scope (SPEC §11.2): forgets the cursor, so the next pull lists from the
    /// beginning every record this user may read now; when that pull ends, the records it did not
    /// list leave the device (those with unsent or refused edits move to the set-aside list).
    public func beginRescope() throws {
        try queue.write { db in
            try db.execute(sql: "DELETE FROM meta WHERE key = 'cursor'")
            try db.execute(sql: "DELETE FROM rescope_seen")
            try Self.setMeta(db, "rescope", "1")
        }
    }

    /// `true` while a re-scope has begun and its pull has not reached the end.
    public func isRescoping() throws -> Bool {
        try queue.read { db in try Self.meta(db, "rescope") != nil }
    }

    static func noteRescoped(_ db: Database, _ id: String) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO rescope_seen(id) VALUES (?)").execute(arguments: [id])
    }

    /// The reason stored for a record set aside because it left the scope with unsent changes (a
    /// record the server had refused stores the server's message instead). Apps show their own words for it.
    public static let setAsideOutOfScopeReason =
        "It is no longer among your records (reassigned, unshared or your role changed) and held changes not sent."

    /// Ends a re-scope inside the transaction of its last page: every record the pull did not list
    /// leaves; one with unsent or refused edits is kept in the set-aside list.
    func finishRescope(_ db: Database) throws {
        let gone = try db.fetchAll(sql: """
            SELECT id, type, state, customer FROM records WHERE id NOT IN (SELECT id FROM rescope_seen) ORDER BY id
            """)
        let now = wallClock()
        // Customers that stay while some of their visits leave: their next due visit moves.
        var visitedCustomers = Set<String>()
        for row in gone {
            if row[1] as String? == "visit", let customer: String = row[3] { visitedCustomers.insert(customer) }
            let id: String = row[0] ?? ""
            let refusal: String? = try db.fetchScalar(sql: "SELECT message FROM refused WHERE record_id = ?", arguments: [id])
            let pending: Int = try db.fetchScalar(sql: "SELECT COUNT(*) FROM outbox WHERE record_id = ?", arguments: [id]) ?? 0
            if refusal != nil || pending > 0 {
                let reason = refusal ?? Replica.setAsideOutOfScopeReason
                try db.cachedStatement(sql: """
                    INSERT INTO set_aside(record_id, type, state, reason, set_aside_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(record_id) DO UPDATE SET type = excluded.type, state = excluded.state,
                      reason = excluded.reason, set_aside_at = excluded.set_aside_at
                    """).execute(arguments: [id, row[1] as String? ?? "", row[2] as String? ?? "", reason, now])
            }
            for table in ["outbox", "refused", "acked", "recovery_queue", "pending_entries"] {
                try db.cachedStatement(sql: "DELETE FROM \(table) WHERE record_id = ?").execute(arguments: [id])
            }
            try db.cachedStatement(sql: "DELETE FROM records WHERE id = ?").execute(arguments: [id])
        }
        for customer in visitedCustomers.sorted() { try Self.refreshVisitDue(db, customer: customer) }
        try db.execute(sql: "DELETE FROM opaque_records WHERE id NOT IN (SELECT id FROM rescope_seen)")
        try db.execute(sql: "DELETE FROM rescope_seen")
        try db.execute(sql: "DELETE FROM meta WHERE key = 'rescope'")
    }

    /// The records set aside on this device, oldest first.
    public func setAsideRecords() throws -> [SetAsideRecord] {
        try queue.read { db in
            try db.fetchAll(sql: "SELECT record_id, state, reason, set_aside_at FROM set_aside ORDER BY set_aside_at, record_id").map { row in
                let id = RecordID(unchecked: row[0] ?? "")
                let state: String = row[1] ?? ""
                let record: Record
                do {
                    record = try Record(json: JSONValue.parse(Array(state.utf8)))
                } catch {
                    throw ReplicaError.corrupt("the set-aside record \(id) cannot be read (\(error))")
                }
                return SetAsideRecord(record: record, reason: row[2] ?? "", setAsideAt: row[3] ?? 0)
            }
        }
    }

    /// The set-aside records as one JSON document (`{"setAside":[{"reason","setAsideAt","record"}…]}`)
    /// for handing to a manager, who can enter the changes again.
    public func exportSetAside() throws -> [UInt8] {
        let items = try setAsideRecords().map { item -> JSONValue in
            .object(["reason": .string(item.reason), "setAsideAt": .string(Timestamps.format(item.setAsideAt)), "record": item.record.jsonValue])
        }
        return JSONValue.object(["setAside": .array(items)]).serializedBytes()
    }

    /// Forgets a set-aside record (after exporting it). Returns `false` when it was not set aside.
    @discardableResult
    public func discardSetAside(_ id: RecordID) throws -> Bool {
        try queue.write { db in
            try db.cachedStatement(sql: "DELETE FROM set_aside WHERE record_id = ?").execute(arguments: [id.rawValue])
            return db.changesCount > 0
        }
    }

    /// Adopts the role and branch the server reports for the signed-in user (changed with
    /// `outpost-server user set`), so local checks follow at once.
    public func adoptSession(_ session: SessionInfo) throws {
        try queue.write { db in
            guard let settings = try Self.loadSettings(db), settings.user == session.user else { return }
            if settings.role != session.role { try Self.setMeta(db, "role", session.role.rawValue) }
            if settings.branch != session.branch { try Self.setMeta(db, "branch", session.branch) }
        }
    }

    /// Hands the customers owned by `from` (every one this device holds, or only the one with
    /// `code`) to `to`, as ordinary edits of `owner` that sync like any other (SPEC §8.4). For
    /// managers and branch administrators (their branch), HQ and admin. Returns the changed customers.
    ///
    /// ```swift
    /// let moved = try replica.reassign(from: "li", to: "wu")   // then sync
    /// ```
    ///
    /// - Throws: ``ReplicaError/notAllowed(_:)`` for other roles or when nothing matches.
    @discardableResult
    public func reassign(from: String, to: String, code: String? = nil) throws -> [Record] {
        guard UserName.isValid(to) else { throw ReplicaError.notAllowed(.invalidUserName(to)) }
        guard from != to else { throw ReplicaError.notAllowed(.alreadyOwned(by: to)) }
        let scope = try settings()?.scope
        let candidates = try queue.read { db in
            try db.fetchColumn(sql: "SELECT id FROM records WHERE type = 'customer' AND deleted = 0 ORDER BY code, id") as [String]
        }
        var changed: [Record] = []
        for id in candidates.map(RecordID.init(unchecked:)) {
            guard let record = try queue.read({ db in try Self.load(db, id) }),
                  record.fields["owner"]?.siblings.contains(where: { $0.value == .string(from) }) == true
            else { continue }
            if let code, record.value(of: "code")?.stringValue != code { continue }
            if let scope, !scope.canAssign(branch: record.branch) {
                throw ReplicaError.notAllowed(.reassignInBranch(role: scope.role, branch: record.branch))
            }
            changed.append(try update(id, fields: ["owner": .string(to)]))
        }
        if changed.isEmpty {
            throw ReplicaError.notAllowed(.ownsNoCustomers(user: from, code: code))
        }
        return changed
    }
}
