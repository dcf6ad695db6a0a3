import OutpostJSON
import OutpostModel

/// The CRM on one device, for apps: local records you can edit offline, and sync when online.
///
/// An actor, so database work runs off the caller's thread (e.g. the main actor of an app).
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
        try client.replica.configure(ReplicaSettings(serverURL: serverURL, token: token, user: session.user,
                                                     role: session.role, branch: session.branch, serverID: session.serverID))
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
    /// - Throws: ``SyncError/notConfigured`` before ``connect(databasePath:serverURL:token:transport:)``.
    public func sync(progress: @Sendable (SyncProgress) -> Void = { _ in }) async throws -> SyncReport {
        guard let settings = try replica.settings() else { throw SyncError.notConfigured }
        let transport = try self.transport ?? HTTPTransport(baseURL: settings.serverURL)
        let engine = SyncEngine(replica: replica, api: SyncAPI(transport: transport, token: settings.token))
        return try await engine.sync(progress: progress)
    }
}
