import Foundation
import OutpostClient
import OutpostJSON
import OutpostModel

/// `outpost doctor [--repair]`: checks the replica file and rebuilds it when damaged.
struct Doctor {
    let context: Context
    var l: Localizer { context.l }

    /// Problems and records listed before "… and N more".
    static let listed = 10

    func run() throws {
        let path = context.replicaLocation().path
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError.operational(l("doctor.noDatabase", ["path": path]))
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
            context.print(l("doctor.ok", ["path": path, "records": l.count("unit.record", check.readableRecords)]))
        } else {
            context.print(l("doctor.damaged", ["path": path]))
            for problem in Self.clipped(check.storageProblems, l) { context.print("  - \(problem)") }
            if !check.unreadableRecords.isEmpty {
                let ids = Self.clipped(check.unreadableRecords.map { Presentation.short($0) }, l).joined(separator: ", ")
                context.print("  - " + l.count("doctor.unreadable", check.unreadableRecords.count, ["ids": ids]))
            }
            context.print(l("doctor.runRepair"))
        }
        if !check.isHealthy { throw CommandExit() }
    }

    private func repair(_ path: String, _ check: ReplicaIntegrityReport) throws {
        guard !check.isHealthy else {
            if context.json {
                context.printJSON(.object(["replica": .string(path), "healthy": true, "repaired": false]))
            } else {
                context.print(l("doctor.nothingToRepair", ["path": path]))
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
        context.print(l("doctor.rebuilt", ["path": path]))
        context.print("  " + l("doctor.movedTo", ["file": report.damagedFile]))
        context.print("  " + (report.previousNode.map { l("doctor.newNodeWas", ["node": Presentation.short(report.node), "previous": Presentation.short($0)]) }
            ?? l("doctor.newNode", ["node": Presentation.short(report.node)])))
        if report.salvaged.isEmpty {
            context.print("  " + l("doctor.nothingSaved"))
        } else {
            let labels = Self.clipped(report.salvaged.map { context.display.label($0, codes: codes) }, l)
            context.print("  " + l.count("doctor.kept", report.salvaged.count, ["labels": labels.joined(separator: "; ")]))
        }
        if !report.salvagedRefused.isEmpty {
            context.print("  " + l.count("doctor.keptRefused", report.salvagedRefused.count))
        }
        if !report.lost.isEmpty {
            let ids = Self.clipped(report.lost.map { Presentation.short($0) }, l).joined(separator: ", ")
            context.print("  " + l.count("doctor.lost", report.lost.count, ["ids": ids]))
        }
        if !report.outboxComplete {
            context.print("  " + l("doctor.outboxIncomplete"))
        }
        context.print(l(report.settings == nil ? "doctor.settingsLost" : "doctor.runSync"))
    }

    /// The first few items, then "… and N more".
    static func clipped(_ items: [String], _ l: Localizer) -> [String] {
        guard items.count > listed else { return items }
        return Array(items.prefix(listed)) + [l("doctor.more", ["count": items.count - listed])]
    }
}
