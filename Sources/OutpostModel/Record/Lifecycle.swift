/// What a lifecycle write did to a record: deleted it (having seen `seen`) or restored it.
public enum Lifecycle: Sendable, Hashable {
    /// The record was deleted by a writer whose record clock was `seen` (including the delete itself).
    /// Field writes not covered by `seen` happened concurrently with the delete.
    case deleted(seen: VectorClock)
    /// The record was restored (undeleted) by a writer that had seen the delete.
    case restored

    /// `true` for `.deleted`.
    public var isDeleted: Bool {
        if case .deleted = self { return true }
        return false
    }
}
