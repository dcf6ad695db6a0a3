import OutpostModel
import OutpostStore

extension Replica {
    /// Whether this device ever received a customer code block from the server (for any branch or
    /// year, used up or not). `false` means the device never synced since codes were introduced, so
    /// it cannot issue codes until it syncs once.
    public func hasCodeBlocks() throws -> Bool {
        try queue.read { db in
            let count: Int = try db.fetchScalar(sql: "SELECT COUNT(*) FROM code_blocks") ?? 0
            return count > 0
        }
    }
}
