import OutpostModel

/// Decides, for one pushed record, what the server stores and answers. Pure: no I/O.
///
/// A push is judged on what it changes, not on which dots it carries (SPEC §10.3): the planner
/// merges the pushed version with the stored one and checks, in the order of SPEC §10, who may
/// make that change (scope, forged foreign writes, lifecycle), whether the merged result is valid
/// and within the limits, whether its new writes are stamped in the future, whether the identity
/// matches, and whether the push reuses a write id for other content.
///
/// ```swift
/// let context = PushPlanner.Context(scope: user.scope, node: request.node, nowMillis: now)
/// let outcome = try PushPlanner.plan(pushed: record, stored: stored, context: context)
/// ```
public enum PushPlanner {
    /// What the planner needs to know about the push besides the two versions.
    public struct Context: Sendable, Hashable {
        /// The pushing user's access scope.
        public var scope: AccessScope
        /// The pushing replica's own node id (`PushRequest.node`).
        public var node: NodeID
        /// `true` for relay and recovery pushes: writes under other nodes the server lacks are accepted.
        public var acceptsForeignWrites: Bool
        /// The server's wall clock (UTC ms).
        public var nowMillis: Int64
        /// How far ahead of ``nowMillis`` a new write may be stamped (ms).
        public var maxClockSkewMillis: Int64
        /// The home branch of each user of the server, for assignments: a branch-wide role may
        /// hand customers only to users of its own branch (SPEC §8.1). `nil` skips that check (relay pushes).
        public var directory: [String: String]?

        /// Creates a context.
        public init(scope: AccessScope, node: NodeID, acceptsForeignWrites: Bool = false, nowMillis: Int64,
                    maxClockSkewMillis: Int64 = PushPlanner.defaultMaxClockSkewMillis) {
            self.scope = scope
            self.node = node
            self.acceptsForeignWrites = acceptsForeignWrites
            self.nowMillis = nowMillis
            self.maxClockSkewMillis = maxClockSkewMillis
            self.directory = nil
        }
    }

    /// The default tolerance for writes stamped ahead of the server's clock: one hour.
    public static let defaultMaxClockSkewMillis: Int64 = 3_600_000

    /// The decision for one record.
    public struct Outcome: Sendable, Hashable {
        /// The version to store.
        public var merged: Record
        /// The answer for the client.
        public var status: PushStatus
        /// `false` when the stored version already equals `merged` (nothing to write, no new seq).
        public var changed: Bool
    }

    /// Why a record is refused. Cases are declared in the order of SPEC §10: when records of a
    /// batch are refused for different reasons, the earliest case decides the answer.
    public enum Refusal: Error, Sendable, Hashable, Comparable {
        /// 403 `forbidden`: outside the user's scope, a forged foreign write, or a lifecycle change by `sales`.
        case forbidden(String)
        /// 413 `record_too_large`: over a limit of SPEC §14.
        case tooLarge(ErrorDetail)
        /// 422 `invalid_record`: refused by the entity schema (pushed or merged version).
        case invalid(ErrorDetail)
        /// 422 `clock_ahead`: a new write stamped too far in the future.
        case clockAhead(ErrorDetail)
        /// 422 `record_mismatch`: type or branch differ from the stored version.
        case mismatch(String)
        /// 409 `dot_reused`: a write id the server holds with other content.
        case dotReused(String, field: String?)

        /// The rank of the case in SPEC §10's order (lower decides).
        public var rank: Int {
            switch self {
            case .forbidden: return 0
            case .tooLarge: return 1
            case .invalid: return 2
            case .clockAhead: return 3
            case .mismatch: return 4
            case .dotReused: return 5
            }
        }

        public static func < (lhs: Refusal, rhs: Refusal) -> Bool { lhs.rank < rhs.rank }
    }

    /// Who may see a record before and after the push (SPEC §8.1).
    public struct Access: Sendable, Hashable {
        /// The access of the stored version (of its customer, for a contact, visit or complaint);
        /// `nil` for a new record.
        public var stored: RecordAccess?
        /// For a contact, visit or complaint: the access of the customer the pushed version names,
        /// as it is after this batch (`nil` when the caller may not know of that customer, or it
        /// does not exist: the two are answered alike). Ignored for customers, whose access is
        /// read from the merged version itself.
        public var customer: RecordAccess?

        /// Creates an access description.
        public init(stored: RecordAccess?, customer: RecordAccess?) {
            self.stored = stored
            self.customer = customer
        }

        /// Access by branch only, as if every user owned every record (tests of other rules).
        public static func branchOnly(_ pushed: Record, stored: Record?) -> Access {
            Access(stored: stored.map { RecordAccess(branch: $0.branch, users: []) }, customer: RecordAccess(branch: pushed.branch, users: []))
        }
    }

    /// The one answer to any push touching a record outside the caller's scope, whether or not it
    /// exists: it names the record id the caller sent and nothing else (SPEC §10.3).
    public static func outOfScopeMessage(_ id: RecordID) -> String {
        "Record \(id.rawValue) is not among the records you may change. If it was reassigned to a colleague, "
            + "your change is kept on this device in the set-aside list."
    }

    /// Plans one record. Throws the first ``Refusal`` in SPEC §10's order.
    ///
    /// Scope is judged first and on the stored version before anything else, so that the answer
    /// to a record the caller may not see is the same whatever the record holds (SPEC §10.3).
    public static func plan(pushed: Record, stored: Record?, context: Context, access: Access? = nil) throws(Refusal) -> Outcome {
        let scope = context.scope
        let access = access ?? .branchOnly(pushed, stored: stored)
        guard scope.role != .auditor else { throw .forbidden("Auditors can read but not change records.") }
        if stored != nil {
            guard let before = access.stored, scope.canWrite(before) else { throw .forbidden(outOfScopeMessage(pushed.id)) }
        }
        // A salesperson's reach follows ownership (checked below), except that its new customers are of its branch.
        guard scope.canWrite(branch: pushed.branch) || (scope.role == .sales && (stored != nil || pushed.type != .customer)) else {
            throw .forbidden(stored == nil && scope.role != .sales
                ? "You may not change records of branch \(pushed.branch); your branch is \(scope.branch)."
                : outOfScopeMessage(pushed.id))
        }
        let known = stored?.clock ?? VectorClock()
        if !context.acceptsForeignWrites, let foreign = foreignWrite(pushed: pushed, known: known, node: context.node) {
            throw .forbidden("The record carries writes under node \(foreign.rawValue), which is not this device's "
                + "(this device pushes as \(context.node.rawValue)); a device may only send its own changes.")
        }
        // The merged version, when the identities agree (otherwise refused below as a mismatch).
        let merged: Record?
        do {
            merged = try stored.map { stored throws(ModelError) in try stored.merged(with: pushed) } ?? pushed
        } catch {
            merged = nil
        }
        // What the caller may see after the push: a customer by its own merged owner and shares, the
        // others by their customer's.
        let after: RecordAccess?
        if pushed.type == .customer {
            after = RecordAccess(customer: merged ?? pushed)
        } else {
            after = access.customer
        }
        if pushed.type == .customer && (stored == nil || stored?.type == .customer) {
            try checkAssignment(pushed: pushed, stored: stored, merged: merged ?? pushed, context: context)
        }
        guard let after, scope.canWrite(after) else { throw .forbidden(outOfScopeMessage(pushed.id)) }
        if !scope.canDelete(branch: pushed.branch) && changesLifecycle(pushed: pushed, stored: stored, merged: merged) {
            throw .forbidden("Your role (\(scope.role.rawValue)) may not delete or restore records. Ask a manager.")
        }
        // Limits apply to what would be stored (the pushed version itself when it cannot be merged).
        do {
            try (merged ?? pushed).checkLimits()
        } catch {
            throw .tooLarge(ErrorDetail(message: error.reason, record: pushed.id.rawValue))
        }
        let versions = merged.map { $0 == pushed ? [pushed] : [pushed, $0] } ?? [pushed]
        for version in versions {
            do {
                try EntitySchema.for(version.type).validate(version)
            } catch {
                let message = version == pushed ? error.description : "Merged with the server's version: \(error.description)"
                throw .invalid(ErrorDetail(message: message, record: pushed.id.rawValue, field: error.field))
            }
        }
        if let ahead = futureWrite(pushed: pushed, known: known, limit: context.nowMillis + context.maxClockSkewMillis) {
            let minutes = (ahead.millis - context.nowMillis) / 60_000
            throw .clockAhead(ErrorDetail(
                message: "A change was stamped \(minutes) minutes ahead of the server's clock: the device's date and time are wrong.",
                record: pushed.id.rawValue, field: ahead.field))
        }
        guard let stored else {
            return Outcome(merged: pushed, status: pushed.hasConflicts ? .conflict : .accepted, changed: true)
        }
        guard let merged else {
            do {
                _ = try stored.merged(with: pushed)
            } catch {
                throw .mismatch(error.description)
            }
            throw .mismatch("The record cannot be merged with the server's version.")
        }
        if let reuse = stored.reusedWrite(comparedWith: pushed) {
            let field: String?
            if case .field(let name) = reuse.place { field = name } else { field = nil }
            throw .dotReused(reuse.description, field: field)
        }
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

    /// Only managers, branch admins, HQ and admin change who owns a customer (`owner`,
    /// `sharedWith`); a salesperson's new customer is its own and shared with nobody. Branch-wide
    /// roles hand customers only to users of the customer's branch: moving a customer to another
    /// branch's staff goes through headquarters.
    static func checkAssignment(pushed: Record, stored: Record?, merged: Record, context: Context) throws(Refusal) {
        let scope = context.scope
        let changed: Bool
        if let stored {
            changed = merged.fields["owner"] != stored.fields["owner"] || merged.fields["sharedWith"] != stored.fields["sharedWith"]
        } else {
            changed = true
        }
        guard changed else { return }
        let before = stored.map(RecordAccess.users(of:)) ?? []
        let after = RecordAccess.users(of: merged)
        if !scope.canAssign(branch: pushed.branch) {
            if stored == nil && after == [scope.user] && merged.fields["sharedWith"] == nil { return }
            if stored == nil && after == [scope.user] && (merged.value(of: "sharedWith")?.arrayValue?.isEmpty ?? true) { return }
            // Answered like a record outside the caller's scope, so that pushing a guessed id tells
            // nothing about whether a hidden record has it (SPEC §10.3). Honest clients name their
            // user as the owner of the customers they create, so only crafted pushes get here.
            if stored == nil { throw .forbidden(outOfScopeMessage(pushed.id)) }
            throw .forbidden("Only managers, branch administrators and headquarters change who owns a customer or whom it is shared with.")
        }
        guard !scope.assignsAcrossBranches, let directory = context.directory else { return }
        for name in after.subtracting(before).sorted() {
            if let home = directory[name], home != pushed.branch {
                throw .forbidden("\(name) works in branch \(home), not \(pushed.branch): moving a customer to another branch goes through headquarters.")
            }
        }
    }

    /// A node other than `node` under which the pushed clock goes beyond what the server knows:
    /// a write this device cannot have made and the server has never seen.
    static func foreignWrite(pushed: Record, known: VectorClock, node: NodeID) -> NodeID? {
        pushed.clock.sortedEntries.first { $0.node != node && $0.counter > known[$0.node] }?.node
    }

    /// `true` when the push changes the record's lifecycle: the merged lifecycle differs from the
    /// stored one, or a new record arrives with one. Without a merged version (identity mismatch),
    /// any lifecycle write the server has not seen counts.
    static func changesLifecycle(pushed: Record, stored: Record?, merged: Record?) -> Bool {
        guard let stored else { return !pushed.lifecycle.isEmpty }
        guard let merged else { return pushed.lifecycle.siblings.contains { !stored.clock.covers($0.dot) } }
        return merged.lifecycle != stored.lifecycle
    }

    /// The latest-stamped write new to the server (dot not covered by `known`) stamped after `limit`.
    static func futureWrite(pushed: Record, known: VectorClock, limit: Int64) -> (millis: Int64, field: String?)? {
        var worst: (millis: Int64, field: String?)?
        for name in pushed.fields.keys.sorted() {
            for sibling in pushed.fields[name]!.siblings where !known.covers(sibling.dot) && sibling.timestamp.millis > limit {
                if sibling.timestamp.millis > worst?.millis ?? .min { worst = (sibling.timestamp.millis, name) }
            }
        }
        for sibling in pushed.lifecycle.siblings where !known.covers(sibling.dot) && sibling.timestamp.millis > limit {
            if sibling.timestamp.millis > worst?.millis ?? .min { worst = (sibling.timestamp.millis, nil) }
        }
        return worst
    }
}
