import OutpostModel
import OutpostStore

/// One entry of the audit log of access changes (SPEC §8.3).
public struct AuditEntry: Sendable, Hashable {
    /// When (UTC ms).
    public var at: Int64
    /// Who made the change: a user name, or `server` for the host's command line.
    public var actor: String
    /// What: `user.add`, `user.set`, `user.deactivate`, `user.reactivate`, `user.freeze`,
    /// `user.unfreeze`, `user.rotate`, `customer.assign`.
    public var action: String
    /// Whom or what it concerns: a user name, or a customer's code and id.
    public var subject: String
    /// The branch it concerns.
    public var branch: String
    /// Details, e.g. `owner li → wu`.
    public var detail: String

    /// Creates an entry.
    public init(at: Int64, actor: String, action: String, subject: String, branch: String, detail: String) {
        self.at = at
        self.actor = actor
        self.action = action
        self.subject = subject
        self.branch = branch
        self.detail = detail
    }
}

/// The result of a server-side reassignment.
public struct ReassignmentSummary: Sendable, Hashable {
    /// The customers whose owner changed, by code.
    public var customers: [String]
    /// The node the server wrote under (`srv-<epoch>`).
    public var node: NodeID
}

extension ServerDatabase {
    /// Appends an audit entry (inside the caller's transaction).
    static func audit(_ db: Database, actor: String, action: String, subject: String, branch: String, detail: String) throws {
        try db.cachedStatement(sql: "INSERT INTO audit(at, actor, action, subject, branch, detail) VALUES (?, ?, ?, ?, ?, ?)")
            .execute(arguments: [nowMillis(), actor, action, subject, branch, detail])
    }

    /// The audit log, oldest first, restricted to what `scope` may read (every branch for
    /// admin, hq and auditor; the own branch for managers and branch admins; nothing for sales).
    public func auditLog(scope: AccessScope? = nil, limit: Int = 1000) throws -> [AuditEntry] {
        try pool.read { db in
            try db.fetchAll(sql: "SELECT at, actor, action, subject, branch, detail FROM (SELECT * FROM audit ORDER BY id DESC LIMIT ?) ORDER BY id",
                            arguments: [limit])
                .map { AuditEntry(at: $0[0] ?? 0, actor: $0[1] ?? "", action: $0[2] ?? "", subject: $0[3] ?? "", branch: $0[4] ?? "", detail: $0[5] ?? "") }
                .filter { scope?.readsAudit(of: $0.branch) ?? true }
        }
    }

    /// Freezes, unfreezes or deactivates `name` on behalf of `actor` over the API (SPEC §9.7):
    /// administrators and HQ for anyone, a branch administrator for the users of its branch
    /// (not administrators or HQ). Reactivation issues a token, so it stays on the server host.
    ///
    /// - Throws: ``APIError`` 403 when the actor may not (the same answer whether or not the user
    ///   exists), 400 for a deactivated account (reactivation stays on the host).
    public func setState(of name: String, to state: UserAccount.Status, by actor: UserAccount) throws {
        let target = try users().first { $0.name == name }
        let refusal = APIError.forbidden("You may not manage the account '\(name)'. Branch administrators manage the users of their own branch.")
        guard let target, actor.scope.managesUsers(of: target.branch),
              actor.scope.readsAllBranches || ![.admin, .hq, .auditor].contains(target.role)
        else { throw refusal }
        do {
            switch (target.status, state) {
            case (let from, let to) where from == to:
                return
            case (.active, .frozen):
                try setFrozen(name: name, true, actor: actor.name)
            case (.frozen, .active):
                try setFrozen(name: name, false, actor: actor.name)
            case (_, .deactivated):
                try deactivateUser(name: name, actor: actor.name)
            case (.deactivated, _):
                throw APIError.invalidRequest(
                    "\(name)'s account is deactivated; it is reactivated on the server host (`outpost-server user reactivate \(name)`), which issues a new token.")
            default:
                return
            }
        } catch let error as UserAdminError {
            throw APIError.invalidRequest(error.description)
        }
    }

    /// The access of the customer `id` as stored (`nil` when the server does not hold it).
    static func storedCustomerAccess(_ db: Database, _ id: String) throws -> RecordAccess? {
        guard let row = try db.cachedStatement(sql: "SELECT branch FROM records WHERE id = ? AND type = 'customer'").fetchOne(arguments: [id]),
              let branch: String = row[0]
        else { return nil }
        let users: [String] = try db.fetchColumn(sql: "SELECT user FROM customer_access WHERE customer = ?", arguments: [id])
        return RecordAccess(branch: branch, users: Set(users))
    }

    /// Stores who may see customer `record` and raises the scope generation of every user who
    /// gains or loses it (their devices re-scope, SPEC §11.2). A new customer raises nobody: its
    /// records all come after any cursor. Audits the change as made by `actor`, except a new
    /// customer owned by its creator alone.
    static func updateCustomerAccess(_ db: Database, _ record: Record, isNew: Bool, actor: String) throws {
        let id = record.id.rawValue
        let before = Set<String>(try db.fetchColumn(sql: "SELECT user FROM customer_access WHERE customer = ?", arguments: [id]))
        let after = RecordAccess.users(of: record)
        guard before != after else { return }
        try db.cachedStatement(sql: "DELETE FROM customer_access WHERE customer = ?").execute(arguments: [id])
        for user in after.sorted() {
            try db.cachedStatement(sql: "INSERT INTO customer_access(customer, user) VALUES (?, ?)").execute(arguments: [id, user])
        }
        let code = record.value(of: "code")?.stringValue ?? id
        if !isNew {
            for user in before.symmetricDifference(after).sorted() {
                try db.cachedStatement(sql: "UPDATE users SET scope_gen = scope_gen + 1 WHERE name = ?").execute(arguments: [user])
            }
        }
        // A customer created for its own creator is no access change worth a line.
        if isNew && after == [actor] { return }
        try audit(db, actor: actor, action: "customer.assign", subject: "\(code) (\(id))", branch: record.branch,
                  detail: "owner/shared: [\(before.sorted().joined(separator: ", "))] → [\(after.sorted().joined(separator: ", "))]")
    }

    /// A contact, visit or complaint now naming another customer than the stored version (a
    /// concurrent or hand-made change of `customer`) moves into that customer's scope: every user
    /// who gains or loses it by the move re-scopes (SPEC §11.2). Call before storing the new version.
    static func noteCustomerChange(_ db: Database, _ record: Record) throws {
        let before: String? = try db.fetchScalar(sql: "SELECT customer FROM records WHERE id = ?", arguments: [record.id.rawValue])
        let after = record.value(of: "customer")?.stringValue
        guard before != after else { return }
        func users(_ customer: String?) throws -> Set<String> {
            guard let customer else { return [] }
            return Set(try db.fetchColumn(sql: "SELECT user FROM customer_access WHERE customer = ?", arguments: [customer]) as [String])
        }
        for user in try users(before).symmetricDifference(users(after)).sorted() {
            try db.cachedStatement(sql: "UPDATE users SET scope_gen = scope_gen + 1 WHERE name = ?").execute(arguments: [user])
        }
    }

    /// Hands every live customer owned by `from` (or only the one with `code`) to `to`, as a write of
    /// `owner` by the server under its node `srv-<epoch>` (SPEC §8.4). The new versions reach every
    /// device through ordinary pulls; both users' devices re-scope; each change is audited.
    ///
    /// - Parameter branch: only customers of this branch (a branch manager's own); `nil` for every branch.
    /// - Throws: ``UserAdminError`` when a user is unknown, `to` is not active, or `to` works in
    ///   another branch than a customer and `acrossBranches` is `false`.
    public func reassign(from: String, to: String, code: String? = nil, branch: String? = nil,
                         acrossBranches: Bool = true, actor: String = "server") throws -> ReassignmentSummary {
        guard from != to else { throw UserAdminError.invalidReassignment("--from and --to name the same user (\(from)).") }
        let node = NodeID(unchecked: "srv-" + epoch)
        return try pool.write { db in
            let target = try Self.user(db, to)
            guard target.status == .active else {
                throw UserAdminError.invalidReassignment("\(to)'s account is \(target.status.rawValue); hand the customers to an active colleague.")
            }
            _ = try Self.user(db, from)
            var changed: [String] = []
            var nextSeq: Int64 = (try Self.highestSeq(db)) + 1
            let ids: [String] = try db.fetchColumn(sql: "SELECT customer FROM customer_access WHERE user = ? ORDER BY customer", arguments: [from])
            for id in ids {
                guard var record = try Self.loadRecord(db, RecordID(unchecked: id))?.record, record.type == .customer, !record.isDeleted else { continue }
                guard record.fields["owner"]?.siblings.contains(where: { $0.value == .string(from) }) == true else { continue }
                if let code, record.value(of: "code")?.stringValue != code { continue }
                if let branch, record.branch != branch { continue }
                if !acrossBranches && record.branch != target.branch {
                    throw UserAdminError.invalidReassignment(
                        "\(to) works in branch \(target.branch) but customer \(record.value(of: "code")?.stringValue ?? id) belongs to \(record.branch); moving customers between branches goes through headquarters.")
                }
                let stamp = HybridTimestamp(millis: max(Self.nowMillis(), record.lastModified.millis + 1))
                do {
                    try record.write(["owner": .string(to)], node: node, at: stamp)
                } catch {
                    continue
                }
                try Self.storeRecord(db, record, seq: nextSeq)
                nextSeq += 1
                try Self.updateCustomerAccess(db, record, isNew: false, actor: actor)
                changed.append(record.value(of: "code")?.stringValue ?? id)
            }
            if let code, changed.isEmpty {
                throw UserAdminError.invalidReassignment("\(from) owns no live customer with code \(code)\(branch.map { " in branch \($0)" } ?? "").")
            }
            return ReassignmentSummary(customers: changed, node: node)
        }
    }
}
