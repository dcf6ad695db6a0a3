import Foundation
import Testing
import OutpostServer

/// The server database holds every branch's records and the token hashes: its files, and backups
/// of it, are readable by their owner only.
@Suite("Server files are owner-only")
struct FilePermissionTests {
    static func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test func databaseWriteAheadLogAndBackupsAreCreated0600() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-perm-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/outpost.db"
        let database = try ServerDatabase(path: path)
        _ = try database.addUser(name: "li", role: .sales, branch: "BJ")
        #expect(try Self.mode(path) == 0o600)
        #expect(try Self.mode(path + "-wal") == 0o600)
        _ = try ServerDatabase.backup(databaseAt: path, to: directory + "/backup.db")
        #expect(try Self.mode(directory + "/backup.db") == 0o600)
        _ = try ServerDatabase.restore(from: directory + "/backup.db", to: directory + "/restored.db")
        #expect(try Self.mode(directory + "/restored.db") == 0o600)
    }
}
