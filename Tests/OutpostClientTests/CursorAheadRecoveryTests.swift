import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostServer
import OutpostTestSupport

/// An old database file copied back by hand, without `outpost-server restore`: the epoch in the
/// file is the old one, but the devices' cursors and node chains are ahead of it. The server finds
/// the file older than its marker (`<database>.mark`) when it opens it and begins a new epoch, as
/// `restore` does, so the devices run the ordinary recovery (SPEC §11.1) and re-offer what the file
/// lacks, including their own acknowledged writes; nothing is set aside.
@Suite("Recovery from a cursor ahead of the server")
struct CursorAheadRecoveryTests {
    @Test func devicesReOfferWhatAnOldFileCopiedBackLacks() async throws {
        let server = try TestServer(storage: .sqlite)
        defer { server.cleanUp() }
        let li = try await makeClient(server, "li")
        let wang = try await makeClient(server, "wang")
        let early = try li.replica.create(.customer, fields: Fixture.customer("C-1", name: "Acme"))
        try await li.sync(server)
        let backup = try server.backup()
        let late = try li.replica.create(.customer, fields: Fixture.customer("C-2", name: "Beta"))
        try li.replica.update(early.id, fields: ["name": "Acme Ltd"])
        try await li.sync(server)
        try await wang.sync(server)
        let epochBefore = server.database.epoch

        try server.replaceDatabaseFile(with: backup)
        #expect(try server.records().count == 1)
        let rollback = try #require(server.database.rollback, "the server notices the file went back in time")
        #expect(rollback.earlierEpochs == [epochBefore])
        #expect(server.database.epoch != epochBefore)
        #expect(try server.database.earlierEpochs().contains(epochBefore))
        try li.replica.update(late.id, fields: ["region": "North"])
        let report = try await li.sync(server)
        try await wang.sync(server)
        try await li.sync(server)
        #expect(report.refused == 0)
        #expect(report.recovered > 0)
        #expect(try li.replica.refusedEdits().isEmpty)
        #expect(try wang.replica.refusedEdits().isEmpty)
        #expect(try wang.replica.record(late.id)?.value(of: "region") == "North")
        #expect(try wang.replica.record(early.id)?.value(of: "name") == "Acme Ltd")
        #expect(try server.records() == allRecords(li.replica))
    }

    /// The marker is only a guard against going back: a server reopened on its own file (a restart)
    /// keeps its epoch, and `restore` is still the way to put a backup back.
    @Test func aRestartKeepsTheEpochAndARestoreIsNotMistakenForACopy() async throws {
        let server = try TestServer(storage: .sqlite)
        defer { server.cleanUp() }
        let li = try await makeClient(server, "li")
        let backup = try server.backup()
        _ = try li.replica.create(.customer, fields: Fixture.customer("C-1", name: "Acme"))
        try await li.sync(server)
        #expect(try server.database.newestSeq() > 0, "the backup is older than the file it replaces")
        let reopened = try ServerDatabase(path: server.databasePath)
        #expect(reopened.rollback == nil)
        #expect(reopened.epoch == server.database.epoch)
        let summary = try server.restore(from: backup)
        #expect(server.database.rollback == nil)
        #expect(server.database.epoch == summary.epoch)
        let again = try ServerDatabase(path: server.databasePath)
        #expect(again.rollback == nil)
        #expect(again.epoch == summary.epoch)
    }

    /// The file a restore replaced, copied back by hand afterwards, is from an epoch before the
    /// marker's: a new epoch begins and both older epochs can be named in recovery pushes.
    @Test func aFileFromBeforeARestoreCopiedBackBeginsANewEpoch() async throws {
        let server = try TestServer(storage: .sqlite)
        defer { server.cleanUp() }
        let li = try await makeClient(server, "li")
        let backup = try server.backup()
        let customer = try li.replica.create(.customer, fields: Fixture.customer("C-1", name: "Acme"))
        try await li.sync(server)
        let first = server.database.epoch
        let summary = try server.restore(from: backup)
        try await li.sync(server)
        let replaced = try #require(summary.keptReplacedFile)

        try server.replaceDatabaseFile(with: replaced)
        let rollback = try #require(server.database.rollback)
        #expect(Set(rollback.earlierEpochs) == [first, summary.epoch])
        #expect(![first, summary.epoch].contains(server.database.epoch))
        try li.replica.update(customer.id, fields: ["name": "Acme Ltd"])
        let report = try await li.sync(server)
        #expect(report.refused == 0)
        #expect(try li.replica.refusedEdits().isEmpty)
        #expect(try server.records() == allRecords(li.replica))
    }
}
