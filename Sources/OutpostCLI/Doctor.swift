import Foundation
import OutpostClient
import OutpostJSON
import OutpostModel

/// `outpost doctor [--repair]`: checks the replica file and rebuilds it when damaged.
struct Doctor {
    let context: Context

    /// Problems and records listed before "… and N more".
    static let listed = 10

    func run() throws {
        let path = context.replicaLocation().path
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError.operational("There is no local database at \(path) yet. Run `outpost init --server URL --token TOKEN` to set this device up.")
        }
        let check = Replica.integrityCheck(path: path)
        if context.values.flag("repair") {
            try repair(path, check)
        } else {
            try report(path, check)
        }
    }

    private func report(_ path: String, _ check: ReplicaIntegrityReport) throws {
        if context.json {
            context.printJSON(.object([
                "replica": .string(path), "healthy": .bool(check.isHealthy),
                "problems": .array(check.storageProblems.map { .string($0) }),
                "unreadableRecords": .array(check.unreadableRecords.map { .string($0.rawValue) }),
                "records": .int(Int64(check.readableRecords)),
            ]))
        } else if check.isHealthy {
            context.print("The local database \(path) is OK: \(plural(check.readableRecords, "record")) checked.")
        } else {
            context.print("The local database \(path) is damaged:")
            for problem in Self.clipped(check.storageProblems) { context.print("  - \(problem)") }
            if !check.unreadableRecords.isEmpty {
                let ids = Self.clipped(check.unreadableRecords.map { Presentation.short($0) }).joined(separator: ", ")
                context.print("  - \(plural(check.unreadableRecords.count, "record")) cannot be read: \(ids)")
            }
            context.print("Run `outpost doctor --repair` to rebuild it: the unsent edits it can still read are kept, the damaged "
                + "file is moved aside, and `outpost sync` then receives everything else from the server.")
        }
        if !check.isHealthy { throw CommandExit() }
    }

    private func repair(_ path: String, _ check: ReplicaIntegrityReport) throws {
        guard !check.isHealthy else {
            if context.json {
                context.printJSON(.object(["replica": .string(path), "healthy": true, "repaired": false]))
            } else {
                context.print("The local database \(path) is OK: nothing to repair.")
            }
            return
        }
        let now = context.now
        let report = try Replica.repair(path: path, wallClock: { now })
        if context.json {
            context.printJSON(.object([
                "replica": .string(path), "repaired": true, "movedTo": .string(report.damagedFile),
                "previousNode": report.previousNode.map { .string($0.rawValue) } ?? .null, "node": .string(report.node.rawValue),
                "settingsRecovered": .bool(report.settings != nil),
                "salvaged": .array(report.salvaged.map { .string($0.id.rawValue) }),
                "salvagedRefused": .array(report.salvagedRefused.map { .string($0.id.rawValue) }),
                "lost": .array(report.lost.map { .string($0.rawValue) }),
                "outboxComplete": .bool(report.outboxComplete),
            ]))
            return
        }
        let codes = Dictionary(report.salvaged.filter { $0.type == .customer }.map {
            ($0.id, $0.value(of: "code")?.stringValue ?? Presentation.short($0.id))
        }, uniquingKeysWith: { first, _ in first })
        context.print("Rebuilt the local database \(path).")
        context.print("  The damaged file was moved to \(report.damagedFile) (keep it until everything is synced).")
        context.print("  This device has a new id, \(Presentation.short(report.node))"
            + (report.previousNode.map { " (it was \(Presentation.short($0)))" } ?? "") + ".")
        if report.salvaged.isEmpty {
            context.print("  No unsent edit needed saving.")
        } else {
            let labels = Self.clipped(report.salvaged.map { Presentation.label($0, codes: codes) })
            context.print("  Kept \(plural(report.salvaged.count, "unsent edit")), waiting to sync: \(labels.joined(separator: "; ")).")
        }
        if !report.salvagedRefused.isEmpty {
            context.print("  Kept \(plural(report.salvagedRefused.count, "edit")) the server had refused: the next sync offers "
                + "\(report.salvagedRefused.count == 1 ? "it" : "them") again (`outpost status` shows any refused again).")
        }
        if !report.lost.isEmpty {
            let ids = Self.clipped(report.lost.map { Presentation.short($0) }).joined(separator: ", ")
            context.print("  Lost \(plural(report.lost.count, "unsent edit")) whose data could not be read: \(ids). "
                + "The last version the server has comes back with the next sync.")
        }
        if !report.outboxComplete {
            context.print("  The list of unsent edits was itself damaged: edits made since the last sync that are not listed "
                + "above may be lost.")
        }
        if report.settings == nil {
            context.print("The server address and access token could not be read: set this device up again with "
                + "`outpost init --server URL --token TOKEN`, then run `outpost sync`.")
        } else {
            context.print("Run `outpost sync` to send the kept edits and receive everything else from the server.")
        }
    }

    /// The first few items, then "… and N more".
    static func clipped(_ items: [String]) -> [String] {
        guard items.count > listed else { return items }
        return Array(items.prefix(listed)) + ["… and \(items.count - listed) more"]
    }
}
