import Foundation
import OutpostServer

/// `outpost-server serve`: runs the sync server until SIGTERM or SIGINT.
struct ServeCommand {
    let context: ServerContext
    let options: ServeOptions

    func run() throws {
        let path = context.databasePath
        let lock = try ServerDatabaseLock(databasePath: path)
        let database = try context.openDatabase()
        if let rollback = database.rollback {
            // An old file copied back by hand (SPEC §11.1): a new epoch began so devices re-send what it lacks.
            context.warn("Warning: \(rollback)")
        }
        let log = options.logFormat.map(RequestLogMiddleware.standardError)
        let server = SyncServer(database: database, host: options.host, port: options.port, log: log,
                                maxClockSkewMillis: Int64(options.maxClockSkewSeconds) * 1000,
                                metricsAccess: options.metricsAccess) { [options] in
            $0.maxConnections = options.maxConnections
        }
        try server.start()
        server.installSignalHandlers()
        if options.tombstoneHorizonDays > 0 { startPurging(database, horizonDays: options.tombstoneHorizonDays) }
        context.print("Outpost server listening on http://\(server.http.configuration.host):\(server.port) (database \(path))")
        server.waitUntilStopped()
        // Leave a self-contained database file: everything in the write-ahead log moves into it.
        do {
            try database.checkpoint()
        } catch {
            context.warn("Warning: could not fold the write-ahead log into \(path): \(error)")
        }
        withExtendedLifetime(lock) {}
        context.print("Outpost server stopped.")
    }

    /// Purges tombstones past the horizon now and then every hour, on a thread of its own (SPEC §11.3).
    func startPurging(_ database: ServerDatabase, horizonDays: Int) {
        let context = self.context
        Thread.detachNewThread {
            while true {
                do {
                    let purge = try database.purgeTombstones(olderThanDays: horizonDays)
                    if purge.purged > 0 { context.warn("Purged \(purge.purged) records deleted more than \(horizonDays) days ago.") }
                } catch {
                    context.warn("Warning: could not purge old deleted records: \(error)")
                }
                Thread.sleep(forTimeInterval: 3600)
            }
        }
    }
}
