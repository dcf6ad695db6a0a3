import OutpostModel

/// The server and user this replica syncs with, stored in the replica.
public struct ReplicaSettings: Sendable, Hashable {
    /// The server's base URL.
    public var serverURL: String
    /// The bearer token.
    public var token: String
    /// The user the token belongs to.
    public var user: String
    /// The user's role.
    public var role: Role
    /// The user's home branch (new records are created there).
    public var branch: String
    /// The id of the server database the cursor belongs to.
    public var serverID: String

    /// Creates settings.
    public init(serverURL: String, token: String, user: String, role: Role, branch: String, serverID: String) {
        self.serverURL = serverURL
        self.token = token
        self.user = user
        self.role = role
        self.branch = branch
        self.serverID = serverID
    }

    /// The access scope of the signed-in user.
    public var scope: AccessScope { AccessScope(role: role, branch: branch, user: user) }
}

/// A summary of the replica for `status` displays.
public struct ReplicaStatus: Sendable, Hashable {
    /// This replica's node id.
    public var node: NodeID
    /// Settings, when configured.
    public var settings: ReplicaSettings?
    /// Local edits not yet acknowledged by the server.
    public var pendingChanges: Int
    /// Local edits the server refused; see ``Replica/refusedEdits()``.
    public var refusedChanges: Int
    /// Records holding unresolved conflicts.
    public var conflicts: Int
    /// Records stored (including deleted ones).
    public var records: Int
    /// When the last sync finished (UTC milliseconds), if ever.
    public var lastSyncMillis: Int64?
    /// Records set aside after they left this device's scope with unsent edits; see ``Replica/setAsideRecords()``.
    public var setAside: Int = 0
}

/// A local edit the server refused. The record keeps the edit locally; editing it again retries.
public struct RefusedEdit: Sendable, Hashable {
    /// The record.
    public var record: RecordID
    /// The server's error code (`forbidden`, `invalid_record`, …).
    public var code: String
    /// The server's explanation.
    public var message: String
}

/// A batch of outbox entries recorded before sending, so a retry re-sends the same batch.
public struct PendingBatch: Sendable, Hashable {
    /// The push request (batch id and record versions).
    public var request: PushRequest
    /// The outbox entries it covers: record id and its edit number at the time of batching.
    public var entries: [Entry]
    /// `true` for a batch of a recovery sync (records re-offered to a restored server, SPEC §11.1):
    /// acknowledging it leaves the outbox as it is.
    public var isRecovery: Bool

    /// Creates a batch description.
    public init(request: PushRequest, entries: [Entry], isRecovery: Bool = false) {
        self.request = request
        self.entries = entries
        self.isRecovery = isRecovery
    }

    /// One outbox entry.
    public struct Entry: Sendable, Hashable {
        /// The record.
        public var record: RecordID
        /// The record's outbox edit number when the batch was made (for a relay: the record's local seq).
        public var outboxSeq: Int64

        /// Creates an entry.
        public init(record: RecordID, outboxSeq: Int64) {
            self.record = record
            self.outboxSeq = outboxSeq
        }
    }
}
