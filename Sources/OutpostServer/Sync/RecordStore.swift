import OutpostCrypto
import OutpostJSON
import OutpostModel
import OutpostStore

/// Push and pull against the server database: the heart of the sync server.
extension ServerDatabase {
    /// Applies a push batch for `user` atomically and returns the answer.
    ///
    /// The whole batch is one write transaction: a refused record refuses the batch and nothing
    /// is stored. Replaying a batch id with the same body returns the stored answer.
    public func push(_ request: PushRequest, body: [UInt8], user: UserAccount) throws -> PushResponse {
        let bodyHash = SHA256.hash(body).hexString
        return try pool.write { db in
            if let row = try db.cachedStatement(sql: "SELECT body_hash, response FROM batches WHERE user = ? AND batch = ?")
                .fetchOne(arguments: [user.name, request.batch.rawValue])
            {
                guard let storedHash: String = row[0], storedHash == bodyHash else { throw APIError.batchReused(request.batch.rawValue) }
                guard let text: String = row[1], let stored = try? PushResponse(json: JSONValue.parse(text)) else {
                    throw APIError.internal("The stored answer of batch \(request.batch) cannot be read.")
                }
                return stored
            }
            var nextSeq: Int64 = (try db.fetchScalar(sql: "SELECT MAX(seq) FROM records") ?? 0) + 1
            var results: [PushResult] = []
            results.reserveCapacity(request.records.count)
            var problems: [ErrorDetail] = []
            var forbidden: APIError?
            var mismatch: APIError?
            var plans: [(PushPlanner.Outcome, Int64?)] = []
            for record in request.records {
                let stored = try Self.loadRecord(db, record.id)
                do throws(APIError) {
                    let outcome = try PushPlanner.plan(pushed: record, stored: stored?.record, scope: user.scope)
                    plans.append((outcome, stored?.seq))
                } catch {
                    if error.statusCode == 403 {
                        forbidden = forbidden ?? error
                    } else if error.body.code == "invalid_record" {
                        problems.append(contentsOf: error.body.details)
                    } else {
                        mismatch = mismatch ?? error
                    }
                }
            }
            // Precedence as in the spec (§10): scope, then validation, then identity.
            if let forbidden { throw forbidden }
            let batchCustomers = Dictionary(request.records.filter { $0.type == .customer }.map { ($0.id, $0.branch) },
                                            uniquingKeysWith: { first, _ in first })
            for (outcome, _) in plans where outcome.merged.type != .customer {
                if let problem = try Self.checkCustomerReference(db, outcome.merged, batchCustomers: batchCustomers) {
                    problems.append(problem)
                }
            }
            if !problems.isEmpty { throw APIError.invalidRecords(problems) }
            if let mismatch { throw mismatch }
            for (outcome, oldSeq) in plans {
                var seq = oldSeq ?? 0
                if outcome.changed {
                    seq = nextSeq
                    nextSeq += 1
                    try Self.storeRecord(db, outcome.merged, seq: seq)
                }
                results.append(PushResult(id: outcome.merged.id, status: outcome.status, seq: seq))
            }
            let response = PushResponse(batch: request.batch, results: results)
            try db.cachedStatement(sql: "INSERT INTO batches(user, batch, body_hash, response, applied_at) VALUES (?, ?, ?, ?, ?)")
                .execute(arguments: [user.name, request.batch.rawValue, bodyHash, response.jsonValue.serialized(), Self.nowMillis()])
            return response
        }
    }

    /// A contact, visit or complaint must name a customer the server knows (or that comes in the
    /// same batch) of the same branch, so scope follows the customer.
    static func checkCustomerReference(_ db: Database, _ record: Record, batchCustomers: [RecordID: String]) throws -> ErrorDetail? {
        guard let text = record.value(of: "customer")?.stringValue else { return nil }
        let customerID = RecordID(unchecked: text)
        let branch: String?
        if let inBatch = batchCustomers[customerID] {
            branch = inBatch
        } else {
            branch = try db.cachedStatement(sql: "SELECT branch FROM records WHERE id = ? AND type = 'customer'")
                .fetchOne(arguments: [text]).flatMap { $0[0] }
        }
        guard let branch else {
            return ErrorDetail(message: "The \(record.type.rawValue) refers to customer \(text), which the server does not have. Push the customer first.",
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
            INSERT INTO records(id, type, branch, seq, state, deleted, conflicted) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, state = excluded.state,
              deleted = excluded.deleted, conflicted = excluded.conflicted
            """).execute(arguments: [
                record.id.rawValue, record.type.rawValue, record.branch, seq, String(decoding: record.canonicalJSON(), as: UTF8.self),
                record.isDeleted, record.hasConflicts,
            ])
    }

    /// Streams one pull page for `scope` after `cursor` as JSON into `write`, reading one
    /// consistent snapshot. Memory stays bounded by the writer's buffer, not the page size.
    public func streamPull(after seq: Int64, limit: Int, scope: AccessScope, write: ([UInt8]) throws -> Void) throws {
        try pool.read { db in
            let statement: Statement
            if scope.readsAllBranches {
                statement = try db.cachedStatement(sql: "SELECT seq, state FROM records WHERE seq > ? ORDER BY seq LIMIT ?")
                try statement.bind(StatementArguments([.integer(seq), .integer(Int64(limit + 1))]))
            } else {
                statement = try db.cachedStatement(
                    sql: "SELECT seq, state FROM records WHERE branch = ? AND seq > ? ORDER BY seq LIMIT ?")
                try statement.bind(StatementArguments([.text(scope.branch), .integer(seq), .integer(Int64(limit + 1))]))
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
            let cursor = Cursor(serverID: serverID, seq: last).text
            buffer.append(contentsOf: Array(#"],"cursor":"\#(cursor)","hasMore":\#(hasMore)}"#.utf8))
            try write(buffer)
        }
    }
}
