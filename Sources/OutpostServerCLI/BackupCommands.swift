import Foundation
import OutpostServer

/// `outpost-server backup` and `restore`.
struct BackupCommands {
    let context: ServerContext

    func backup() throws {
        let destination = try context.values.require("to")
        let path = context.databasePath
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
        context.print("Backing up \(path) (\(size / 1024) KiB) to \(destination)…")
        let summary = try ServerDatabase.backup(databaseAt: path, to: destination)
        context.print("Backup complete: \(summary.records) records, \(summary.bytes) bytes, epoch \(summary.epoch).")
    }

    func restore() throws {
        let source = try context.values.require("from")
        let path = context.databasePath
        let lock = try ServerDatabaseLock(databasePath: path)
        context.print("Restoring \(path) from \(source)…")
        let summary = try ServerDatabase.restore(from: source, to: path)
        withExtendedLifetime(lock) {}
        if let kept = summary.keptReplacedFile { context.print("The replaced database is kept as \(kept).") }
        context.print("Restored \(summary.records) records. New epoch \(summary.epoch): clients re-send what the backup lacks on their next sync.")
    }
}
