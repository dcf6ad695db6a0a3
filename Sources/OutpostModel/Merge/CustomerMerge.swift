import OutpostJSON

/// Customer merge semantics (SPEC §6.6): two customer files found to be the same company become
/// one. The *keep* customer takes the chosen field values, every contact, visit and complaint of
/// the *duplicate* is pointed at *keep*, and the duplicate becomes a tombstone whose
/// `mergedInto` field names *keep* (written in the same local transaction as the delete).
///
/// Edits to the duplicate that the merge had not seen (made on devices still offline) are
/// redirected by their **author**: when a device holds a merged tombstone carrying field writes
/// of its own node that the delete did not cover, it writes those values to *keep* (and repoints
/// its own children still naming the duplicate). Only the author redirects a write, and it
/// remembers the highest counter it redirected, so each late write is redirected exactly once.
///
/// ```swift
/// let late = CustomerMerge.lateWrites(in: tombstone, by: me, after: 0)   // ["notes": "…"]
/// ```
public enum CustomerMerge {
    /// The customer field naming the customer a merged duplicate was merged into.
    public static let mergedIntoField = "mergedInto"

    /// Fields never copied from the duplicate to *keep*: its identity (`code`) and the merge marker.
    public static let identityFields: Set<String> = ["code", mergedIntoField]

    /// The customer a tombstone was merged into, when it is a deleted customer with `mergedInto`.
    public static func mergedInto(_ record: Record) -> RecordID? {
        guard record.type == .customer, record.isDeleted,
              let text = record.value(of: mergedIntoField)?.stringValue, let id = try? RecordID(text) else { return nil }
        return id
    }

    /// The merge of every delete's `seen` clock: the writes the merge (or a later delete) had seen.
    public static func seenByDeletes(_ record: Record) -> VectorClock {
        var seen = VectorClock()
        for sibling in record.lifecycle.siblings {
            if case .deleted(let clock) = sibling.value { seen.merge(clock) }
        }
        return seen
    }

    /// The field writes of `node` in a merged tombstone that no delete had seen and whose counter
    /// is above `after` (the highest already redirected), as field → value; for each field the
    /// write with the highest counter. Identity fields are left out.
    public static func lateWrites(in record: Record, by node: NodeID, after: UInt64) -> (values: [String: JSONValue], highest: UInt64) {
        let seen = seenByDeletes(record)
        var values: [String: (counter: UInt64, value: JSONValue)] = [:]
        var highest = after
        for (name, register) in record.fields {
            for sibling in register.siblings where sibling.dot.node == node && sibling.dot.counter > after && !seen.covers(sibling.dot) {
                highest = max(highest, sibling.dot.counter)
                guard !identityFields.contains(name) else { continue }
                if sibling.dot.counter > values[name]?.counter ?? 0 { values[name] = (sibling.dot.counter, sibling.value) }
            }
        }
        return (values.mapValues(\.value), highest)
    }

    /// The field values *keep* ends with: its own, overridden by `chosen` (field → value, `.null`
    /// clears); only the changed ones are returned.
    ///
    /// - Throws: ``MergeError/identityField(_:)`` for `mergedInto`.
    public static func keepWrites(chosen: [String: JSONValue], keep: Record) throws(MergeError) -> [String: JSONValue] {
        if let bad = chosen.keys.sorted().first(where: { $0 == mergedIntoField }) {
            throw .identityField(bad)
        }
        return chosen.filter { keep.value(of: $0.key) != $0.value }
    }

    /// The fields where the two customers hold different values (both values shown to the person merging).
    public static func differingFields(keep: Record, duplicate: Record) -> [String] {
        EntitySchema.customer.fields.map(\.name).filter { name in
            !identityFields.contains(name) && duplicate.value(of: name) != nil && keep.value(of: name) != duplicate.value(of: name)
        }
    }

    /// The duplicate's values of the fields `keep` lacks (absent, null or empty text): what a
    /// merge takes from the duplicate when nobody chooses otherwise.
    public static func fillIn(keep: Record, duplicate: Record) -> [String: JSONValue] {
        var values: [String: JSONValue] = [:]
        for name in differingFields(keep: keep, duplicate: duplicate) where name != "code" && name != "sharedWith" {
            let mine = keep.value(of: name)
            if mine == nil || mine == .null || mine == .string(""), let theirs = duplicate.value(of: name), theirs != .null {
                values[name] = theirs
            }
        }
        return values
    }

    /// `keep`'s `sharedWith` after the merge: its own users plus the duplicate's owner and
    /// `sharedWith` (at most 20), so the salespeople who worked on the duplicate keep seeing the
    /// customer — and their devices can redirect their late edits to it (§6.6). `nil` when nothing changes.
    public static func sharedWith(keep: Record, duplicate: Record) -> JSONValue? {
        let keepOwner = keep.value(of: "owner")?.stringValue
        var users = keep.value(of: "sharedWith")?.arrayValue?.compactMap(\.stringValue) ?? []
        let before = users
        var incoming = duplicate.value(of: "owner")?.stringValue.map { [$0] } ?? []
        incoming += duplicate.value(of: "sharedWith")?.arrayValue?.compactMap(\.stringValue) ?? []
        for user in incoming where !user.isEmpty && user != keepOwner && !users.contains(user) && users.count < 20 {
            users.append(user)
        }
        return users == before ? nil : .array(users.map { .string($0) })
    }

    /// Checks that `duplicate` may be merged into `keep`.
    public static func check(keep: Record, duplicate: Record) throws(MergeError) {
        guard keep.type == .customer, duplicate.type == .customer else { throw .notCustomers }
        guard keep.id != duplicate.id else { throw .same }
        guard !keep.isDeleted else { throw .deleted(keep.id) }
        guard !duplicate.isDeleted else { throw .deleted(duplicate.id) }
        guard keep.branch == duplicate.branch else { throw .differentBranches(keep.branch, duplicate.branch) }
    }
}

/// Why a customer merge was refused.
public enum MergeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Both records must be customers.
    case notCustomers
    /// A customer cannot be merged into itself.
    case same
    /// The customer is deleted (restore it first).
    case deleted(RecordID)
    /// Contacts, visits and complaints take their customer's branch: only customers of one branch merge.
    case differentBranches(String, String)
    /// This field cannot be chosen (it marks the merge).
    case identityField(String)
    /// The signed-in role may not delete, and a merge deletes the duplicate.
    case notAllowed(role: String)

    public var description: String {
        switch self {
        case .notCustomers: return "Only customers can be merged."
        case .same: return "A customer cannot be merged into itself."
        case .deleted(let id): return "Customer \(id) is deleted."
        case .differentBranches(let a, let b): return "The customers belong to different branches (\(a), \(b))."
        case .identityField(let name): return "Field '\(name)' cannot be chosen in a merge."
        case .notAllowed(let role): return "Your role (\(role)) may not merge customers: a merge deletes the duplicate. Ask a manager."
        }
    }
}
