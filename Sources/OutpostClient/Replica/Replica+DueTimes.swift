import Foundation
import OutpostJSON
import OutpostModel
import OutpostStore

// The `due_time` column: when a record falls due under the policy document the replica stores,
// so due and overdue lists are read through an index instead of computed over every record.
//
// - A customer: when its next visit is due under its tier's contact cadence and its branch's
//   calendar, from its latest completed visit; ``Replica/neverVisitedDueTime`` when never
//   visited (due since ever); `NULL` when its tier is unknown to the policy.
// - A complaint: its deadline while open or in progress; `NULL` otherwise.
//
// Written with the record's row (Replica.store, insertIfNew), for a customer again when one of
// its visits is written or leaves the replica, and for every record in one pass when a new
// policy document arrives (``Replica/storePolicy(_:)``).
extension Replica {
    /// The `due_time` of a customer never visited: before every real due time, so it sorts first
    /// as ``visitSchedule(of:lastVisits:policy:)`` orders (a `nil` due time first).
    static let neverVisitedDueTime = Int64.min

    /// The stored policy document, parsed once per document (the store path asks for every record).
    static func duePolicy(_ db: Database) throws -> PolicyDocument {
        let text: String? = try db.cachedStatement(sql: "SELECT value FROM meta WHERE key = 'policy'").fetchOne()?[0]
        return policyCache.document(for: text)
    }

    static let policyCache = PolicyDocumentCache()

    /// The due time of a customer of `tier` in `branch` last visited at `lastVisit` under `policy`.
    static func customerDueTime(tier: String?, branch: String, lastVisit: Int64?, policy: PolicyDocument) -> Int64? {
        guard let tier, Policies.revisitIntervalDays(tier: tier, policy: policy) != nil else { return nil }
        guard let lastVisit else { return neverVisitedDueTime }
        return policy.nextContactDue(tier: tier, lastContact: lastVisit, calendar: policy.calendar(branch: branch))
    }

    /// The due time of a complaint under `policy`: its deadline while open, else `nil`. (Neither
    /// the deadline nor openness depends on the time asked.)
    static func complaintDueTime(_ complaint: Record, policy: PolicyDocument) -> Int64? {
        guard let schedule = policy.schedule(ofComplaint: complaint, now: 0), schedule.isOpen else { return nil }
        return schedule.dueMillis
    }

    /// The `due_time` for a record about to be stored, given its summary; `record` gives the
    /// decoded record (needed for complaints only).
    static func dueTime(_ db: Database, _ summary: RecordSummary, record: () throws -> Record) throws -> Int64? {
        switch summary.type {
        case .customer:
            return customerDueTime(tier: summary.tier, branch: summary.branch, lastVisit: try lastVisit(db, customer: summary.id),
                                   policy: try duePolicy(db))
        case .complaint:
            return complaintDueTime(try record(), policy: try duePolicy(db))
        case .contact, .visit:
            return nil
        }
    }

    /// Recomputes the due time of customer `id` (after one of its visits changed or left).
    static func refreshVisitDue(_ db: Database, customer id: String) throws {
        guard let row = try db.cachedStatement(sql: "SELECT tier, branch, due_time FROM records WHERE id = ? AND type = 'customer'")
            .fetchOne(arguments: [id])
        else { return }
        let due = customerDueTime(tier: row[0], branch: row[1] ?? "", lastVisit: try lastVisit(db, customer: RecordID(unchecked: id)),
                                  policy: try duePolicy(db))
        guard due != row[2] else { return }
        try db.cachedStatement(sql: "UPDATE records SET due_time = ? WHERE id = ?").execute(arguments: [due, id])
    }

    /// Recomputes every due time under `policy`, in the caller's transaction: one pass over the
    /// customers (their tier and branch columns and the visit index) and one over the complaints.
    /// Rows whose due time stays the same are not written.
    static func recomputeDueTimes(_ db: Database, policy: PolicyDocument) throws {
        let update = try db.makeStatement(sql: "UPDATE records SET due_time = ? WHERE id = ?")
        var changes: [(String, Int64?)] = []
        try db.makeStatement(sql: """
            SELECT c.id, c.tier, c.branch, c.due_time,
              (SELECT MAX(v.policy_time) FROM records v
               WHERE v.customer = c.id AND v.type = 'visit' AND v.deleted = 0 AND v.policy_time IS NOT NULL)
            FROM records c WHERE c.type = 'customer'
            """).forEachRow { row in
            let due = customerDueTime(tier: row.isNull(at: 1) ? nil : row.text(at: 1), branch: row.text(at: 2),
                                      lastVisit: row.isNull(at: 4) ? nil : row.int64(at: 4), policy: policy)
            let stored: Int64? = row.isNull(at: 3) ? nil : row.int64(at: 3)
            if due != stored { changes.append((row.text(at: 0), due)) }
        }
        try db.makeStatement(sql: "SELECT id, state, due_time FROM records WHERE type = 'complaint'").forEachRow { row in
            let due = complaintDueTime(try decode(statement: row), policy: policy)
            let stored: Int64? = row.isNull(at: 2) ? nil : row.int64(at: 2)
            if due != stored { changes.append((row.text(at: 0), due)) }
        }
        for (id, due) in changes { try update.execute(arguments: [due, id]) }
    }
}

/// The last policy document parsed from the replica's `meta.policy`, by its text.
final class PolicyDocumentCache: @unchecked Sendable {
    private let lock = NSLock()
    private var text: String?
    private var document = PolicyDocument.default

    /// The document stored as `text` (`nil`: none stored, the defaults), parsed when the text changes.
    func document(for text: String?) -> PolicyDocument {
        lock.withLock {
            if text == self.text { return document }
            // Stored only after it was read once, so it reads again; fall back to the defaults if not.
            let parsed = text.flatMap { try? PolicyDocument(json: JSONValue.parse($0)) } ?? .default
            self.text = text
            document = parsed
            return parsed
        }
    }
}
