import OutpostJSON
import OutpostModel
import OutpostStore

/// Checks that follow from company CRM policies, computed from the local replica.
extension Replica {
    /// Live customers sharing a code. Codes are checked when a customer is created or edited on
    /// this device, but two devices offline can pick the same code; such pairs show up here after
    /// a sync so a person can rename one.
    public func duplicateCustomerCodes() throws -> [(code: String, customers: [RecordID])] {
        try queue.read { db in
            let rows = try db.fetchAll(sql: """
                SELECT code, id FROM records
                WHERE type = 'customer' AND deleted = 0 AND code IN (
                  SELECT code FROM records WHERE type = 'customer' AND deleted = 0 AND code IS NOT NULL
                  GROUP BY code HAVING COUNT(*) > 1)
                ORDER BY code, id
                """)
            var result: [(code: String, customers: [RecordID])] = []
            for row in rows {
                guard let code: String = row[0], let id: String = row[1] else { continue }
                if result.last?.code == code {
                    result[result.count - 1].customers.append(RecordID(unchecked: id))
                } else {
                    result.append((code, [RecordID(unchecked: id)]))
                }
            }
            return result
        }
    }

    /// When each customer is due for its next visit under the contact cadence of its tier in the
    /// stored policy document (defaults: core 30 days, important 60, potential 90, general 90),
    /// from its latest completed visit. Customers never visited are due now (`lastVisitMillis` is `nil`).
    public func visitSchedule() throws -> [VisitDue] {
        Self.visitSchedule(of: try records(.customer), lastVisits: try lastVisits(), policy: try policy())
    }

    /// The visit schedule of `customers` given the latest visit of each (``lastVisits(customer:)``),
    /// most overdue first; customers without a known tier are left out.
    public static func visitSchedule(of customers: [Record], lastVisits: [RecordID: Int64], policy: PolicyDocument = .default) -> [VisitDue] {
        customers.compactMap { customer -> VisitDue? in
            guard let tier = customer.value(of: "tier")?.stringValue, Policies.revisitIntervalDays(tier: tier, policy: policy) != nil else {
                return nil
            }
            let last = lastVisits[customer.id]
            let due = last.flatMap { policy.nextContactDue(tier: tier, lastContact: $0, calendar: policy.calendar(branch: customer.branch)) }
            return VisitDue(customer: customer, lastVisitMillis: last, dueMillis: due)
        }.sorted { ($0.dueMillis ?? .min, $0.customer.id) < ($1.dueMillis ?? .min, $1.customer.id) }
    }

    /// Customers due for a visit at `now` (UTC ms): never visited, or past their tier's interval;
    /// the longest-waiting first (never visited before late ones). Read through the due-time
    /// index (Replica+DueTimes), so only the customers due are read.
    public func customersDueForVisit(now: Int64) throws -> [VisitDue] {
        var due: [VisitDue] = []
        try forEachCustomerDue(now: now) { due.append($0) }
        return due
    }

    /// The entries of `schedule` due at `now` (UTC ms): live customers never visited or past their
    /// tier's interval, in schedule order.
    public static func due(_ schedule: [VisitDue], now: Int64) -> [VisitDue] {
        schedule.filter { !$0.customer.isDeleted && ($0.dueMillis ?? .min) <= now }
    }

    /// Live complaints still open or in progress whose deadline (stored policy document, branch
    /// working calendar) has passed at `now` (UTC ms), the oldest deadline first. Read through
    /// the due-time index (Replica+DueTimes), so only the overdue complaints are read.
    public func overdueComplaints(now: Int64) throws -> [(complaint: Record, deadline: ComplaintDeadline)] {
        var overdue: [(complaint: Record, deadline: ComplaintDeadline)] = []
        try forEachOverdueComplaint(now: now) { complaint, deadline, _ in overdue.append((complaint, deadline)) }
        return overdue
    }

    /// The live complaints among `complaints` that are overdue at `now` (UTC ms) under `policy`,
    /// the oldest deadline first.
    public static func overdue(_ complaints: [Record], now: Int64, policy: PolicyDocument = .default) -> [(complaint: Record, deadline: ComplaintDeadline)] {
        complaints.compactMap { complaint in
            guard !complaint.isDeleted, let deadline = Policies.deadline(ofComplaint: complaint, now: now, policy: policy), deadline.isOverdue else {
                return nil
            }
            return (complaint, deadline)
        }.sorted { ($0.deadline.dueMillis, $0.complaint.id) < ($1.deadline.dueMillis, $1.complaint.id) }
    }

    /// The latest completed visit (its `actualAt`, UTC ms) of each customer that has one,
    /// or of `customer` only (read from the visit index).
    public func lastVisits(customer: RecordID? = nil) throws -> [RecordID: Int64] {
        try queue.read { db in
            var latest: [RecordID: Int64] = [:]
            if let customer {
                if let millis = try Self.lastVisit(db, customer: customer) { latest[customer] = millis }
                return latest
            }
            try db.makeStatement(sql: """
                SELECT customer, MAX(policy_time) FROM records
                WHERE type = 'visit' AND deleted = 0 AND policy_time IS NOT NULL AND customer IS NOT NULL GROUP BY customer
                """).forEachRow { row in latest[RecordID(unchecked: row.text(at: 0))] = row.int64(at: 1) }
            return latest
        }
    }

    static func lastVisit(_ db: Database, customer: RecordID) throws -> Int64? {
        try db.cachedStatement(sql: """
            SELECT MAX(policy_time) FROM records
            WHERE customer = ? AND type = 'visit' AND deleted = 0 AND policy_time IS NOT NULL
            """).fetchOne(arguments: [customer.rawValue]).flatMap { row -> Int64? in row[0] }
    }

    /// Calls `body` with each customer in list order (label, id) and its visit schedule entry
    /// (``VisitDue``: latest completed visit and next due time, `nil` when never visited or the
    /// tier is unknown), one at a time: memory stays flat. `body` must not use this replica.
    public func forEachCustomerSchedule(includeDeleted: Bool = false, _ body: (VisitDue) throws -> Void) throws {
        let policy = try policy()
        try queue.read { db in
            try Self.streaming(db) {
                let sql = "SELECT id, state FROM records WHERE type = 'customer'" + (includeDeleted ? "" : " AND deleted = 0")
                    + " ORDER BY label, id"
                try db.makeStatement(sql: sql).forEachRow { row in
                    let customer = try Self.decode(statement: row)
                    let last = try Self.lastVisit(db, customer: customer.id)
                    let tier = customer.value(of: "tier")?.stringValue ?? ""
                    let calendar = policy.calendar(branch: customer.branch)
                    try body(VisitDue(customer: customer, lastVisitMillis: last,
                                      dueMillis: last.flatMap { policy.nextContactDue(tier: tier, lastContact: $0, calendar: calendar) }))
                }
            }
        }
    }

    /// Calls `body` with each customer due for a visit at `now` (UTC ms), in the order of
    /// ``customersDueForVisit(now:)``, reading them one at a time through the due-time index.
    /// Due times follow the stored policy document (tier cadence, branch working calendar): they
    /// are stored with each customer and recomputed when a visit changes or a new document
    /// arrives. `body` must not use this replica.
    public func forEachCustomerDue(now: Int64, _ body: (VisitDue) throws -> Void) throws {
        try queue.read { db in
            try Self.streaming(db) {
                try db.makeStatement(sql: """
                    SELECT id, state, due_time FROM records INDEXED BY records_by_due
                    WHERE type = 'customer' AND due_time IS NOT NULL AND due_time <= ? AND deleted = 0 ORDER BY due_time, id
                    """).forEachRow(arguments: [now]) { row in
                    let customer = try Self.decode(statement: row)
                    let due = row.int64(at: 2)
                    try body(VisitDue(customer: customer, lastVisitMillis: try Self.lastVisit(db, customer: customer.id),
                                      dueMillis: due == Self.neverVisitedDueTime ? nil : due))
                }
            }
        }
    }

    /// Calls `body` with each live complaint overdue at `now` (UTC ms) — open or in progress
    /// past its deadline under the stored policy document — the oldest deadline first (ties by
    /// id), as ``overdueComplaints(now:)`` orders them, with the code of its customer (as
    /// ``forEachRecord(_:customer:includeDeleted:_:)`` gives it). Read one at a time through the
    /// due-time index: deadlines are stored with each complaint and recomputed when a new policy
    /// document arrives. With `customer`, only that customer's complaints. `body` must not use
    /// this replica.
    public func forEachOverdueComplaint(now: Int64, customer: RecordID? = nil,
                                        _ body: (_ complaint: Record, _ deadline: ComplaintDeadline, _ customerCode: String?) throws -> Void) throws {
        try queue.read { db in
            var sql = """
                SELECT r.id, r.state, c.id, c.code, r.due_time FROM records r INDEXED BY records_by_due
                LEFT JOIN records c ON c.id = r.customer AND c.type = 'customer'
                WHERE r.type = 'complaint' AND r.due_time IS NOT NULL AND r.due_time <= ? AND r.deleted = 0
                """
            var arguments: [DatabaseValue] = [.integer(now)]
            if let customer {
                sql += " AND r.customer = ?"
                arguments.append(.text(customer.rawValue))
            }
            sql += " ORDER BY r.due_time, r.id"
            try Self.streaming(db) {
                try db.makeStatement(sql: sql).forEachRow(arguments: StatementArguments(arguments)) { row in
                    try body(try Self.decode(statement: row), ComplaintDeadline(dueMillis: row.int64(at: 4), isOverdue: true),
                             Self.customerCode(row))
                }
            }
        }
    }
}

/// A customer's next visit under the revisit cadence.
public struct VisitDue: Sendable, Hashable {
    /// The customer.
    public var customer: Record
    /// The latest completed visit (UTC ms), if any.
    public var lastVisitMillis: Int64?
    /// When the next visit is due (UTC ms); `nil` when the customer was never visited (due now).
    public var dueMillis: Int64?
}
