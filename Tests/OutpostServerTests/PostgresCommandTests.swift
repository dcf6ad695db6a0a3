import Foundation
import Testing
import OutpostServer
import OutpostTestSupport

/// `outpost-server … --postgres URL`: admin commands against the database several instances share.
@Suite("outpost-server on PostgreSQL")
struct PostgresCommandTests {
    @Test(.enabled(if: TestStorage.usesPostgres))
    func adminCommandsWorkOnTheSharedDatabaseAndFileCommandsPointToPgDump() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        let storage = server.storageArguments
        let added = await runServerCommand(["user", "add", "li", "--role", "sales", "--branch", "BJ"] + storage)
        #expect(added.status == 0, "\(added.err)")
        let token = String(added.out.split(separator: "\n").last ?? "")
        // The running instance sees the user at once: it is the same database.
        #expect(try server.database.authenticate(token: token)?.name == "li")
        let listed = await runServerCommand(["user", "list"] + storage)
        #expect(listed.out.split(separator: "\n").contains { $0.hasPrefix("li ") && $0.contains("sales") })

        for command in ["backup", "restore"] {
            let option = command == "backup" ? ["--to", server.path("copy.db")] : ["--from", server.path("copy.db")]
            let refused = await runServerCommand([command] + option + storage)
            #expect(refused.status == 64 && refused.err.contains("pg_dump") && refused.err.contains("new-epoch"), "\(refused.err)")
        }

        let epoch = server.database.epoch
        let renewed = await runServerCommand(["new-epoch"] + storage)
        #expect(renewed.status == 0, "\(renewed.err)")
        let reopened = try server.openAnotherInstance()
        #expect(reopened.epoch != epoch)
        #expect(try reopened.earlierEpochs().contains(epoch))
    }

    @Test(.disabled(if: ServerDatabase.supportsPostgres))
    func withoutTheTraitPostgresIsRefusedWithTheBuildCommand() async {
        let result = await runServerCommand(["user", "list", "--postgres", "postgres://localhost/outpost"])
        #expect(result.status == 1)
        #expect(result.err.contains("no PostgreSQL support") && result.err.contains("--traits PostgreSQL"), "\(result.err)")
    }
}
