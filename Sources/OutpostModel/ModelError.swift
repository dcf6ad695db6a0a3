/// Errors raised by the model: malformed identities and records that cannot be combined.
public enum ModelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A node id is empty, too long or has characters other than letters, digits, `-` and `_`.
    case invalidNodeID(String)
    /// A record id is not a UUID.
    case invalidRecordID(String)
    /// Two versions with different ids, entity types or branches were asked to merge.
    case identityMismatch(recordID: String, reason: String)
    /// The record was deleted; restore it before editing.
    case recordDeleted(recordID: String)
    /// A node's write counter for a record reached 2^63−1, the protocol's maximum: the node
    /// cannot write this record any more (only a corrupt or hostile peer gets there).
    case counterExhausted(node: String)

    public var description: String {
        switch self {
        case .invalidNodeID(let text):
            return "'\(text)' is not a valid node id: use 1–64 letters, digits, '-' or '_'."
        case .invalidRecordID(let text):
            return "'\(text)' is not a valid record id: expected a UUID such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301."
        case .identityMismatch(let id, let reason):
            return "Record \(id) cannot be merged: \(reason)."
        case .recordDeleted(let id):
            return "Record \(id) has been deleted. Restore it before editing."
        case .counterExhausted(let node):
            return "This record cannot be changed any more from this device (\(node)): its write counter reached the protocol maximum. The record's data is probably corrupt; contact support."
        }
    }
}
