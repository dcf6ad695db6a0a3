import OutpostModel

/// What `outpost-server status` shows: who uses the server, which devices sync, what waits for
/// a decision, and how big the database is.
///
/// ```swift
/// let status = try database.status()
/// print(status.users.map(\.count).reduce(0, +), "users,", status.devices.count, "devices")
/// ```
public struct ServerStatus: Sendable, Hashable {
    /// How many users have one role and one account state.
    public struct UserCount: Sendable, Hashable {
        public var role: Role
        public var state: UserAccount.Status
        public var count: Int
    }

    /// A device (replica node) that has pushed to this server.
    public struct Device: Sendable, Hashable {
        /// The node id.
        public var node: String
        /// The user it is enrolled to.
        public var user: String
        /// When it first pushed (UTC milliseconds).
        public var enrolledAt: Int64
        /// When it last pushed (UTC milliseconds); pulls do not name the device, so they do not count.
        public var lastPushAt: Int64
        /// When its user last synced from any device (UTC milliseconds), if ever.
        public var userLastSyncAt: Int64?
    }

    /// How many records of one type have unresolved conflicts (siblings kept for a decision).
    public struct ConflictCount: Sendable, Hashable {
        public var type: String
        public var count: Int
    }

    /// The server's id.
    public var serverID: String
    /// The current epoch (a new one begins at each restore).
    public var epoch: String
    /// Users by role and state, roles in declaration order.
    public var users: [UserCount]
    /// Devices, most recently pushed first.
    public var devices: [Device]
    /// Records in conflict, by type (types with none are left out).
    public var conflicts: [ConflictCount]
    /// Records stored, deleted ones included.
    public var records: Int
    /// The database size in bytes (pages in use, the write-ahead log included).
    public var databaseBytes: Int64

    /// Users whose account is active.
    public var activeUsers: Int { users.filter { $0.state == .active }.map(\.count).reduce(0, +) }
    /// Users whose account is frozen or deactivated.
    public var inactiveUsers: Int { users.filter { $0.state != .active }.map(\.count).reduce(0, +) }
    /// Records in conflict, all types together.
    public var conflictedRecords: Int { conflicts.map(\.count).reduce(0, +) }
}

extension ServerDatabase {
    /// The server's state for `outpost-server status`, read in one snapshot.
    public func status() throws -> ServerStatus {
        let (users, devices, conflicts, records) = try pool.read { db in
            let users = try db.fetchAll(sql: "SELECT role, status, COUNT(*) FROM users GROUP BY role, status").compactMap { row -> ServerStatus.UserCount? in
                guard let role = Role(rawValue: row[0] ?? ""), let state = UserAccount.Status(rawValue: row[1] ?? "") else { return nil }
                return ServerStatus.UserCount(role: role, state: state, count: row[2] ?? 0)
            }
            let devices = try db.fetchAll(sql: """
                SELECT nodes.node, nodes.user, nodes.enrolled_at, nodes.last_push_at, users.last_sync_at
                FROM nodes LEFT JOIN users ON users.name = nodes.user ORDER BY nodes.last_push_at DESC, nodes.node
                """).map { row in
                ServerStatus.Device(node: row[0] ?? "", user: row[1] ?? "", enrolledAt: row[2] ?? 0, lastPushAt: row[3] ?? 0,
                                    userLastSyncAt: row[4])
            }
            let conflicts = try db.fetchAll(sql: "SELECT type, COUNT(*) FROM records WHERE conflicted = 1 GROUP BY type ORDER BY type")
                .map { ServerStatus.ConflictCount(type: $0[0] ?? "", count: $0[1] ?? 0) }
            let records: Int = try db.fetchScalar(sql: "SELECT COUNT(*) FROM records") ?? 0
            return (users, devices, conflicts, records)
        }
        let order = Dictionary(uniqueKeysWithValues: Role.allCases.enumerated().map { ($1, $0) })
        let states: [UserAccount.Status] = [.active, .frozen, .deactivated]
        let sortedUsers = users.sorted {
            (order[$0.role] ?? 0, states.firstIndex(of: $0.state) ?? 0) < (order[$1.role] ?? 0, states.firstIndex(of: $1.state) ?? 0)
        }
        return ServerStatus(serverID: serverID, epoch: epoch, users: sortedUsers, devices: devices, conflicts: conflicts,
                            records: records, databaseBytes: try sizeInBytes())
    }

    /// The database size in bytes: pages in use times the page size, as this connection sees the
    /// file (changes still in the write-ahead log included).
    public func sizeInBytes() throws -> Int64 {
        try pool.read { db in
            let pages: Int64 = try db.fetchScalar(sql: "PRAGMA page_count") ?? 0
            let pageSize: Int64 = try db.fetchScalar(sql: "PRAGMA page_size") ?? 0
            return pages * pageSize
        }
    }
}
