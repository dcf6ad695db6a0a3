import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostServer
import OutpostTestSupport

/// A client written from `Protocol/SPEC.md` alone, in Python (`Protocol/tools/reference_client.py`),
/// syncs two devices through a real server; a Swift device of the same user then holds exactly
/// the versions the Python devices hold.
@Suite("A Python client written from the spec interoperates")
struct ReferenceClientTests {
    /// `python3` on the `PATH`, if any.
    static let python: URL? = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        .split(separator: ":")
        .map { URL(fileURLWithPath: String($0)).appendingPathComponent("python3") }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }

    static var script: URL {
        URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Protocol/tools/reference_client.py")
    }

    @Test(.enabled(if: python != nil, "needs python3 on the PATH"))
    func pythonDevicesAndASwiftDeviceEndIdentical() async throws {
        let support = try TestServer()
        defer { support.cleanUp() }
        let server = SyncServer(database: support.database, port: 0)
        try server.start()
        defer { server.shutdown() }
        let url = "http://127.0.0.1:\(server.port)"
        let token = try support.addUser("py", role: .manager, branch: "BJ")

        let process = Process()
        process.executableURL = try #require(Self.python)
        process.arguments = [Self.script.path, "selftest", "--server", url, "--token", token]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let printed = output.fileHandleForReading.readAllRetryingInterrupts()
        let complaints = String(decoding: errors.fileHandleForReading.readAllRetryingInterrupts(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "the Python client's checks failed:\n\(complaints)")

        let held = try #require(JSONValue.parse(Array(printed)).objectValue?["records"]?.arrayValue)
        let pythonRecords = try held.map { try Record(json: $0) }
        #expect(pythonRecords.count == 3)

        let replica = try Replica(path: support.path("swift.db"))
        let api = SyncAPI(transport: try HTTPTransport(baseURL: url), token: token)
        let session = try await api.session()
        try replica.configure(ReplicaSettings(serverURL: url, token: token, user: session.user, role: session.role,
                                              branch: session.branch, serverID: session.serverID))
        _ = try await SyncEngine(replica: replica, api: api).sync()
        #expect(try replica.status().records == pythonRecords.count)
        for record in pythonRecords {
            #expect(try replica.record(record.id) == record, "record \(record.id) differs between Python and Swift")
        }
        let customers = try replica.records(.customer)
        #expect(Set(customers.compactMap { $0.value(of: "code")?.stringValue }) == ["PY-1", "PY-2"])
        #expect(customers.allSatisfy { $0.conflicts.isEmpty })
    }
}
