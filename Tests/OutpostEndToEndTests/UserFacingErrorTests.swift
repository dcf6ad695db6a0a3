import Testing
@testable import OutpostCLI
import OutpostClient
import OutpostModel
import OutpostStore

/// The mapping from internal errors to what the `outpost` command prints, for the cases a test
/// cannot easily provoke with real files and sockets (a full disk, a lock held elsewhere).
@Suite("UserFacingError: what happened and what to do")
struct UserFacingErrorTests {
    static let situation = UserFacingError.Situation(replicaPath: "/home/li/.outpost/replica.db", serverURL: "https://sync.example.com",
                                                     timeoutSeconds: 60, pendingChanges: 3)

    @Test(arguments: [
        (DatabaseError.Code.full, "The disk is full"),
        (.readonly, "Cannot write to the local database file /home/li/.outpost/replica.db: check its permissions and ownership"),
        (.busy, "Another outpost command is using this replica"),
        (.locked, "Another outpost command is using this replica"),
        (.corrupt, "The local database /home/li/.outpost/replica.db is damaged. Run `outpost doctor`"),
        (.notADatabase, "The local database /home/li/.outpost/replica.db is damaged. Run `outpost doctor`"),
        (.cantOpen, "Cannot open the local database file"),
        (.ioError, "a disk error"),
    ])
    func sqliteErrorsSayWhatToDoAndKeepTheDetail(code: DatabaseError.Code, message: String) {
        let error = DatabaseError(code: code, message: "sqlite says so", sql: "COMMIT TRANSACTION")
        let shown = UserFacingError(error, situation: Self.situation)
        #expect(shown.message.contains(message), "\(shown.message)")
        #expect(!shown.message.contains("SQLite"))
        #expect(!shown.message.contains("COMMIT"))
        #expect(shown.detail?.contains("SQLite error \(code.rawValue)") == true)
        #expect(shown.detail?.contains("COMMIT TRANSACTION") == true)
    }

    @Test(arguments: [
        ("https://sync.example.com: The operation could not be completed. (NSURLErrorDomain error -1001.)",
         "The server did not answer within 60 s. Check the network connection and try `outpost sync` again — nothing was lost."),
        ("https://sync.example.com: Failed to connect to sync.example.com port 443 after 2 ms: Couldn't connect to server",
         "Could not connect to the server at https://sync.example.com"),
        ("https://sync.example.com: Could not resolve host: sync.example.com", "The name of the server at https://sync.example.com could not be found"),
        ("https://sync.example.com: The operation could not be completed. (NSURLErrorDomain error -1202.)", "certificate"),
        ("https://sync.example.com: The operation could not be completed. (NSURLErrorDomain error -1009.)", "not connected to a network"),
    ])
    func networkFailuresSayWhatToDoAndThatEditsAreKept(reason: String, message: String) {
        let shown = UserFacingError(SyncError.unreachable(reason), situation: Self.situation)
        #expect(shown.message.contains(message), "\(shown.message)")
        #expect(shown.message.contains("3 local edits are kept"), "\(shown.message)")
        #expect(!shown.message.contains("NSURLErrorDomain"))
        #expect(shown.detail == reason)
    }

    @Test func refusalsAreSentencesChosenByCodeWithTheServerMessageAsDetail() {
        let body = ErrorBody(code: "forbidden", message: "Only managers may delete customers.",
                             details: [ErrorDetail(message: "not yours", record: "r-1")])
        let english = UserFacingError(SyncError.rejected(status: 403, error: body), situation: Self.situation)
        #expect(english.message == Localizer(.english)("refusal.forbidden"))
        #expect(english.detail?.contains("403 forbidden: Only managers may delete customers.") == true)
        #expect(english.detail?.contains("r-1: not yours") == true)
        let chinese = UserFacingError(SyncError.rejected(status: 403, error: body), situation: Self.situation, Localizer(.chinese))
        #expect(chinese.message.hasPrefix("服务器拒绝"), "\(chinese.message)")
        #expect(!chinese.message.contains("Only managers"))
        let unknown = UserFacingError(SyncError.rejected(status: 409, error: ErrorBody(code: "brand_new", message: "x")), situation: Self.situation)
        #expect(unknown.message.contains("(brand_new)"), "\(unknown.message)")
    }

    @Test func serverErrorsSayToTryLaterAndTokenErrorsSayToRunInit() {
        let failing = UserFacingError(SyncError.rejected(status: 500, error: ErrorBody(code: "internal", message: "boom")),
                                      situation: Self.situation)
        #expect(failing.message.contains("The server ran into a problem (HTTP 500). Try again later"))
        #expect(failing.detail?.contains("boom") == true)
        let token = UserFacingError(SyncError.unauthorized("The access token is unknown or has been revoked."), situation: Self.situation)
        #expect(token.message.contains("outpost init --server URL --token NEW-TOKEN"))
        let damaged = UserFacingError(ReplicaError.corrupt("the pending batch cannot be read"), situation: Self.situation)
        #expect(damaged.message.contains("is damaged. Run `outpost doctor`"))
        #expect(damaged.detail == "the pending batch cannot be read")
    }
}
