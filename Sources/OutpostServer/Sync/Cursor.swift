/// The pull cursor: `<serverId>.<seq>`. Opaque to clients; tied to one server database so a
/// cursor from a replaced server is recognised and refused instead of silently skipping changes.
public struct Cursor: Sendable, Hashable {
    /// The server database id that issued the cursor.
    public let serverID: String
    /// The last sequence number the client has received.
    public let seq: Int64

    /// Creates a cursor.
    public init(serverID: String, seq: Int64) {
        self.serverID = serverID
        self.seq = seq
    }

    /// Parses the text form; `nil` when malformed.
    public init?(_ text: String) {
        guard let dot = text.lastIndex(of: "."), let seq = Int64(text[text.index(after: dot)...]), seq >= 0 else { return nil }
        serverID = String(text[..<dot])
        self.seq = seq
        guard !serverID.isEmpty else { return nil }
    }

    /// The text form.
    public var text: String { "\(serverID).\(seq)" }
}
