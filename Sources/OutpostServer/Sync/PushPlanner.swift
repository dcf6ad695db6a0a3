import OutpostModel

/// Decides, for one pushed record, what the server stores and answers. Pure: no I/O.
///
/// Checks scope (branch and role), validates the pushed version against its entity schema,
/// merges it with the stored version and classifies the outcome.
public enum PushPlanner {
    /// The decision for one record.
    public struct Outcome: Sendable, Hashable {
        /// The version to store.
        public var merged: Record
        /// The answer for the client.
        public var status: PushStatus
        /// `false` when the stored version already equals `merged` (nothing to write, no new seq).
        public var changed: Bool
    }

    /// Plans one record. Throws an ``APIError`` (403 or 422) when it must be refused.
    public static func plan(pushed: Record, stored: Record?, scope: AccessScope) throws(APIError) -> Outcome {
        guard scope.canWrite(branch: pushed.branch) else {
            throw .forbidden(
                scope.role == .auditor
                    ? "Auditors can read but not change records."
                    : "You may not change records of branch \(pushed.branch); your branch is \(scope.branch).",
                record: pushed.id)
        }
        do {
            try EntitySchema.for(pushed.type).validate(pushed)
        } catch {
            throw .invalidRecords([ErrorDetail(message: error.description, record: pushed.id.rawValue, field: error.field)])
        }
        guard let stored else {
            try checkLifecycle(pushed: pushed, stored: nil, scope: scope)
            return Outcome(merged: pushed, status: pushed.hasConflicts ? .conflict : .accepted, changed: true)
        }
        if let field = Self.rewrittenWrite(pushed: pushed, stored: stored) {
            throw .invalidRecords([ErrorDetail(
                message: "Field '\(field)' carries a write id the server already holds with a different value; the client's replica is damaged.",
                record: pushed.id.rawValue, field: field)])
        }
        let merged: Record
        do {
            merged = try stored.merged(with: pushed)
        } catch {
            throw .recordMismatch(error, record: pushed.id)
        }
        try checkLifecycle(pushed: pushed, stored: stored, scope: scope)
        let status: PushStatus
        if merged.hasConflicts {
            status = .conflict
        } else if pushed.clock.dominates(stored.clock) {
            status = .accepted
        } else {
            status = .merged
        }
        return Outcome(merged: merged, status: status, changed: merged != stored)
    }

    /// The first field where the pushed version holds a write (dot) the server holds with other content.
    private static func rewrittenWrite(pushed: Record, stored: Record) -> String? {
        for (name, register) in pushed.fields {
            guard let storedRegister = stored.fields[name] else { continue }
            for sibling in register.siblings {
                if let twin = storedRegister.siblings.first(where: { $0.dot == sibling.dot }), twin != sibling { return name }
            }
        }
        return nil
    }

    /// Refuses delete/restore writes the server has not seen yet from roles that may not delete.
    private static func checkLifecycle(pushed: Record, stored: Record?, scope: AccessScope) throws(APIError) {
        guard !scope.canDelete(branch: pushed.branch) else { return }
        let known = stored?.clock ?? VectorClock()
        if pushed.lifecycle.siblings.contains(where: { !known.covers($0.dot) }) {
            throw .forbidden("Your role (\(scope.role.rawValue)) may not delete or restore records. Ask a manager.",
                             record: pushed.id)
        }
    }
}
