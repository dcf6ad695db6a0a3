import Foundation
import OutpostJSON
import OutpostModel
import OutpostStore

/// The local copy of the CRM on one device: records, the outbox of local edits, and sync state,
/// in one SQLite database. Every operation is one transaction: it happens entirely or not at all.
///
/// ```swift
/// let replica = try Replica(path: "outpost.db")
/// let customer = try replica.create(.customer, fields: ["code": "C-1", "name": "Acme",
///                                                        "kind": "enterprise", "tier": "core"])
/// try replica.update(customer.id, fields: ["tier": "important"])
/// ```
public final class Replica: Sendable {
    let queue: ReplicaDatabase
    /// Announces every committed change of records or of the outbox (see ``ReplicaChange``);
    /// observations (``observe(tracking:_:)``) and automatic sync listen here.
    public let changes: ReplicaChangeNotifier
    /// The replica's own serial queue: async database work (``OfflineClient``, observations)
    /// runs here, never on Swift concurrency's shared threads.
    public let executor: DatabaseExecutor
    /// The node id as last read or written (the database's `meta.node` is the truth; writes read it
    /// inside their transaction).
    let nodeCache: NodeCache
    /// This replica's node id: fresh for every new database, and replaced by a fresh one when the
    /// server finds that another copy of this replica (a copied file or a restored device backup)
    /// has synchronised under the same id (SPEC §15).
    public var node: NodeID { nodeCache.value }
    /// Reads the wall clock; replaceable for tests. Only used for display order and tie-breaks.
    let wallClock: @Sendable () -> Int64

    /// Opens (or creates) a replica database at `path` (`:memory:` for a throwaway one).
    public init(path: String, wallClock: @escaping @Sendable () -> Int64 = Replica.systemMillis) throws {
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.synchronous = .full
        // New replicas use 4 KiB pages (SQLite's default): a local edit rewrites one page of each
        // table and index it touches (in the WAL, then again at the checkpoint), so smaller pages
        // keep an edit's writes small. Replicas created with 16 KiB pages keep them.
        configuration.pageSize = 4_096
        configuration.cacheSizeKiB = 32_768
        // The replica holds the access token: a new file is readable by its owner only
        // (SQLite gives the -wal and -shm files the same permissions).
        if path != ":memory:" && !path.isEmpty && !FileManager.default.fileExists(atPath: path) {
            FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        let base = try DatabaseQueue(path: path, configuration: configuration)
        try ReplicaSchema.migrator.migrate(base)
        let changes = ReplicaChangeNotifier()
        queue = try ReplicaDatabase(base, notifier: changes)
        self.changes = changes
        executor = DatabaseExecutor(label: "outpost.replica")
        let node = try queue.write { db in
            if let text: String = try db.fetchScalar(sql: "SELECT value FROM meta WHERE key = 'node'") {
                return NodeID(unchecked: text)
            }
            let fresh = NodeID.random()
            try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('node', ?)", arguments: [fresh.rawValue])
            return fresh
        }
        nodeCache = NodeCache(node)
        self.wallClock = wallClock
    }

    /// Milliseconds since 1970 from the system clock.
    @Sendable public static func systemMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    // MARK: Settings

    /// The configured server and user, or `nil` before `init`.
    public func settings() throws -> ReplicaSettings? {
        try queue.read { db in try Self.loadSettings(db) }
    }

    /// Stores the server and user to sync with. A different server database restarts the cursor;
    /// the same user may sign in again (e.g. with a rotated token) and keeps everything.
    ///
    /// - Throws: ``ReplicaError/belongsToAnotherUser(user:records:pendingChanges:)`` when another
    ///   user signs in while the replica holds records or unsent edits; nothing changes then.
    public func configure(_ settings: ReplicaSettings) throws {
        try queue.write { db in
            let previous = try Self.loadSettings(db)
            if let previous, previous.user != settings.user {
                // Another person's records may lie outside the new user's scope, and their unsent
                // edits must not go out under the new user's name.
                let records: Int = try db.fetchScalar(sql: "SELECT COUNT(*) FROM records") ?? 0
                let pending: Int = try db.fetchScalar(sql: "SELECT COUNT(*) FROM outbox") ?? 0
                if records > 0 || pending > 0 {
                    throw ReplicaError.belongsToAnotherUser(user: previous.user, records: records, pendingChanges: pending)
                }
            }
            let values: [(String, String)] = [
                ("server_url", settings.serverURL), ("token", settings.token), ("user", settings.user),
                ("role", settings.role.rawValue), ("branch", settings.branch), ("server_id", settings.serverID),
            ]
            for (key, value) in values { try Self.setMeta(db, key, value) }
            if previous?.serverID != settings.serverID {
                try db.execute(sql: "DELETE FROM meta WHERE key = 'cursor'")
            }
        }
    }

    static func loadSettings(_ db: Database) throws -> ReplicaSettings? {
        let rows = try db.fetchAll(sql: "SELECT key, value FROM meta")
        var meta: [String: String] = [:]
        for row in rows {
            if let key: String = row[0], let value: String = row[1] { meta[key] = value }
        }
        guard let url = meta["server_url"], let token = meta["token"], let user = meta["user"],
            let role = meta["role"].flatMap(Role.init(rawValue:)), let branch = meta["branch"], let serverID = meta["server_id"]
        else { return nil }
        return ReplicaSettings(serverURL: url, token: token, user: user, role: role, branch: branch, serverID: serverID)
    }

    static func setMeta(_ db: Database, _ key: String, _ value: String) throws {
        try db.cachedStatement(sql: "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
            .execute(arguments: [key, value])
    }

    static func meta(_ db: Database, _ key: String) throws -> String? {
        try db.fetchScalar(sql: "SELECT value FROM meta WHERE key = ?", arguments: [key])
    }

    // MARK: Local edits

    /// Creates a record. Customers get the signed-in user's branch (or `branch`) and, unless
    /// `owner` is given, the signed-in user as owner (the creator owns the customer, SPEC §8.1);
    /// contacts, visits and complaints take the branch of their customer.
    ///
    /// - Throws: ``ReplicaError`` when the data is invalid, the code is taken, the customer is
    ///   unknown, or a salesperson names another owner or shares the customer.
    @discardableResult
    public func create(_ type: EntityType, fields: [String: JSONValue], branch: String? = nil, id: RecordID = .random()) throws -> Record {
        var fields = fields
        if type == .customer, let settings = try settings() {
            if fields["owner"] == nil || fields["owner"] == .null { fields["owner"] = .string(settings.user) }
            if !settings.scope.canAssign(branch: branch ?? settings.branch)
                && (fields["owner"] != .string(settings.user) || !(fields["sharedWith"]?.arrayValue?.isEmpty ?? true)) {
                throw ReplicaError.notAllowed(.createdCustomerIsYours(user: settings.user))
            }
        }
        do {
            try EntitySchema.for(type).validate(fields, requireAll: true)
        } catch {
            throw ReplicaError.invalid(error)
        }
        return try queue.write { db in
            let settings = try Self.loadSettings(db)
            if type == .visit { try Self.checkSurvey(db, fields) }
            var recordBranch = branch ?? settings?.branch ?? "HQ"
            if type != .customer, case .string(let customerID)? = fields["customer"] {
                guard let customer = try Self.load(db, RecordID(unchecked: customerID)), customer.type == .customer, !customer.isDeleted else {
                    throw ReplicaError.unknownCustomer(customerID)
                }
                recordBranch = customer.branch
            }
            guard Branch.isValid(recordBranch) else { throw ReplicaError.notAllowed(.invalidBranch(recordBranch)) }
            if let scope = settings?.scope, !scope.canWrite(branch: recordBranch), !(scope.role == .sales && type != .customer) {
                throw ReplicaError.notAllowed(.createInBranch(role: scope.role, branch: recordBranch))
            }
            guard try Self.load(db, id) == nil else { throw ReplicaError.notAllowed(.alreadyExists(id)) }
            if type == .customer, case .string(let code)? = fields["code"] { try Self.checkCodeUnique(db, code: code, except: id) }
            let node = try currentNode(db)
            let record = Record.create(id: id, type: type, branch: recordBranch, fields: fields, node: node, at: try tick(db))
            try Self.store(db, record)
            try Self.enqueue(db, record, ackedCounter: 0)
            return record
        }
    }

    /// Edits fields of a record (`.null` clears an optional field). Editing a field in conflict resolves it.
    @discardableResult
    public func update(_ id: RecordID, fields: [String: JSONValue]) throws -> Record {
        try mutate(id) { record, db, stamp, node in
            do throws(ValidationError) {
                try EntitySchema.for(record.type).validate(fields, requireAll: false)
            } catch {
                throw ReplicaError.invalid(error)
            }
            if record.type == .customer, fields["owner"] != nil || fields["sharedWith"] != nil,
               let scope = try Self.loadSettings(db)?.scope, !scope.canAssign(branch: record.branch) {
                throw ReplicaError.notAllowed(.changeOwnership)
            }
            if record.type == .visit { try Self.checkSurvey(db, fields) }
            if fields["customer"] != nil, fields["customer"] != record.value(of: "customer") {
                throw ReplicaError.notAllowed(.moveToAnotherCustomer(record.type))
            }
            if record.type == .customer, case .string(let code)? = fields["code"] { try Self.checkCodeUnique(db, code: code, except: id) }
            try Self.checkIssuedCodeUnchanged(db, record, fields)
            do {
                try record.write(fields, node: node, at: stamp)
            } catch {
                throw ReplicaError.deleted(id)
            }
        }
    }

    /// Refuses a visit `survey` answering a question the stored policy document does not ask.
    static func checkSurvey(_ db: Database, _ fields: [String: JSONValue]) throws {
        guard fields["survey"]?.objectValue != nil else { return }
        let policy = try policy(db)
        do throws(ValidationError) {
            try policy.checkSurvey(in: fields)
        } catch {
            throw ReplicaError.invalid(error)
        }
    }

    /// Deletes a record (kept as a tombstone so the delete syncs; fields stay for a possible restore).
    @discardableResult
    public func delete(_ id: RecordID) throws -> Record {
        try mutate(id, lifecycle: true) { record, _, stamp, node in try record.delete(node: node, at: stamp) }
    }

    /// Restores a deleted record.
    @discardableResult
    public func restore(_ id: RecordID) throws -> Record {
        try mutate(id, lifecycle: true) { record, _, stamp, node in try record.restore(node: node, at: stamp) }
    }

    /// Resolves a field conflict by choosing one of its siblings (index in ``Conflict/field(name:siblings:)`` order)
    /// or by writing a new value.
    @discardableResult
    public func resolve(_ id: RecordID, field: String, choice: ResolutionChoice) throws -> Record {
        try mutate(id) { record, db, stamp, node in
            guard let register = record.fields[field], register.isConflicted else {
                throw ReplicaError.nothingToResolve(.noConflict(field: field, record: id))
            }
            let value: JSONValue
            switch choice {
            case .sibling(let index):
                let siblings = register.distinctValues  // the order of Conflict.field(name:siblings:)
                guard siblings.indices.contains(index) else {
                    throw ReplicaError.nothingToResolve(.choiceOutOfRange(field: field, choices: siblings.count))
                }
                value = siblings[index].value
            case .value(let newValue):
                if let schema = EntitySchema.for(record.type).field(field) {
                    do throws(ValidationError) { try EntitySchema.for(record.type).validate(newValue, for: schema) } catch { throw ReplicaError.invalid(error) }
                }
                if record.type == .visit { try Self.checkSurvey(db, [field: newValue]) }
                value = newValue
            }
            do {
                try record.resolve(field: field, with: value, node: node, at: stamp)
            } catch {
                throw ReplicaError.deleted(id)
            }
        }
    }

    /// How a field conflict is resolved.
    public enum ResolutionChoice: Sendable, Hashable {
        /// Keep the sibling at this index (0 = the provisional winner).
        case sibling(Int)
        /// Write a new value.
        case value(JSONValue)
    }

    private func mutate(_ id: RecordID, lifecycle: Bool = false, _ change: (inout Record, Database, HybridTimestamp, NodeID) throws -> Void) throws -> Record {
        try queue.write { db in
            guard var record = try Self.load(db, id) else { throw ReplicaError.notFound(id.rawValue) }
            if let scope = try Self.loadSettings(db)?.scope {
                guard scope.canWrite(branch: record.branch) || scope.role == .sales else {
                    throw ReplicaError.notAllowed(.changeInBranch(role: scope.role, branch: record.branch))
                }
                if lifecycle && !scope.canDelete(branch: record.branch) {
                    throw ReplicaError.notAllowed(.deleteOrRestore(role: scope.role))
                }
            }
            let before = record
            let node = try currentNode(db)
            try change(&record, db, try tick(db), node)
            guard record != before else { return record }
            try Self.store(db, record, replacing: before)
            try Self.enqueue(db, record, ackedCounter: before.clock[node])
            return record
        }
    }

    private static func checkCodeUnique(_ db: Database, code: String, except id: RecordID) throws {
        if let existing: String = try db.fetchScalar(
            sql: "SELECT id FROM records WHERE type = 'customer' AND code = ? AND id != ? AND deleted = 0 LIMIT 1",
            arguments: [code, id.rawValue])
        {
            throw ReplicaError.duplicateCode(code: code, existing: RecordID(unchecked: existing))
        }
    }

    /// The node id stored in the database, read inside the caller's transaction (so a write never
    /// uses an id another transaction has just replaced).
    func currentNode(_ db: Database) throws -> NodeID {
        guard let text = try Self.meta(db, "node") else { throw ReplicaError.corrupt("the replica has no node id") }
        let node = NodeID(unchecked: text)
        nodeCache.value = node
        return node
    }

    /// Issues the next hybrid timestamp and persists the clock.
    ///
    /// A clock more than ``HybridClock/defaultMaximumDrift`` ahead of the wall clock was set while
    /// the device's date was wrong (pulled timestamps that far ahead are never observed): it is
    /// dropped, so once the date is fixed new edits are stamped now instead of in the wrong future
    /// forever (each refused by the server with 422 `clock_ahead`). HLCs only order siblings.
    private func tick(_ db: Database) throws -> HybridTimestamp {
        let wall = wallClock()
        var clock = try Self.hybridClock(db)
        let (limit, overflow) = wall.addingReportingOverflow(HybridClock.defaultMaximumDrift)
        if !overflow && clock.last.millis > limit { clock = HybridClock() }
        let stamp = clock.now(wallMillis: wall)
        try Self.saveHybridClock(db, clock)
        return stamp
    }

    static func hybridClock(_ db: Database) throws -> HybridClock {
        guard let text = try meta(db, "hlc"), let dot = text.firstIndex(of: "."),
            let millis = Int64(text[..<dot]), let logical = UInt32(text[text.index(after: dot)...])
        else { return HybridClock() }
        return HybridClock(last: HybridTimestamp(millis: millis, logical: logical))
    }

    static func saveHybridClock(_ db: Database, _ clock: HybridClock) throws {
        try setMeta(db, "hlc", "\(clock.last.millis).\(clock.last.logical)")
    }

    /// Stores records as if received from the server (not queued for pushing), in one
    /// transaction; records whose id is already stored are left as they are. For loading large
    /// replicas quickly (benchmarks, bulk imports of server data).
    public func storeReceived(_ records: [Record]) throws {
        try queue.write { db in
            for record in records { _ = try Self.insertIfNew(db, record, state: nil, modified: record.lastModified) }
        }
    }

    // MARK: Reading

    /// The record with this id, or `nil`.
    public func record(_ id: RecordID) throws -> Record? {
        try queue.read { db in try Self.load(db, id) }
    }

    /// Records of a type, ordered by label (name, time or content), live ones only unless `includeDeleted`.
    public func records(_ type: EntityType, customer: RecordID? = nil, includeDeleted: Bool = false) throws -> [Record] {
        try queue.read { db in
            // A customer's records through the customer index (not the whole type's label index).
            var sql = "SELECT id, state FROM records" + (customer == nil ? "" : " INDEXED BY records_by_customer") + " WHERE type = ?"
            var arguments: [DatabaseValue] = [.text(type.rawValue)]
            if let customer {
                sql += " AND customer = ?"
                arguments.append(.text(customer.rawValue))
            }
            if !includeDeleted { sql += " AND deleted = 0" }
            sql += " ORDER BY label, id"
            return try db.fetchAll(sql: sql, arguments: StatementArguments(arguments)).map(Self.decode)
        }
    }

    /// Calls `body` with each record of a type in the order of ``records(_:customer:includeDeleted:)``
    /// and the code of its customer (for contacts, visits and complaints whose customer the replica
    /// holds; the short id when that customer has no code), reading them one at a time (through the
    /// label index) so memory stays flat however many records the replica holds. `body` runs while
    /// the replica is being read: it must not use this replica.
    public func forEachRecord(_ type: EntityType, customer: RecordID? = nil, includeDeleted: Bool = false,
                              _ body: (_ record: Record, _ customerCode: String?) throws -> Void) throws {
        try queue.read { db in
            var sql = """
                SELECT r.id, r.state, c.id, c.code FROM records r \(customer == nil ? "" : "INDEXED BY records_by_customer")
                LEFT JOIN records c ON c.id = r.customer AND c.type = 'customer' WHERE r.type = ?
                """
            var arguments: [DatabaseValue] = [.text(type.rawValue)]
            if let customer {
                sql += " AND r.customer = ?"
                arguments.append(.text(customer.rawValue))
            }
            if !includeDeleted { sql += " AND r.deleted = 0" }
            sql += " ORDER BY r.label, r.id"
            try Self.streaming(db) {
                try db.makeStatement(sql: sql).forEachRow(arguments: StatementArguments(arguments)) { row in
                    try body(try Self.decode(statement: row), Self.customerCode(row))
                }
            }
        }
    }

    /// The customer code in columns 2 (customer id) and 3 (code) of a row: `nil` without a
    /// customer, its short id when it has no code.
    static func customerCode(_ row: Statement) -> String? {
        row.isNull(at: 2) ? nil : row.isNull(at: 3) ? String(row.text(at: 2).prefix(8)) : row.text(at: 3)
    }

    /// Runs a long read with a small page cache (a scan would otherwise fill the whole cache).
    static func streaming<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        let previous: Int = try db.fetchScalar(sql: "PRAGMA cache_size") ?? -2_000
        try db.execute(sql: "PRAGMA cache_size = -2048")
        defer { try? db.execute(sql: "PRAGMA cache_size = \(previous)") }
        return try body()
    }

    /// The code of each of these customers that the replica holds (deleted ones included), by id;
    /// a customer without a code is named by the short form of its id. Reads one row per id.
    public func customerCodes<S: Sequence>(of ids: S) throws -> [RecordID: String] where S.Element == RecordID {
        try queue.read { db in
            var codes: [RecordID: String] = [:]
            let statement = try db.cachedStatement(sql: "SELECT code FROM records WHERE id = ? AND type = 'customer'")
            for id in Set(ids) where codes[id] == nil {
                try statement.forEachRow(arguments: [id.rawValue]) { row in
                    codes[id] = row.isNull(at: 0) ? String(id.rawValue.prefix(8)) : row.text(at: 0)
                }
            }
            return codes
        }
    }

    /// The number of live records of `type` belonging to `customer` (through the customer index).
    public func count(_ type: EntityType, customer: RecordID) throws -> Int {
        try queue.read { db in
            try db.fetchScalar(sql: "SELECT COUNT(*) FROM records WHERE customer = ? AND type = ? AND deleted = 0",
                               arguments: [customer.rawValue, type.rawValue]) ?? 0
        }
    }

    /// Finds records whose id starts with `prefix` (at least 4 characters) or, for customers, whose code equals it.
    public func find(_ key: String, type: EntityType? = nil) throws -> [Record] {
        try queue.read { db in
            var results: [Record] = []
            let lowered = key.lowercased()
            if lowered.count >= 4 {
                let rows = try db.fetchAll(sql: "SELECT id, state FROM records WHERE id >= ? AND id < ? ORDER BY id LIMIT 10",
                                           arguments: [lowered, lowered + "\u{7f}"])
                results = try rows.map(Self.decode)
            }
            if results.isEmpty {
                let rows = try db.fetchAll(sql: "SELECT id, state FROM records WHERE type = 'customer' AND code = ? ORDER BY deleted, id",
                                           arguments: [key])
                results = try rows.map(Self.decode)
            }
            if let type { results = results.filter { $0.type == type } }
            return results
        }
    }

    /// Records holding unresolved conflicts.
    public func conflictedRecords() throws -> [Record] {
        try queue.read { db in
            try db.fetchAll(sql: "SELECT id, state FROM records WHERE conflicted = 1 ORDER BY type, label, id").map(Self.decode)
        }
    }

    /// The number of records in conflict.
    public func conflictCount() throws -> Int {
        try queue.read { db in try db.fetchScalar(sql: "SELECT COUNT(*) FROM records WHERE conflicted = 1") ?? 0 }
    }

    /// The number of local edits (records) waiting to be pushed.
    public func pendingChangeCount() throws -> Int {
        try queue.read { db in try db.fetchScalar(sql: "SELECT COUNT(*) FROM outbox") ?? 0 }
    }

    /// A summary for status displays.
    public func status() throws -> ReplicaStatus {
        try queue.read { db in
            ReplicaStatus(
                node: node, settings: try Self.loadSettings(db),
                pendingChanges: try db.fetchScalar(sql: "SELECT COUNT(*) FROM outbox") ?? 0,
                refusedChanges: try db.fetchScalar(sql: "SELECT COUNT(*) FROM refused") ?? 0,
                conflicts: try db.fetchScalar(sql: "SELECT COUNT(*) FROM records WHERE conflicted = 1") ?? 0,
                records: try db.fetchScalar(sql: "SELECT COUNT(*) FROM records") ?? 0,
                lastSyncMillis: try Self.meta(db, "last_sync").flatMap { Int64($0) },
                setAside: try db.fetchScalar(sql: "SELECT COUNT(*) FROM set_aside") ?? 0)
        }
    }

    // MARK: Storage of records

    /// The replica's record table (envelopes in `state`, plus indexed columns written by ``store(_:_:)``).
    static let records = RecordTable("records")

    static func load(_ db: Database, _ id: RecordID) throws -> Record? {
        do {
            return try records.load(db, id)
        } catch let error as RecordTableError {
            throw ReplicaError.corrupt(error.description)
        }
    }

    /// Decodes a row of `SELECT id, state …`.
    static func decode(_ row: Row) throws -> Record {
        guard let id: String = row[0], let state: String = row[1] else { throw ReplicaError.corrupt("a record row is incomplete") }
        do {
            return try RecordTable.decode(state, id: RecordID(unchecked: id))
        } catch let error as RecordTableError {
            throw ReplicaError.corrupt(error.description)
        }
    }

    /// Decodes the current row of a `SELECT id, state …` statement, reading the state in place.
    static func decode(statement row: Statement) throws -> Record {
        guard !row.isNull(at: 0), !row.isNull(at: 1) else { throw ReplicaError.corrupt("a record row is incomplete") }
        let id = RecordID(unchecked: row.text(at: 0))
        do {
            return try row.withUnsafeBlob(at: 1) { try RecordTable.decode($0, id: id) }
        } catch let error as RecordTableError {
            throw ReplicaError.corrupt(error.description)
        }
    }

    /// Stores `record` over its stored version `previous` writing only the columns that changed,
    /// so indexes whose columns keep their values are not rewritten (a local edit then touches
    /// one page of the table instead of one page of every index as well).
    static func store(_ db: Database, _ record: Record, replacing previous: Record) throws {
        let new = RecordSummary(record), old = RecordSummary(previous)
        guard new.id == old.id, new.type == old.type, new.branch == old.branch, new.customer == old.customer else {
            return try store(db, record)
        }
        var assignments = ["state = ?", "modified = ?"]
        var values: [DatabaseValue] = []
        func text(_ value: String?) -> DatabaseValue { value.map { .text($0) } ?? .null }
        func integer(_ value: Int64?) -> DatabaseValue { value.map { .integer($0) } ?? .null }
        if new.isDeleted != old.isDeleted { assignments.append("deleted = ?"); values.append(.integer(new.isDeleted ? 1 : 0)) }
        if new.hasConflicts != old.hasConflicts { assignments.append("conflicted = ?"); values.append(.integer(new.hasConflicts ? 1 : 0)) }
        if new.code != old.code { assignments.append("code = ?"); values.append(text(new.code)) }
        if new.label != old.label { assignments.append("label = ?"); values.append(.text(new.label)) }
        if new.policyTime != old.policyTime { assignments.append("policy_time = ?"); values.append(integer(new.policyTime)) }
        if new.owner != old.owner { assignments.append("owner = ?"); values.append(text(new.owner)) }
        if new.tier != old.tier { assignments.append("tier = ?"); values.append(text(new.tier)) }
        if new.status != old.status { assignments.append("status = ?"); values.append(text(new.status)) }
        if new.nameKey != old.nameKey { assignments.append("name_key = ?"); values.append(text(new.nameKey)) }
        let due = try dueTime(db, new) { record }
        if due != (try dueTime(db, old) { previous }) { assignments.append("due_time = ?"); values.append(integer(due)) }
        let statement = try db.cachedStatement(sql: "UPDATE records SET \(assignments.joined(separator: ", ")) WHERE id = ?")
        let json = record.canonicalJSON()
        defer { statement.reset() }
        try json.withUnsafeBytes { try statement.bindText($0, at: 1) }
        try statement.bind(new.lastModified.millis, at: 2)
        for (offset, value) in values.enumerated() { try statement.bind(value, at: 3 + offset) }
        try statement.bind(new.id.rawValue, at: 3 + values.count)
        while try statement.step() {}
        if db.changesCount != 1 { return try store(db, record) }
        if new.type == .visit, new.policyTime != old.policyTime || new.isDeleted != old.isDeleted, let customer = new.customer {
            try refreshVisitDue(db, customer: customer)
        }
    }

    static func store(_ db: Database, _ record: Record) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO records(id, type, branch, state, deleted, conflicted, code, customer, label, modified, policy_time,
                                owner, tier, status, name_key, due_time)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET state = excluded.state, deleted = excluded.deleted,
              conflicted = excluded.conflicted, code = excluded.code, customer = excluded.customer, label = excluded.label,
              modified = excluded.modified, policy_time = excluded.policy_time, owner = excluded.owner, tier = excluded.tier,
              status = excluded.status, name_key = excluded.name_key, due_time = excluded.due_time
            """)
        try execute(db, statement, record, state: nil, modified: nil)
    }

    /// Inserts a record unless one with its id exists; returns `false` when it exists.
    /// `state` is the envelope's JSON as received (UTF-8), or `nil` to encode `record`.
    static func insertIfNew(_ db: Database, _ record: Record, state: ArraySlice<UInt8>?, modified: HybridTimestamp? = nil) throws -> Bool {
        if let state {
            return try insertIfNew(db, RecordSummary(record), state: state)
        }
        let statement = try insertIfNewStatement(db)
        return try execute(db, statement, record, state: nil, modified: modified)
    }

    /// Inserts a record given its summary and its envelope's JSON (UTF-8) unless one with its id
    /// exists; returns `false` when it exists.
    static func insertIfNew(_ db: Database, _ summary: RecordSummary, state: ArraySlice<UInt8>) throws -> Bool {
        let statement = try insertIfNewStatement(db)
        return try state.withUnsafeBytes { bytes in
            let due = try dueTime(db, summary) { try RecordTable.decode(bytes, id: summary.id) }
            return try execute(db, statement, summary, state: bytes, due: due)
        }
    }

    private static func insertIfNewStatement(_ db: Database) throws -> Statement {
        try db.cachedStatement(sql: """
            INSERT INTO records(id, type, branch, state, deleted, conflicted, code, customer, label, modified, policy_time,
                                owner, tier, status, name_key, due_time)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING
            """)
    }

    /// Binds a record's row (id, type, branch, state, flags, index columns, modified, due time) and
    /// runs the statement; returns `true` when a row was written.
    @discardableResult
    private static func execute(_ db: Database, _ statement: Statement, _ record: Record, state: ArraySlice<UInt8>?,
                                modified: HybridTimestamp?) throws -> Bool {
        var summary = RecordSummary(record)
        if let modified { summary.lastModified = modified }
        let due = try dueTime(db, summary) { record }
        if let state {
            return try state.withUnsafeBytes { try execute(db, statement, summary, state: $0, due: due) }
        } else {
            return try record.canonicalJSON().withUnsafeBytes { try execute(db, statement, summary, state: $0, due: due) }
        }
    }

    private static func execute(_ db: Database, _ statement: Statement, _ summary: RecordSummary, state: UnsafeRawBufferPointer,
                                due: Int64?) throws -> Bool {
        do {
            defer { statement.reset() }
            try statement.bind(summary.id.rawValue, at: 1)
            try statement.bind(summary.type.rawValue, at: 2)
            try statement.bind(summary.branch, at: 3)
            try statement.bindText(state, at: 4)
            try statement.bind(summary.isDeleted, at: 5)
            try statement.bind(summary.hasConflicts, at: 6)
            try statement.bind(summary.code, at: 7)
            try statement.bind(summary.customer, at: 8)
            try statement.bind(summary.label, at: 9)
            try statement.bind(summary.lastModified.millis, at: 10)
            try statement.bind(summary.policyTime, at: 11)
            try statement.bind(summary.owner, at: 12)
            try statement.bind(summary.tier, at: 13)
            try statement.bind(summary.status, at: 14)
            try statement.bind(summary.nameKey, at: 15)
            try statement.bind(due, at: 16)
            while try statement.step() {}
        }
        guard db.changesCount == 1 else { return false }
        // A visit's completion moves its customer's next due visit.
        if summary.type == .visit, let customer = summary.customer { try refreshVisitDue(db, customer: customer) }
        return true
    }
}


/// The replica's node id, readable from any thread.
final class NodeCache: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: NodeID

    init(_ node: NodeID) { stored = node }

    var value: NodeID {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
