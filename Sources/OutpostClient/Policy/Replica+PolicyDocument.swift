import OutpostJSON
import OutpostModel
import OutpostStore

/// The policy document this replica received from the server, and the customer code blocks the
/// server leased it (SPEC §9.8, §9.9). Both are kept in the replica database, so policy answers
/// and new codes work offline.
extension Replica {
    /// The policy document in force on this device: the last one received at sync, or the built-in
    /// defaults before the first sync.
    public func policy() throws -> PolicyDocument {
        try queue.read { db in try Self.policy(db) }
    }

    static func policy(_ db: Database) throws -> PolicyDocument {
        guard let text = try meta(db, "policy") else { return .default }
        // Stored only after it was read once, so it reads again; fall back to the defaults if not.
        return (try? PolicyDocument(json: JSONValue.parse(text))) ?? .default
    }

    /// Stores a policy document received from the server (the server is authoritative, so a lower
    /// version — e.g. after the server was restored — replaces a higher one).
    /// - Returns: `true` when the stored document changed.
    @discardableResult
    public func storePolicy(_ document: PolicyDocument) throws -> Bool {
        try queue.write { db in
            if let text = try Self.meta(db, "policy"), let current = try? PolicyDocument(json: JSONValue.parse(text)), current == document {
                return false
            }
            try Self.setMeta(db, "policy", document.jsonValue.serialized())
            // Due times follow the policy: all of them are recomputed with it, in this transaction.
            try Self.recomputeDueTimes(db, policy: try Self.duePolicy(db))
            return true
        }
    }

    // MARK: Customer codes

    /// How many leased codes this device can still issue for `branch` in the year of `now` (UTC ms).
    public func remainingCodes(branch: String? = nil, now: Int64) throws -> Int64 {
        try queue.read { db in
            guard let (series, serverID) = try Self.codeSeries(db, branch: branch, now: now) else { return 0 }
            return try db.fetchScalar(
                sql: "SELECT COALESCE(SUM(last - next + 1), 0) FROM code_blocks WHERE server_id = ? AND branch = ? AND year = ? AND next <= last",
                arguments: [serverID, series.branch, Int64(series.year)]) ?? 0
        }
    }

    /// The series new customer codes of `branch` (default: the user's) belong to at `now`, under the
    /// current policy and the branch calendar's year; `nil` before the replica is configured.
    static func codeSeries(_ db: Database, branch: String?, now: Int64) throws -> (CodeSeries, String)? {
        guard let settings = try loadSettings(db) else { return nil }
        let branch = branch ?? settings.branch
        let policy = try policy(db)
        let year = policy.calendar(branch: branch).date(of: now).components.year
        let scheme = (try? CodeScheme(policy.codes.scheme)) ?? (try! CodeScheme(CodePolicy().scheme))
        return (scheme.series(branch: branch, year: year), settings.serverID)
    }

    /// Issues the next final customer code from this device's leased blocks, offline. The number is
    /// consumed in its own transaction, so a crash afterwards leaves a gap, never a duplicate; codes
    /// this replica already holds (typed by hand) are skipped.
    ///
    /// - Throws: ``PolicyError/noCodesLeft(branch:)`` when no block has numbers left (sync to lease
    ///   one); ``SyncError/notConfigured`` before the replica is connected to a server.
    public func issueCustomerCode(branch: String? = nil, now: Int64) throws -> String {
        try queue.write { db in
            guard let (series, serverID) = try Self.codeSeries(db, branch: branch, now: now) else { throw SyncError.notConfigured }
            while true {
                guard let row = try db.fetchOne(
                    sql: "SELECT lease, next, scheme FROM code_blocks WHERE server_id = ? AND branch = ? AND year = ? AND next <= last ORDER BY first LIMIT 1",
                    arguments: [serverID, series.branch, Int64(series.year)]),
                    let lease: String = row[0], let next: Int64 = row[1], let schemeText: String = row[2]
                else { throw PolicyError.noCodesLeft(branch: series.branch) }
                try db.execute(sql: "UPDATE code_blocks SET next = next + 1 WHERE lease = ?", arguments: [lease])
                let scheme = try CodeScheme(schemeText)
                let code = scheme.code(branch: series.branch, year: series.year == 0 ? 0 : series.year, seq: next)
                let taken: Int = try db.fetchScalar(
                    sql: "SELECT COUNT(*) FROM records WHERE type = 'customer' AND code = ? AND deleted = 0", arguments: [code]) ?? 0
                if taken == 0 { return code }
            }
        }
    }

    /// Refuses changing a customer's code once issued (it has the shape of the policy's code scheme for
    /// the customer's branch), unless another live customer holds the same code: renaming one of a
    /// clashing pair is how a duplicate is settled.
    static func checkIssuedCodeUnchanged(_ db: Database, _ record: Record, _ fields: [String: JSONValue]) throws {
        guard record.type == .customer, let new = fields["code"], let old = record.value(of: "code")?.stringValue,
            new != .string(old), let scheme = try? CodeScheme(try policy(db).codes.scheme), scheme.matches(old, branch: record.branch)
        else { return }
        let others: Int = try db.fetchScalar(
            sql: "SELECT COUNT(*) FROM records WHERE type = 'customer' AND code = ? AND id != ? AND deleted = 0",
            arguments: [old, record.id.rawValue]) ?? 0
        guard others > 0 else {
            throw ReplicaError.notAllowed(.issuedCodeFixed(code: old))
        }
    }

    /// Creates a customer, giving it the next leased code when `fields` has no `code`.
    ///
    /// ```swift
    /// let customer = try replica.createCustomer(["name": "Acme", "kind": "enterprise", "tier": "core"], now: Replica.systemMillis())
    /// customer.value(of: "code")   // "SH-2026-00051"
    /// ```
    ///
    /// - Throws: ``PolicyError/noCodesLeft(branch:)`` or the errors of ``create(_:fields:branch:id:)``.
    @discardableResult
    public func createCustomer(_ fields: [String: JSONValue], branch: String? = nil, now: Int64) throws -> Record {
        var fields = fields
        if fields["code"] == nil || fields["code"] == .null {
            fields["code"] = .string(try issueCustomerCode(branch: branch, now: now))
        }
        return try create(.customer, fields: fields, branch: branch)
    }

    /// The lease to ask the server for: the one asked before and not yet answered (so a retry
    /// after a lost answer gets the same block), else a new one for the current series;
    /// `nil` before the replica is configured.
    public func pendingCodeLease(now: Int64) throws -> CodeLeaseRequest? {
        try queue.write { db in
            guard let (series, _) = try Self.codeSeries(db, branch: nil, now: now) else { return nil }
            if let text = try Self.meta(db, "code_lease_pending"), let json = try? JSONValue.parse(text),
                let pending = try? CodeLeaseRequest(json: json)
            {
                return pending
            }
            let year = series.year == 0 ? (try Self.policy(db)).calendar(branch: series.branch).date(of: now).components.year : series.year
            let request = CodeLeaseRequest(lease: RecordID.random().rawValue, branch: series.branch, year: year)
            try Self.setMeta(db, "code_lease_pending", request.jsonValue.serialized())
            return request
        }
    }

    /// Stores a block the server leased and clears the pending lease, in one transaction; a block
    /// already stored (same lease id) is not added twice.
    public func addCodeBlock(_ block: CodeBlock) throws {
        try queue.write { db in
            guard let settings = try Self.loadSettings(db) else { return }
            try db.execute(sql: """
                INSERT OR IGNORE INTO code_blocks(lease, server_id, branch, year, first, last, next, scheme)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [block.lease, settings.serverID, block.series.branch, Int64(block.series.year), block.first, block.last,
                                 block.first, block.scheme])
            try db.execute(sql: "DELETE FROM meta WHERE key = 'code_lease_pending'")
        }
    }

    /// Forgets a pending lease the server refused, so the next sync asks afresh.
    func dropPendingCodeLease() throws {
        try queue.write { db in try db.execute(sql: "DELETE FROM meta WHERE key = 'code_lease_pending'") }
    }

    // MARK: Policy answers

    /// Contact status of every customer under the stored policy at `now` (UTC ms).
    public func contactStatuses(now: Int64) throws -> [ContactStatus] {
        try policy().contactStatuses(customers: try records(.customer), visits: try records(.visit), now: now)
    }

    /// Customers needing contact per salesperson under the stored policy at `now` (UTC ms).
    public func contactsDueBySalesperson(now: Int64) throws -> [(owner: String, due: [ContactStatus])] {
        try policy().contactsDueBySalesperson(customers: try records(.customer), visits: try records(.visit), now: now)
    }

    /// The schedule of every live complaint under the stored policy at `now` (UTC ms).
    public func complaintSchedules(now: Int64) throws -> [(complaint: Record, schedule: ComplaintSchedule)] {
        let policy = try policy()
        return try records(.complaint).compactMap { complaint in policy.schedule(ofComplaint: complaint, now: now).map { (complaint, $0) } }
    }

    /// The monthly report over the records on this device (what its user can see) under the stored policy.
    public func monthlyReport(month: ReportMonth, now: Int64) throws -> MonthlyReport {
        MonthlyReport(month: month, policy: try policy(), customers: try records(.customer), visits: try records(.visit),
                      complaints: try records(.complaint), now: now)
    }

    /// The quarterly re-tiering proposals for the customers on this device at `now` (UTC ms).
    public func tierProposals(now: Int64) throws -> [TierProposal] {
        try policy().tierProposals(try records(.customer), now: now)
    }
}
