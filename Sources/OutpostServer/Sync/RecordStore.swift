import OutpostCrypto
import OutpostJSON
import OutpostModel
import OutpostStore

/// Push and pull against the server database: the heart of the sync server.
extension ServerDatabase {
    /// Applies a push batch for `user` atomically and returns the answer.
    ///
    /// The whole batch is one savepoint of a write transaction: a refused record refuses the batch
    /// and nothing is stored. Concurrent pushes share one durable transaction (group commit, see
    /// ``GroupCommitter``): each is planned on the effects of those before it, and none is answered
    /// before the transaction is committed. The steps follow SPEC §10: idempotence (a replayed batch
    /// id with the same body gets its stored answer), the recovery epoch, the node chain, then every
    /// record is planned (``PushPlanner``) and the batch is refused for the earliest failing check, or stored.
    ///
    /// - Parameter maxClockSkewMillis: how far ahead of this server's clock new writes may be stamped.
    public func push(_ request: PushRequest, body: [UInt8], user: UserAccount,
                     maxClockSkewMillis: Int64 = PushPlanner.defaultMaxClockSkewMillis) throws -> PushResponse {
        try pushNotingReplay(request, body: body, user: user, maxClockSkewMillis: maxClockSkewMillis).response
    }

    /// ``push(_:body:user:maxClockSkewMillis:)``, also telling whether the answer is the stored
    /// one of a retried batch (`replayed`: nothing was applied this time; metrics count it once).
    public func pushNotingReplay(_ request: PushRequest, body: [UInt8], user: UserAccount,
                                 maxClockSkewMillis: Int64 = PushPlanner.defaultMaxClockSkewMillis) throws
        -> (response: PushResponse, replayed: Bool) {
        let bodyHash = SHA256.hash(body).hexString
        let (response, replayed) = try pushGroups.run { db in
            try applyPush(db, request, bodyHash: bodyHash, user: user, maxClockSkewMillis: maxClockSkewMillis)
        }
        // Committed: the marker learns the highest seq issued (SPEC §11.1).
        if let highest = response.results.map(\.seq).max(), highest > 0 { noteIssued(seq: highest) }
        return (response, replayed)
    }

    /// One push waiting to be applied: the request, its exact body and who sent it.
    public struct PendingPush: Sendable {
        /// The decoded request.
        public var request: PushRequest
        /// The body as received (its hash tells a retry from a reused batch id).
        public var body: [UInt8]
        /// The signed-in user.
        public var user: UserAccount

        /// Creates a pending push.
        public init(request: PushRequest, body: [UInt8], user: UserAccount) {
            self.request = request
            self.body = body
            self.user = user
        }
    }

    /// Applies several pushes in one durable transaction, in order, each in its own savepoint (what
    /// concurrent pushes share under group commit) and returns each one's answer or refusal.
    ///
    /// ```swift
    /// let outcomes = database.push(together: [PendingPush(request: a, body: bodyA, user: li), …])
    /// ```
    public func push(together pushes: [PendingPush],
                     maxClockSkewMillis: Int64 = PushPlanner.defaultMaxClockSkewMillis) -> [Result<PushResponse, any Error>] {
        let outcomes = pushGroups.runTogether(pushes.map { push in
            let bodyHash = SHA256.hash(push.body).hexString
            return { db in
                try self.applyPush(db, push.request, bodyHash: bodyHash, user: push.user, maxClockSkewMillis: maxClockSkewMillis).response
            }
        })
        let highest = outcomes.compactMap { try? $0.get().results.map(\.seq).max() }.max() ?? 0
        if highest > 0 { noteIssued(seq: highest) }
        return outcomes
    }

    /// The steps of one push inside the (group's) write transaction; `replayed` when the answer is
    /// the stored one of a retried batch (nothing applied this time).
    func applyPush(_ db: Database, _ request: PushRequest, bodyHash: String, user: UserAccount,
                   maxClockSkewMillis: Int64) throws -> (response: PushResponse, replayed: Bool) {
        if let answer = try Self.storedAnswer(db, user: user, batch: request.batch, bodyHash: bodyHash) { return (answer, true) }
        if let from = request.recoveringFrom { try checkRecoveryEpoch(db, from) }
        try advanceNodeChain(db, request, user: user)
        if user.role == .auditor {
            throw APIError.forbidden("Auditors can read but not change records.")
        }
        if request.relay && ![.admin, .hq, .manager].contains(user.role) {
            throw APIError.forbidden("Only headquarters, administrators and managers may relay other devices' changes.")
        }
        var context = PushPlanner.Context(
            scope: user.scope, node: request.node, acceptsForeignWrites: request.relay || request.recoveringFrom != nil,
            nowMillis: Self.nowMillis(), maxClockSkewMillis: maxClockSkewMillis)
        if !request.relay {
            context.directory = Dictionary(try db.fetchAll(sql: "SELECT name, branch FROM users").map { ($0[0] ?? "", $0[1] ?? "") },
                                           uniquingKeysWith: { first, _ in first })
        }
        let plans = try Self.planBatch(db, request.records, context: context)
        let response = try Self.store(db, plans, batch: request.batch, actor: user.name)
        try db.cachedStatement(sql: "INSERT INTO batches(user, batch, body_hash, response, applied_at) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [user.name, request.batch.rawValue, bodyHash, response.jsonValue.serialized(), Self.nowMillis()])
        return (response, false)
    }

    /// The stored answer of a batch already applied for `user` with the same body (SPEC §10.4);
    /// 409 `batch_reused` when the body differs.
    static func storedAnswer(_ db: Database, user: UserAccount, batch: BatchID, bodyHash: String) throws -> PushResponse? {
        guard let row = try db.cachedStatement(sql: "SELECT body_hash, response FROM batches WHERE user = ? AND batch = ?")
            .fetchOne(arguments: [user.name, batch.rawValue])
        else { return nil }
        guard let storedHash: String = row[0], storedHash == bodyHash else { throw APIError.batchReused(batch.rawValue) }
        guard let text: String = row[1], let stored = try? PushResponse(json: JSONValue.parse(text)) else {
            throw APIError.internal("The stored answer of batch \(batch) cannot be read.")
        }
        return stored
    }

    /// A recovery push must name an earlier epoch of this database (SPEC §11.1); 400 otherwise.
    func checkRecoveryEpoch(_ db: Database, _ from: String) throws {
        let known: Int = try db.fetchScalar(sql: "SELECT COUNT(*) FROM epochs WHERE epoch = ?", arguments: [from]) ?? 0
        guard known == 1, from != epoch else {
            throw APIError.invalidRequest(WireDecodingError(
                path: "$.recoveringFrom",
                reason: "'\(from)' is not an earlier epoch of this server (the current epoch is \(epoch)); send it only after a restore"))
        }
    }

    /// Checks and advances the pushing node's chain of batches (SPEC §10.5): the node must be this
    /// user's (another user's node is answered 409 `node_reused`, like a copied replica), and `after` must name its last acknowledged batch unless the server was restored
    /// since (the node's row is from an earlier epoch) or the node is new here.
    func advanceNodeChain(_ db: Database, _ request: PushRequest, user: UserAccount) throws {
        let now = Self.nowMillis()
        let row = try db.cachedStatement(sql: "SELECT user, last_batch, epoch FROM nodes WHERE node = ?")
            .fetchOne(arguments: [request.node.rawValue])
        guard let row else {
            try db.cachedStatement(sql: """
                INSERT INTO nodes(node, user, last_batch, epoch, enrolled_at, last_push_at, pushes) VALUES (?, ?, ?, ?, ?, ?, 1)
                """).execute(arguments: [request.node.rawValue, user.name, request.batch.rawValue, epoch, now, now])
            return
        }
        let owner: String = row[0] ?? ""
        guard owner == user.name else {
            // Another user's node: after a restore a node id read from a record's clock may have been
            // enrolled by someone else first. Refusing with 403 would lock the real device out and set
            // its edits aside; 409 `node_reused` makes it take a fresh node id and push again (§10.5).
            throw APIError.nodeTaken(request.node)
        }
        let lastBatch: String? = row[1]
        let rowEpoch: String? = row[2]
        if rowEpoch == epoch && lastBatch != request.after?.rawValue {
            throw APIError.nodeReused(request.node)
        }
        try db.cachedStatement(sql: "UPDATE nodes SET last_batch = ?, epoch = ?, last_push_at = ?, pushes = pushes + 1 WHERE node = ?")
            .execute(arguments: [request.batch.rawValue, epoch, now, request.node.rawValue])
        if let lastBatch { try Self.forgetAnswer(db, user: user.name, batch: lastBatch) }
    }

    /// Drops the stored answer of a batch its node's chain has moved past (SPEC §10.4): the device
    /// named it as `after`, so it holds the answer and never retries that batch again. The server
    /// thus keeps one stored answer per node, that of its last acknowledged batch.
    static func forgetAnswer(_ db: Database, user: String, batch: String) throws {
        try db.cachedStatement(sql: "DELETE FROM batches WHERE user = ? AND batch = ?").execute(arguments: [user, batch])
    }

    /// A planned record: the decision and the record's current seq (`nil` when new).
    typealias Plan = (outcome: PushPlanner.Outcome, oldSeq: Int64?)

    /// Plans every record, then refuses the batch for the earliest failing check of SPEC §10
    /// (naming every record refused for that reason), or returns the plans.
    static func planBatch(_ db: Database, _ records: [Record], context: PushPlanner.Context) throws -> [Plan] {
        var planned = [Plan?](repeating: nil, count: records.count)
        var refusals: [(record: RecordID, refusal: PushPlanner.Refusal)] = []
        // Customers first, so their contacts, visits and complaints in the same batch are judged
        // by who may see the customer after the batch.
        var batchCustomers: [RecordID: RecordAccess] = [:]
        let order = records.indices.filter { records[$0].type == .customer } + records.indices.filter { records[$0].type != .customer }
        for index in order {
            let record = records[index]
            let stored = try loadRecord(db, record.id)
            if stored == nil, try isPurged(db, record.id) {
                // Deleted long ago and purged (SPEC §11.3): never brought back, whatever the version says.
                refusals.append((record.id, .invalid(ErrorDetail(
                    message: "This \(record.type.rawValue) was deleted more than the server's tombstone horizon ago and purged; it can no longer be changed or restored.",
                    record: record.id.rawValue))))
                continue
            }
            let access: PushPlanner.Access
            if record.type == .customer && stored.map({ $0.record.type == .customer }) ?? true {
                access = PushPlanner.Access(stored: stored.map { RecordAccess(customer: $0.record) }, customer: nil)
            } else {
                let before = try stored.map { stored in
                    stored.record.type == .customer ? RecordAccess(customer: stored.record)
                        : try stored.record.value(of: "customer")?.stringValue.flatMap { try storedCustomerAccess(db, $0) }
                            ?? RecordAccess(branch: stored.record.branch, users: [])
                }
                var customer: RecordAccess?
                if let id = record.value(of: "customer")?.stringValue {
                    customer = try batchCustomers[RecordID(unchecked: id)] ?? storedCustomerAccess(db, id)
                }
                if let known = customer, !context.scope.canRead(known) { customer = nil }
                // A branch-wide role learns of a missing customer through validation (422), like any reference.
                if customer == nil && context.scope.readsWholeBranch { customer = RecordAccess(branch: record.branch, users: []) }
                access = PushPlanner.Access(stored: before, customer: customer)
            }
            do throws(PushPlanner.Refusal) {
                let outcome = try PushPlanner.plan(pushed: record, stored: stored?.record, context: context, access: access)
                planned[index] = (outcome, stored?.seq)
                if record.type == .customer { batchCustomers[record.id] = RecordAccess(customer: outcome.merged) }
            } catch {
                refusals.append((record.id, error))
            }
        }
        let plans = planned.compactMap { $0 }
        // A contact, visit or complaint must name a known customer (validation, like the schema).
        let batchBranches = Dictionary(records.filter { $0.type == .customer }.map { ($0.id, $0.branch) },
                                       uniquingKeysWith: { first, _ in first })
        for plan in plans where plan.outcome.merged.type != .customer {
            if let problem = try checkCustomerReference(db, plan.outcome.merged, batchCustomers: batchBranches, scope: context.scope) {
                refusals.append((plan.outcome.merged.id, .invalid(problem)))
            }
        }
        refusals.sort { lhs, rhs in
            (records.firstIndex { $0.id == lhs.record } ?? 0) < (records.firstIndex { $0.id == rhs.record } ?? 0)
        }
        guard let first = refusals.map(\.refusal).min() else { return plans }
        let decisive = refusals.filter { $0.refusal.rank == first.rank }
        switch first {
        case .forbidden(let message):
            throw APIError.forbidden(message, record: decisive[0].record)
        case .tooLarge:
            throw APIError.recordTooLarge(decisive.compactMap { if case .tooLarge(let detail) = $0.refusal { detail } else { nil } })
        case .invalid:
            throw APIError.invalidRecords(decisive.compactMap { if case .invalid(let detail) = $0.refusal { detail } else { nil } })
        case .clockAhead:
            throw APIError.clockAhead(decisive.compactMap { if case .clockAhead(let detail) = $0.refusal { detail } else { nil } })
        case .mismatch(let message):
            throw APIError.recordMismatch(message, record: decisive[0].record)
        case .dotReused(let problem, let field):
            throw APIError.dotReused(problem, record: decisive[0].record, field: field)
        }
    }

    /// Stores every changed record under a new seq, keeps the customers' access current (raising
    /// the scope generation of users who gain or lose a customer, SPEC §11.2) and returns the answer.
    static func store(_ db: Database, _ plans: [Plan], batch: BatchID, actor: String) throws -> PushResponse {
        var nextSeq: Int64 = (try highestSeq(db)) + 1
        var results: [PushResult] = []
        results.reserveCapacity(plans.count)
        for (outcome, oldSeq) in plans {
            var seq = oldSeq ?? 0
            if outcome.changed {
                seq = nextSeq
                nextSeq += 1
                if outcome.merged.type != .customer && oldSeq != nil {
                    try noteCustomerChange(db, outcome.merged)
                }
                try storeRecord(db, outcome.merged, seq: seq)
                if outcome.merged.type == .customer {
                    try updateCustomerAccess(db, outcome.merged, isNew: oldSeq == nil, actor: actor)
                }
            }
            results.append(PushResult(id: outcome.merged.id, status: outcome.status, seq: seq))
        }
        return PushResponse(batch: batch, results: results)
    }

    /// A contact, visit or complaint must name a customer the server knows (or that comes in the
    /// same batch) of the same branch, so scope follows the customer. A customer the caller may not
    /// read is answered exactly like one the server does not have (SPEC §10.3).
    static func checkCustomerReference(_ db: Database, _ record: Record, batchCustomers: [RecordID: String],
                                       scope: AccessScope) throws -> ErrorDetail? {
        guard let text = record.value(of: "customer")?.stringValue else { return nil }
        let customerID = RecordID(unchecked: text)
        let branch: String?
        if let inBatch = batchCustomers[customerID] {
            branch = inBatch
        } else if let access = try storedCustomerAccess(db, text), scope.canRead(access) {
            branch = access.branch
        } else {
            branch = nil
        }
        guard let branch else {
            return ErrorDetail(message: "The \(record.type.rawValue) refers to customer \(text), which is not among the customers you can see. Push the customer first.",
                               record: record.id.rawValue, field: "customer")
        }
        guard branch == record.branch else {
            return ErrorDetail(message: "The \(record.type.rawValue) belongs to branch \(record.branch) but its customer to branch \(branch).",
                               record: record.id.rawValue, field: "customer")
        }
        return nil
    }

    static func loadRecord(_ db: Database, _ id: RecordID) throws -> (record: Record, seq: Int64)? {
        var found: (record: Record, seq: Int64)?
        do {
            try db.cachedStatement(sql: "SELECT state, seq FROM records WHERE id = ?")
                .forEachRow(arguments: [id.rawValue]) { row in
                    found = (try row.withUnsafeBlob(at: 0) { try RecordTable.decode($0, id: id) }, row.int64(at: 1))
                }
        } catch let error as RecordTableError {
            throw APIError.internal(error.description)
        }
        return found
    }

    static func storeRecord(_ db: Database, _ record: Record, seq: Int64) throws {
        try db.cachedStatement(sql: """
            INSERT INTO records(id, type, branch, seq, state, deleted, conflicted, customer, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, state = excluded.state,
              deleted = excluded.deleted, conflicted = excluded.conflicted, customer = excluded.customer,
              deleted_at = excluded.deleted_at
            """).execute(arguments: [
                record.id.rawValue, record.type.rawValue, record.branch, seq, String(decoding: record.canonicalJSON(), as: UTF8.self),
                record.isDeleted, record.hasConflicts,
                record.type == .customer ? record.id.rawValue : record.value(of: "customer")?.stringValue,
                record.isDeleted ? Self.nowMillis() : nil,
            ])
    }

    /// Streams one pull page for `scope` after `cursor` as JSON into `write`, reading one
    /// consistent snapshot. Memory stays bounded by the writer's buffer, not the page size.
    /// Returns how many records the page holds.
    @discardableResult
    public func streamPull(after seq: Int64, limit: Int, scope: AccessScope, generation: Int64 = 0,
                           write: ([UInt8]) throws -> Void) throws -> Int {
        try pool.read { db in
            let statement: Statement
            if scope.readsAllBranches {
                statement = try db.cachedStatement(sql: "SELECT seq, state FROM records WHERE seq > ? ORDER BY seq LIMIT ?")
                try statement.bind(StatementArguments([.integer(seq), .integer(Int64(limit + 1))]))
            } else if scope.readsWholeBranch {
                statement = try db.cachedStatement(
                    sql: "SELECT seq, state FROM records WHERE branch = ? AND seq > ? ORDER BY seq LIMIT ?")
                try statement.bind(StatementArguments([.text(scope.branch), .integer(seq), .integer(Int64(limit + 1))]))
            } else {
                // A salesperson: the records of the customers it owns or that are shared with it.
                statement = try db.cachedStatement(sql: """
                    SELECT seq, state FROM records WHERE seq > ?
                      AND customer IN (SELECT customer FROM customer_access WHERE user = ?) ORDER BY seq LIMIT ?
                    """)
                try statement.bind(StatementArguments([.integer(seq), .text(scope.user), .integer(Int64(limit + 1))]))
            }
            defer { statement.reset() }
            var buffer: [UInt8] = []
            buffer.reserveCapacity(64 * 1024)
            buffer.append(contentsOf: Array(#"{"records":["#.utf8))
            var count = 0
            var last = seq
            var hasMore = false
            while try statement.step() {
                if count == limit {
                    hasMore = true
                    break
                }
                if count > 0 { buffer.append(UInt8(ascii: ",")) }
                statement.withUnsafeBlob(at: 1) { buffer.append(contentsOf: $0) }
                last = statement.int64(at: 0)
                count += 1
                if buffer.count >= 60 * 1024 {
                    try write(buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            // The last page covers every change issued so far in this snapshot, in scope or not:
            // the cursor moves past them, so a quiet scope's cursor does not stay behind the
            // purge point (SPEC §11.3).
            if !hasMore { last = max(last, try Self.highestSeq(db)) }
            let cursor = Cursor(serverID: serverID, epoch: epoch, seq: last, generation: generation).text
            buffer.append(contentsOf: Array(#"],"cursor":"\#(cursor)","hasMore":\#(hasMore)}"#.utf8))
            try write(buffer)
            return count
        }
    }
}
