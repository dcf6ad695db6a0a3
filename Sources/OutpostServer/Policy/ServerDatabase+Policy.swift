import Foundation
import OutpostJSON
import OutpostModel
import OutpostStore

/// The policy document, customer code leases and the monthly report on the server (SPEC §6.6, §9.8–§9.10).
extension ServerDatabase {
    /// The policy document in force: the last one set, or the built-in defaults (version 0).
    public func policy() throws -> PolicyDocument {
        try pool.read { db in try Self.policy(db) }
    }

    static func policy(_ db: any SQLSession) throws -> PolicyDocument {
        guard let text: String = try db.fetchScalar(sql: "SELECT body FROM policy WHERE id = 1") else { return .default }
        do {
            return try PolicyDocument(json: JSONValue.parse(text))
        } catch {
            throw APIError.internal("the stored policy document cannot be read: \(error)")
        }
    }

    /// Replaces the policy document (read strictly: unknown members are refused); its version
    /// becomes the previous version + 1, whatever `document.version` says. Devices receive it on their next sync.
    ///
    /// - Returns: the stored document with its new version.
    @discardableResult
    public func setPolicy(_ document: PolicyDocument) throws -> PolicyDocument {
        try document.validate()
        return try pool.write { db in
            var stored = document
            stored.version = (try Self.policy(db).version) + 1
            try db.execute(sql: "INSERT INTO policy(id, version, body, updated_at) VALUES (1, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET version = excluded.version, body = excluded.body, updated_at = excluded.updated_at",
                           arguments: [stored.version, stored.jsonValue.serialized(), Self.nowMillis()])
            return stored
        }
    }

    /// Stores headquarters' policy document as it is, version included (a branch server's upstream
    /// sync, SPEC §15.1), unless it is already in force.
    @discardableResult
    public func adoptPolicy(_ document: PolicyDocument) throws -> PolicyDocument {
        try document.validate()
        return try pool.write { db in
            guard try Self.policy(db) != document else { return document }
            try db.execute(sql: "INSERT INTO policy(id, version, body, updated_at) VALUES (1, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET version = excluded.version, body = excluded.body, updated_at = excluded.updated_at",
                           arguments: [document.version, document.jsonValue.serialized(), Self.nowMillis()])
            return document
        }
    }

    /// Leases the next block of customer code sequence numbers of a series to `user` (SPEC §9.9).
    /// Repeating a lease id returns the block leased under it the first time, so a retry after a
    /// lost answer consumes nothing. Numbers already used by stored customer codes of the series
    /// (typed by hand) are skipped.
    ///
    /// - Throws: ``APIError`` 403 `forbidden` when the user may not write the branch; 409
    ///   `lease_reused` when the lease id was used for another branch or year or by another user.
    public func leaseCodes(_ request: CodeLeaseRequest, user: UserAccount) throws -> CodeBlock {
        guard user.scope.canWrite(branch: request.branch) else {
            throw APIError.forbidden("Your role (\(user.role.rawValue)) may not create customers in branch \(request.branch), so it receives no codes for it.")
        }
        return try pool.write { db in
            if let row = try db.fetchOne(sql: "SELECT user, branch, year, first, last, scheme FROM code_leases WHERE lease = ?", arguments: [request.lease]) {
                let (owner, branch, year): (String?, String?, Int64?) = (row[0], row[1], row[2])
                let series = CodeSeries(branch: branch ?? "", year: Int(year ?? 0))
                let scheme: String = row[5] ?? ""
                let expected = ((try? CodeScheme(scheme))?.series(branch: request.branch, year: request.year)) ?? series
                guard owner == user.name, series == expected else {
                    throw APIError(status: 409, code: "lease_reused", message: "The code lease id \(request.lease) was already used for another request; ask with a new id.")
                }
                return CodeBlock(lease: request.lease, series: series, first: row[3] ?? 0, last: row[4] ?? 0, scheme: scheme)
            }
            let policy = try Self.policy(db)
            let scheme: CodeScheme
            do { scheme = try CodeScheme(policy.codes.scheme) } catch { throw APIError.internal("\(error)") }
            let series = scheme.series(branch: request.branch, year: request.year)
            var next: Int64 = try db.fetchScalar(sql: "SELECT next FROM code_series WHERE branch = ? AND year = ?",
                                                 arguments: [series.branch, Int64(series.year)]) ?? 1
            next = max(next, try Self.highestHandTypedSeq(db, scheme: scheme, series: series) + 1)
            let block = CodeBlock(lease: request.lease, series: series, first: next, last: next + policy.codes.blockSize - 1, scheme: scheme.pattern)
            try db.execute(sql: "INSERT INTO code_series(branch, year, next) VALUES (?, ?, ?) ON CONFLICT(branch, year) DO UPDATE SET next = excluded.next",
                           arguments: [series.branch, Int64(series.year), block.last + 1])
            try db.execute(sql: "INSERT INTO code_leases(lease, user, branch, year, first, last, scheme, leased_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           arguments: [request.lease, user.name, series.branch, Int64(series.year), block.first, block.last, block.scheme, Self.nowMillis()])
            return block
        }
    }

    /// The largest sequence number among stored customer codes that the scheme would produce for `series` (0 if none).
    static func highestHandTypedSeq(_ db: any SQLSession, scheme: CodeScheme, series: CodeSeries) throws -> Int64 {
        var highest: Int64 = 0
        for row in try db.fetchAll(sql: "SELECT state FROM records WHERE type = 'customer' AND branch = ?", arguments: [series.branch]) {
            guard let text: String = row[0], let record = try? Record(json: JSONValue.parse(text)),
                let code = record.value(of: "code")?.stringValue, let seq = scheme.sequence(of: code, branch: series.branch, year: series.year)
            else { continue }
            highest = max(highest, seq)
        }
        return highest
    }

    /// Every record of `type` the scope may read, as a pull would give it (deleted ones included; the report skips them).
    public func records(_ type: EntityType, scope: AccessScope) throws -> [Record] {
        try pool.read { db in
            // The same records a pull gives this scope (SPEC §8): all, the branch's, or a salesperson's customers.
            let rows: [Row]
            if scope.readsAllBranches {
                rows = try db.fetchAll(sql: "SELECT state FROM records WHERE type = ? ORDER BY seq", arguments: [type.rawValue])
            } else if scope.readsWholeBranch {
                rows = try db.fetchAll(sql: "SELECT state FROM records WHERE type = ? AND branch = ? ORDER BY seq", arguments: [type.rawValue, scope.branch])
            } else {
                rows = try db.fetchAll(sql: """
                    SELECT state FROM records WHERE type = ?
                      AND customer IN (SELECT customer FROM customer_access WHERE user = ?) ORDER BY seq
                    """, arguments: [type.rawValue, scope.user])
            }
            return try rows.map { row in
                let text: String = row[0] ?? ""
                do { return try Record(json: JSONValue.parse(text)) } catch { throw APIError.internal("a stored record cannot be read: \(error)") }
            }
        }
    }

    /// The monthly report over every record `scope` may read (HQ: the whole company), under the policy in force.
    public func monthlyReport(month: ReportMonth, scope: AccessScope, now: Int64) throws -> MonthlyReport {
        MonthlyReport(month: month, policy: try policy(), customers: try records(.customer, scope: scope),
                      visits: try records(.visit, scope: scope), complaints: try records(.complaint, scope: scope), now: now)
    }
}
