/// Protocol constants shared by server and client. See `Protocol/SPEC.md`.
public enum SyncProtocol {
    /// The protocol versions this build speaks, oldest first.
    public static let supportedVersions: [Int] = [2]
    /// The version this build prefers.
    public static let currentVersion = 2
    /// The request/response header that carries the protocol version.
    public static let versionHeader = "Outpost-Protocol"
    /// The most records one push batch may hold.
    public static let maxBatchRecords = 1_000
    /// The default and maximum number of records in one pull page.
    public static let defaultPageRecords = 1_000
    /// The largest pull page a client may ask for.
    public static let maxPageRecords = 5_000
    /// The longest a pull may ask the server to hold it open waiting for changes (`wait`, SPEC §9.3).
    public static let maxPullWaitSeconds = 60
}

/// The outcome of one pushed record.
public enum PushStatus: String, Sendable, Hashable {
    /// The server had nothing the pushed version had not seen: stored as sent (or already stored).
    case accepted
    /// The server held concurrent writes; the versions were merged without conflict.
    case merged
    /// The merged version holds conflicts for a person to resolve.
    case conflict
}
