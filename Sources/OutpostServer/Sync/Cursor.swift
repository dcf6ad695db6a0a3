import OutpostModel

/// The pull cursor: `<serverId>.<epoch>.<seq>.<generation>` (the generation was added for
/// scope changes, SPEC §11.2; a cursor without it is of generation 0). Opaque to clients; tied to one server database
/// and one epoch of it, so a cursor from a replaced server is refused (400 `invalid_cursor`) and
/// one from before a restore asks for a recovery sync (409 `recovery_required`) instead of
/// silently skipping changes.
///
/// ```swift
/// let cursor = Cursor(serverID: database.serverID, epoch: database.epoch, seq: 1044)
/// cursor.text   // "4b1d7c0e9a2f4e6b.9c1e2d3f4a5b6c7d.1044"
/// ```
public struct Cursor: Sendable, Hashable {
    /// The server database id that issued the cursor.
    public let serverID: String
    /// The server database's epoch when the cursor was issued.
    public let epoch: String
    /// The last sequence number the client has received.
    public let seq: Int64
    /// The user's scope generation the cursor was issued in: a cursor of another generation
    /// is answered 409 `scope_changed` (SPEC §11.2).
    public let generation: Int64

    /// Creates a cursor.
    public init(serverID: String, epoch: String, seq: Int64, generation: Int64 = 0) {
        self.serverID = serverID
        self.epoch = epoch
        self.seq = seq
        self.generation = generation
    }

    /// Parses the text form; `nil` when malformed.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 || parts.count == 4, !parts[0].isEmpty, Epoch.isValid(String(parts[1])), let seq = Int64(parts[2]), seq >= 0 else {
            return nil
        }
        if parts.count == 4 {
            guard let generation = Int64(parts[3]), generation >= 0 else { return nil }
            self.generation = generation
        } else {
            generation = 0
        }
        serverID = String(parts[0])
        epoch = String(parts[1])
        self.seq = seq
    }

    /// The text form.
    public var text: String { generation == 0 ? "\(serverID).\(epoch).\(seq)" : "\(serverID).\(epoch).\(seq).\(generation)" }
}
