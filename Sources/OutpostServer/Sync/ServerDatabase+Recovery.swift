import OutpostModel
import OutpostStore

/// What clients need after the server was restored from a backup (SPEC §11.1): which of their
/// record versions hold writes the server lacks, and who wrote under which node.
extension ServerDatabase {
    /// The highest seq stored (0 when empty).
    public func newestSeq() throws -> Int64 {
        try pool.read { db in try Self.highestSeq(db) }
    }

    /// The ids (in request order) whose given clock holds a write the stored version has not seen,
    /// or that the server does not hold, among the records `scope` may read. Held records outside
    /// the scope are left out, so the answer reveals nothing about them.
    ///
    /// ```swift
    /// let missing = try database.diff(DiffRequest(records: [.init(id: id, clock: clock)]), scope: user.scope).missing
    /// ```
    public func diff(_ request: DiffRequest, scope: AccessScope) throws -> DiffResponse {
        try pool.read { db in
            var missing: [RecordID] = []
            for entry in request.records {
                guard let stored = try Self.loadRecord(db, entry.id)?.record else {
                    // A purged tombstone is not asked for: it is gone for good (SPEC §11.3).
                    if try !Self.isPurged(db, entry.id) { missing.append(entry.id) }
                    continue
                }
                let access = try stored.type == .customer ? RecordAccess(customer: stored)
                    : stored.value(of: "customer")?.stringValue.flatMap { try Self.storedCustomerAccess(db, $0) }
                        ?? RecordAccess(branch: stored.branch, users: [])
                guard scope.canRead(access) else { continue }
                if !stored.clock.dominates(entry.clock) { missing.append(entry.id) }
            }
            return DiffResponse(missing: missing)
        }
    }

    /// The user enrolled for each node, for the nodes of users whose home branch `scope` may read.
    ///
    /// ```swift
    /// let authors = try database.authors(scope: user.scope).authors   // [NodeID: user name]
    /// ```
    public func authors(scope: AccessScope) throws -> AuthorsResponse {
        try pool.read { db in
            var authors: [NodeID: String] = [:]
            try db.cachedStatement(sql: "SELECT nodes.node, users.name, users.branch FROM nodes JOIN users ON users.name = nodes.user")
                .forEachRow(arguments: []) { row in
                    guard scope.canRead(branch: row.text(at: 2)) else { return }
                    authors[NodeID(unchecked: row.text(at: 0))] = row.text(at: 1)
                }
            return AuthorsResponse(authors: authors)
        }
    }

    /// The earlier epochs of this database, oldest first.
    public func earlierEpochs() throws -> [String] {
        try pool.read { db in try db.fetchColumn(sql: "SELECT epoch FROM epochs ORDER BY ended_at, epoch") }
    }
}
