import Foundation
import OutpostJSON
import OutpostModel

/// The CRM on one device, for apps: local records you can edit offline, and sync when online.
///
/// An actor whose work runs on the replica's own serial queue (``Replica/executor``): database
/// work happens neither on the caller's thread (e.g. the main actor of an app) nor on Swift
/// concurrency's shared threads. Concurrent ``sync(progress:)`` calls collapse into one;
/// ``observe(tracking:outbox:_:)`` and ``syncStatus()`` deliver changes as they happen;
/// ``startSyncing(policy:)`` syncs by itself.
///
/// ```swift
/// let client = try await OfflineClient.connect(databasePath: path, serverURL: "https://sync.example.com",
///                                               token: token)
/// let acme = try await client.create(.customer, fields: ["code": "C-1", "name": "Acme",
///                                                         "kind": "enterprise", "tier": "core"])
/// let report = try await client.sync { progress in print(progress.phase, progress.pulled) }
/// for record in try await client.conflictedRecords() { … }
/// ```
public actor OfflineClient {
    /// The local replica.
    public nonisolated let replica: Replica
    private let transport: (any SyncTransport)?
    /// The HTTP transport made from the stored server URL, kept between syncs.
    private var httpTransport: (url: String, transport: HTTPTransport)?
    /// The sync running now, which later callers join.
    private var runningSync: RunningSync?
    private var nextSyncID: UInt64 = 0
    /// Automatic sync, while started.
    var scheduler: SyncScheduler?
    /// The sync status and its observers.
    nonisolated let statusBroadcaster = SyncStatusBroadcaster()

    /// The actor's jobs run on the replica's database queue.
    public nonisolated var unownedExecutor: UnownedSerialExecutor { replica.executor.asUnownedSerialExecutor() }

    /// Opens the replica at `databasePath`. Pass a `transport` to sync through it (e.g. an
    /// ``InProcessTransport``); otherwise the stored server URL is used over HTTP.
    public init(databasePath: String, transport: (any SyncTransport)? = nil) throws {
        replica = try Replica(path: databasePath)
        self.transport = transport
    }

    /// Opens the replica and signs in: checks `token` with the server and stores the settings.
    /// Nothing is stored when the server refuses the token or cannot be reached, or when the
    /// replica holds another user's records (``ReplicaError/belongsToAnotherUser(user:records:pendingChanges:)``:
    /// keep one replica per user).
    public static func connect(databasePath: String, serverURL: String, token: String,
                               transport: (any SyncTransport)? = nil) async throws -> OfflineClient {
        let transport = try transport ?? HTTPTransport(baseURL: serverURL)
        // Throws SyncError.unsupportedProtocol when the app and the server share no protocol version.
        let session = try await SyncAPI(transport: transport, token: token).session()
        let client = try OfflineClient(databasePath: databasePath, transport: transport)
        let replica = client.replica
        try await replica.executor.run {
            try replica.configure(ReplicaSettings(serverURL: serverURL, token: token, user: session.user,
                                                  role: session.role, branch: session.branch, serverID: session.serverID))
        }
        return client
    }

    // MARK: Editing

    /// Creates a record (see ``Replica/create(_:fields:branch:id:)``).
    @discardableResult
    public func create(_ type: EntityType, fields: [String: JSONValue], branch: String? = nil) throws -> Record {
        try replica.create(type, fields: fields, branch: branch)
    }

    /// Edits fields of a record (`.null` clears an optional field).
    @discardableResult
    public func update(_ id: RecordID, fields: [String: JSONValue]) throws -> Record {
        try replica.update(id, fields: fields)
    }

    /// Deletes a record (restorable).
    @discardableResult
    public func delete(_ id: RecordID) throws -> Record { try replica.delete(id) }

    /// Restores a deleted record.
    @discardableResult
    public func restore(_ id: RecordID) throws -> Record { try replica.restore(id) }

    /// Resolves a field conflict.
    @discardableResult
    public func resolve(_ id: RecordID, field: String, choice: Replica.ResolutionChoice) throws -> Record {
        try replica.resolve(id, field: field, choice: choice)
    }

    // MARK: Reading

    /// One record, or `nil`.
    public func record(_ id: RecordID) throws -> Record? { try replica.record(id) }

    /// Records of a type (live ones unless `includeDeleted`).
    public func records(_ type: EntityType, customer: RecordID? = nil, includeDeleted: Bool = false) throws -> [Record] {
        try replica.records(type, customer: customer, includeDeleted: includeDeleted)
    }

    /// Records with unresolved conflicts.
    public func conflictedRecords() throws -> [Record] { try replica.conflictedRecords() }

    /// Pending edits, conflicts, last sync.
    public func status() throws -> ReplicaStatus { try replica.status() }

    // MARK: CRM policies

    /// Customers due for a visit at `now` (UTC ms), the longest-waiting first
    /// (see ``Replica/customersDueForVisit(now:)``).
    public func customersDueForVisit(now: Int64) throws -> [VisitDue] { try replica.customersDueForVisit(now: now) }

    /// Open complaints past their deadline at `now` (UTC ms), the oldest deadline first
    /// (see ``Replica/overdueComplaints(now:)``).
    public func overdueComplaints(now: Int64) throws -> [(complaint: Record, deadline: ComplaintDeadline)] {
        try replica.overdueComplaints(now: now)
    }

    /// Live customers sharing a code (chosen offline on two devices), for a person to rename one.
    public func duplicateCustomerCodes() throws -> [(code: String, customers: [RecordID])] {
        try replica.duplicateCustomerCodes()
    }

    // MARK: Syncing

    /// Pushes local edits, then pulls until caught up. Safe to cancel or kill at any point.
    ///
    /// Calls made while a sync runs join it: they wait for its result (and receive its progress)
    /// instead of starting another, so a batch is never pushed twice and the cursor never moves
    /// backwards. Edits made during a sync may go out with the next one. Cancelling a caller
    /// stops the shared sync only when no other caller waits for it.
    ///
    /// - Throws: ``SyncError/notConfigured`` before ``connect(databasePath:serverURL:token:transport:)``.
    public func sync(progress: @escaping @Sendable (SyncProgress) -> Void = { _ in }) async throws -> SyncReport {
        let running: RunningSync
        if let current = runningSync {
            running = current
        } else {
            nextSyncID += 1
            running = RunningSync(id: nextSyncID)
            runningSync = running
            running.task = Task { try await self.performSync(running) }
        }
        let listener = running.listeners.add(progress)
        running.waiters += 1
        defer { running.listeners.remove(listener) }
        let task = running.task!, id = running.id
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            Task { await self.leaveSync(id) }
        }
    }

    /// The number of syncs started so far (joined calls count once).
    public var syncsStarted: UInt64 { nextSyncID }

    /// The callers waiting for the sync running now (0 when none runs).
    public var waitingSyncCallers: Int { runningSync?.waiters ?? 0 }

    private func leaveSync(_ id: UInt64) {
        guard let running = runningSync, running.id == id else { return }
        running.waiters -= 1
        if running.waiters <= 0 { running.task?.cancel() }
    }

    private func performSync(_ running: RunningSync) async throws -> SyncReport {
        defer { runningSync = nil }
        statusBroadcaster.set(.syncing(nil))
        do {
            let engine = SyncEngine(replica: replica, api: try api())
            let status = statusBroadcaster, listeners = running.listeners
            let report = try await engine.sync { progress in
                status.set(.syncing(progress))
                listeners.call(progress)
            }
            statusBroadcaster.set(.idle)
            return report
        } catch {
            statusBroadcaster.set(.failed(error))
            throw error
        }
    }

    /// The server API with the stored token, through the given transport or HTTP to the stored URL.
    func api() throws -> SyncAPI {
        guard let settings = try replica.settings() else { throw SyncError.notConfigured }
        if let transport { return SyncAPI(transport: transport, token: settings.token) }
        if let cached = httpTransport, cached.url == settings.serverURL {
            return SyncAPI(transport: cached.transport, token: settings.token)
        }
        let made = try HTTPTransport(baseURL: settings.serverURL)
        httpTransport = (settings.serverURL, made)
        return SyncAPI(transport: made, token: settings.token)
    }
}

/// A sync in flight and who waits for it.
final class RunningSync {
    let id: UInt64
    var task: Task<SyncReport, any Error>?
    var waiters = 0
    let listeners = ProgressListeners()

    init(id: UInt64) { self.id = id }
}

/// The progress callbacks of the callers waiting for one sync.
final class ProgressListeners: @unchecked Sendable {
    // Safety: `handlers` and `next` are only touched with `lock` held.
    private let lock = NSLock()
    private var handlers: [Int: @Sendable (SyncProgress) -> Void] = [:]
    private var next = 0

    func add(_ handler: @escaping @Sendable (SyncProgress) -> Void) -> Int {
        lock.withLock {
            next += 1
            handlers[next] = handler
            return next
        }
    }

    func remove(_ id: Int) { _ = lock.withLock { handlers.removeValue(forKey: id) } }

    func call(_ progress: SyncProgress) {
        for handler in lock.withLock({ Array(handlers.values) }) { handler(progress) }
    }
}
