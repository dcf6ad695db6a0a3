import OutpostModel
import OutpostStore

extension ServerDatabase {
    /// `true` when a pull for `scope` after `seq` would not come back empty-handed now: records
    /// this user may read were written after `seq`, or the user's scope generation is no longer
    /// `generation` (the pull then answers 409 `scope_changed`, SPEC §11.2). One indexed probe;
    /// what a held pull (``PullWaiters``) checks when woken.
    public func pullHasNews(after seq: Int64, scope: AccessScope, generation: Int64) throws -> Bool {
        try pool.read { db in
            if let current: Int64 = try db.fetchScalar(sql: "SELECT scope_gen FROM users WHERE name = ?", arguments: [scope.user]),
               current != generation {
                return true
            }
            let found: Int64?
            if scope.readsAllBranches {
                found = try db.fetchScalar(sql: "SELECT 1 FROM records WHERE seq > ? LIMIT 1", arguments: [seq])
            } else if scope.readsWholeBranch {
                found = try db.fetchScalar(sql: "SELECT 1 FROM records WHERE branch = ? AND seq > ? LIMIT 1", arguments: [scope.branch, seq])
            } else {
                found = try db.fetchScalar(sql: """
                    SELECT 1 FROM records WHERE seq > ?
                      AND customer IN (SELECT customer FROM customer_access WHERE user = ?) LIMIT 1
                    """, arguments: [seq, scope.user])
            }
            return found != nil
        }
    }

    /// The user's scope generation now (`nil` for an unknown user).
    public func scopeGeneration(of user: String) throws -> Int64? {
        try pool.read { db in
            try db.fetchScalar(sql: "SELECT scope_gen FROM users WHERE name = ?", arguments: [user])
        }
    }
}
