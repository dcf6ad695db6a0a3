import OutpostStore

/// A personal setting kept in the replica (not synced): how this device shows things to its user.
///
/// ```swift
/// try replica.setPreference(.language, to: "zh")
/// let zone = try replica.preference(.timeZone)    // nil until set
/// ```
public enum ReplicaPreference: String, Sendable, CaseIterable, Hashable {
    /// The language messages are shown in (`zh` or `en`).
    case language = "lang"
    /// The IANA time zone times are shown and read in, e.g. `Asia/Shanghai`.
    case timeZone = "tz"

    /// The key in the replica's `meta` table.
    var metaKey: String { "pref.\(rawValue)" }
}

extension Replica {
    /// The value of a personal setting, or `nil` when it is not set.
    ///
    /// Usage: `let language = try replica.preference(.language)`
    public func preference(_ preference: ReplicaPreference) throws -> String? {
        try queue.read { db in try Self.meta(db, preference.metaKey) }
    }

    /// Every personal setting that is set.
    ///
    /// Usage: `for (preference, value) in try replica.preferences() { print(preference.rawValue, value) }`
    public func preferences() throws -> [ReplicaPreference: String] {
        try queue.read { db in
            var values: [ReplicaPreference: String] = [:]
            for preference in ReplicaPreference.allCases {
                if let value = try Self.meta(db, preference.metaKey) { values[preference] = value }
            }
            return values
        }
    }

    /// Sets a personal setting (`nil` removes it). The caller checks that the value makes sense.
    ///
    /// Usage: `try replica.setPreference(.timeZone, to: "Europe/Berlin")`
    public func setPreference(_ preference: ReplicaPreference, to value: String?) throws {
        try queue.write { db in
            if let value {
                try Self.setMeta(db, preference.metaKey, value)
            } else {
                try db.execute(sql: "DELETE FROM meta WHERE key = ?", arguments: [preference.metaKey])
            }
        }
    }
}
