import OutpostModel

/// Why a local operation on the replica was refused. Nothing is stored when one is thrown.
public enum ReplicaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No record has this id.
    case notFound(String)
    /// The data does not satisfy the entity schema.
    case invalid(ValidationError)
    /// Another live customer already uses this code.
    case duplicateCode(code: String, existing: RecordID)
    /// The record referenced by a `customer` field does not exist (or is deleted) on this device.
    case unknownCustomer(String)
    /// The record was deleted; restore it first.
    case deleted(RecordID)
    /// The signed-in role may not do this.
    case notAllowed(String)
    /// The field has no conflict to resolve, or the choice is out of range.
    case nothingToResolve(String)
    /// The local database is damaged or from an incompatible version.
    case corrupt(String)
    /// A damaged replica could not be rebuilt (see ``Replica/repair(path:wallClock:)``).
    case cannotRepair(String)
    /// Signing in as another user was refused: the replica holds the records or unsent edits
    /// of `user`, which the new user may not be allowed to see or must not send as their own.
    case belongsToAnotherUser(user: String, records: Int, pendingChanges: Int)

    public var description: String {
        switch self {
        case .notFound(let id): return "No record with id \(id) on this device."
        case .invalid(let error): return error.description
        case .duplicateCode(let code, let existing):
            return "Customer code '\(code)' is already used by record \(existing). Customer codes must be unique."
        case .unknownCustomer(let id): return "No customer \(id) on this device. Sync first, or check the id."
        case .deleted(let id): return "Record \(id) has been deleted. Restore it before editing."
        case .notAllowed(let reason): return reason
        case .nothingToResolve(let reason): return reason
        case .corrupt(let reason): return "The local database is damaged: \(reason)"
        case .cannotRepair(let reason): return "The local database could not be rebuilt: \(reason)"
        case .belongsToAnotherUser(let user, let records, let pending):
            let unsent = pending == 0 ? "" : pending == 1 ? " and 1 unsent edit" : " and \(pending) unsent edits"
            return "This replica belongs to \(user) and holds \(records == 1 ? "1 record" : "\(records) records")\(unsent). "
                + "Use a separate replica for each user, or sync \(user)'s edits and remove this replica first."
        }
    }
}
