import Foundation
import OutpostClient
import OutpostHTTP
import OutpostModel
import OutpostServer

/// Helpers for tests: a server database in a temporary directory, users, and transports that
/// reach the server's router in-process (no socket) or over loopback.
public final class TestServer: Sendable {
    /// The temporary directory holding the databases; removed by ``cleanUp()``.
    public let directory: URL
    /// The server database.
    public let database: ServerDatabase
    /// The router (in-process API).
    public let router: Router

    /// Creates a server database in a fresh temporary directory.
    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        database = try ServerDatabase(path: directory.appendingPathComponent("server.db").path)
        router = SyncRoutes.makeRouter(database: database)
    }

    /// A path for another database file in the test directory.
    public func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Adds a user and returns their token.
    public func addUser(_ name: String, role: Role = .sales, branch: String = "BJ") throws -> String {
        try database.addUser(name: name, role: role, branch: branch)
    }

    /// A transport that calls the router directly.
    public var transport: InProcessTransport {
        let router = self.router
        return InProcessTransport { request in router.handle(request) }
    }

    /// Removes the temporary directory.
    public func cleanUp() { try? FileManager.default.removeItem(at: directory) }
}

extension Router {
    /// Answers a client ``TransportRequest`` in-process, as the socket server would.
    public func handle(_ request: TransportRequest) -> TransportResponse {
        var headers = HTTPHeaders()
        for (name, value) in request.headers { headers.add(name: name, value: value) }
        headers.set(name: "Content-Length", value: String(request.body.count))
        if !headers.contains("Host") { headers.set(name: "Host", value: "in-process") }
        var target = request.path
        if !request.queryItems.isEmpty {
            target += "?" + request.queryItems.map { "\(Self.percentEncode($0.name))=\(Self.percentEncode($0.value))" }.joined(separator: "&")
        }
        var parser = HTTPRequestParser()
        var head = Array("\(request.method) \(target) HTTP/1.1\r\n".utf8)
        for field in headers { head += Array("\(field.name): \(field.value)\r\n".utf8) }
        head += Array("\r\n".utf8)
        parser.append(head + request.body)
        let httpRequest: HTTPRequest
        do {
            guard let parsed = try parser.nextRequest() else {
                return TransportResponse(status: 400, body: Array(#"{"error":{"code":"invalid_request","message":"incomplete"}}"#.utf8))
            }
            httpRequest = parsed
        } catch {
            return TransportResponse(status: error.status.code, body: (try? error.makeResponse().collectBody()) ?? [])
        }
        let response = respond(to: httpRequest)
        var responseHeaders: [String: String] = [:]
        for field in response.headers { responseHeaders[field.name.lowercased()] = field.value }
        let body = (try? response.collectBody()) ?? []
        return TransportResponse(status: response.status.code, headers: responseHeaders, body: body)
    }

    static func percentEncode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}
