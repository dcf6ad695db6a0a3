/// Where a running sync is, reported as it goes so a UI can show progress.
public struct SyncProgress: Sendable, Hashable {
    /// The phase of a sync.
    public enum Phase: String, Sendable, Hashable {
        /// Sending local edits.
        case pushing
        /// Receiving changes from the server.
        case pulling
        /// Finished.
        case done
    }

    /// The current phase.
    public var phase: Phase
    /// Local edits sent and acknowledged so far.
    public var pushed: Int
    /// Local edits waiting when the sync started.
    public var toPush: Int
    /// Records received and applied so far.
    public var pulled: Int

    /// Creates a progress value.
    public init(phase: Phase, pushed: Int, toPush: Int, pulled: Int) {
        self.phase = phase
        self.pushed = pushed
        self.toPush = toPush
        self.pulled = pulled
    }
}

/// What a finished sync did.
public struct SyncReport: Sendable, Hashable {
    /// Records pushed and acknowledged.
    public var pushed: Int = 0
    /// Pushed records the server stored as sent.
    public var accepted: Int = 0
    /// Pushed records merged with concurrent edits without conflict.
    public var merged: Int = 0
    /// Pushed records that ended in conflict on the server.
    public var conflicted: Int = 0
    /// Records the server refused (kept locally, see ``Replica/refusedEdits()``).
    public var refused: Int = 0
    /// Records received from the server.
    public var pulled: Int = 0
    /// Records in conflict locally after the sync.
    public var conflictsAfter: Int = 0
    /// Times this replica took a new node id because another copy of it (a copied file or a
    /// restored backup) had synchronised under the same id; its unsent edits were re-stamped.
    public var nodeChanges: Int = 0
    /// Records re-offered to a server restored from a backup (recovery sync).
    public var recovered: Int = 0
    /// The version of the policy document the replica holds after the sync (0: built-in defaults).
    public var policyVersion: Int64 = 0
    /// Customer codes leased to this device in this sync.
    public var codesLeased: Int64 = 0
    /// Why the server's policy document was not taken (the stored one stays in force), if it was not.
    public var policyProblem: String?

    /// Creates an empty report.
    public init() {}
}
