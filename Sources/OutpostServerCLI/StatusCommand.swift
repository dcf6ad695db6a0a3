import Foundation
import OutpostJSON
import OutpostModel
import OutpostServer
import OutpostTerminal

/// `outpost-server status`: users by role and state, devices with their user and last push,
/// records in conflict by type, database size and epoch — as tables, or one JSON object.
struct StatusCommand {
    let context: ServerContext

    func run() throws {
        // Status only reads: a mistyped --db must not create an empty database.
        guard FileManager.default.fileExists(atPath: context.databasePath) else {
            throw ServerCLIError.failure("There is no database at \(context.databasePath); give the server's file with --db.")
        }
        let status = try context.openDatabase().status()
        if context.json {
            context.printJSON(Self.json(status))
        } else {
            context.print(Self.text(status, database: context.databasePath))
        }
    }

    /// The JSON form:
    /// `{"serverId", "epoch", "databaseBytes", "records", "users": {"active", "inactive", "byRole": [{"role", "state", "count"}]},
    ///   "devices": [{"node", "user", "enrolledAt", "lastPushAt", "userLastSyncAt"}], "conflicts": {"records", "byType": {type: n}}}`.
    static func json(_ status: ServerStatus) -> JSONValue {
        .object([
            "serverId": .string(status.serverID),
            "epoch": .string(status.epoch),
            "databaseBytes": .int(status.databaseBytes),
            "records": .int(Int64(status.records)),
            "users": .object([
                "active": .int(Int64(status.activeUsers)),
                "inactive": .int(Int64(status.inactiveUsers)),
                "byRole": .array(status.users.map {
                    .object(["role": .string($0.role.rawValue), "state": .string($0.state.rawValue), "count": .int(Int64($0.count))])
                }),
            ]),
            "devices": .array(status.devices.map { device in
                .object([
                    "node": .string(device.node), "user": .string(device.user),
                    "enrolledAt": .string(Timestamps.format(device.enrolledAt)),
                    "lastPushAt": .string(Timestamps.format(device.lastPushAt)),
                    "userLastSyncAt": device.userLastSyncAt.map { .string(Timestamps.format($0)) } ?? .null,
                ])
            }),
            "conflicts": .object([
                "records": .int(Int64(status.conflictedRecords)),
                "byType": .object(Dictionary(uniqueKeysWithValues: status.conflicts.map { ($0.type, JSONValue.int(Int64($0.count))) })),
            ]),
        ])
    }

    /// The table form, sections separated by blank lines.
    static func text(_ status: ServerStatus, database: String) -> String {
        var lines: [String] = []
        let summary = [
            ("Database", "\(database), \(byteSize(status.databaseBytes)), \(status.records) records"),
            ("Epoch", status.epoch),
            ("Server", status.serverID),
            ("Users", "\(status.activeUsers) active, \(status.inactiveUsers) frozen or deactivated"),
            ("Devices", "\(status.devices.count)"),
            ("Conflicts", status.conflictedRecords == 0 ? "none" : "\(status.conflictedRecords) records wait for a decision"),
        ]
        let width = (summary.map { TextTable.width($0.0) }.max() ?? 0) + 2
        lines += summary.map { TextTable.pad($0.0, to: width) + $0.1 }
        if !status.users.isEmpty {
            let states: [UserAccount.Status] = [.active, .frozen, .deactivated]
            var roles: [Role] = []
            for count in status.users where !roles.contains(count.role) { roles.append(count.role) }
            let rows = roles.map { role in
                [role.rawValue] + states.map { state in
                    String(status.users.first { $0.role == role && $0.state == state }?.count ?? 0)
                }
            }
            lines.append("")
            lines.append(TextTable(columns: ["ROLE", "ACTIVE", "FROZEN", "DEACTIVATED"], rows: rows).rendered())
        }
        if !status.devices.isEmpty {
            let rows = status.devices.map { device in
                [device.node, device.user, ServerContext.minute(device.enrolledAt), ServerContext.minute(device.lastPushAt),
                 device.userLastSyncAt.map(ServerContext.minute) ?? "never"]
            }
            lines.append("")
            lines.append(TextTable(columns: ["DEVICE", "USER", "ENROLLED", "LAST PUSH", "USER LAST SYNC"], rows: rows, maxColumnWidth: 64).rendered())
        }
        if !status.conflicts.isEmpty {
            lines.append("")
            lines.append(TextTable(columns: ["TYPE", "IN CONFLICT"], rows: status.conflicts.map { [$0.type, String($0.count)] }).rendered())
        }
        return lines.joined(separator: "\n")
    }

    /// `812 KiB`, `3.4 MiB`, `1.2 GiB` (binary units), or bytes below 1 KiB.
    static func byteSize(_ bytes: Int64) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB"]
        guard bytes >= 1024 else { return "\(bytes) bytes" }
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        let shown = value >= 100 || value == value.rounded() ? String(Int(value.rounded())) : String((value * 10).rounded() / 10)
        return "\(shown) \(units[unit])"
    }
}
