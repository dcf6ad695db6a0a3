import Foundation
import Testing
import OutpostHTTP
import OutpostJSON
import OutpostModel
import OutpostServer

/// `Protocol/` is the single source of truth for the wire: the OpenAPI file lists exactly the
/// operations the server serves, and the spec and OpenAPI file name every error code it sends.
@Suite("Protocol/ describes what the server serves")
struct APIDescriptionTests {
    /// The text of a file in `Protocol/`, found from this source file's location.
    static func protocolFile(_ name: String) throws -> String {
        let root = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("Protocol").appendingPathComponent(name), encoding: .utf8)
    }

    /// The operations under `paths:` in `openapi.yaml`, as "GET /v1/pull" (templates as `{name}`).
    static func documentedOperations() throws -> Set<String> {
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]
        var operations: Set<String> = []
        var inPaths = false
        var path: String?
        for line in try protocolFile("openapi.yaml").split(separator: "\n").map(String.init) {
            if !line.hasPrefix(" ") && !line.hasPrefix("#") {
                inPaths = line == "paths:"
                path = nil
                continue
            }
            guard inPaths, line.hasSuffix(":") else { continue }
            let indent = line.prefix(while: { $0 == " " }).count
            let name = String(line.dropFirst(indent).dropLast())
            if indent == 2 && name.hasPrefix("/") {
                path = name
            } else if indent == 4, let path, methods.contains(name) {
                operations.insert("\(name.uppercased()) \(path)")
            }
        }
        return operations
    }

    /// A router pattern in OpenAPI's template form: `/v1/records/:id` → `/v1/records/{id}`.
    static func openAPIPath(_ pattern: String) -> String {
        pattern.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
            .joined(separator: "/")
    }

    @Test func theOpenAPIFileListsExactlyTheServedOperations() throws {
        let harness = try Harness()
        let router = SyncRoutes.makeRouter(database: harness.database)
        let served = Set(router.registeredRoutes.map { "\($0.method.rawValue) \(Self.openAPIPath($0.pattern))" })
        let documented = try Self.documentedOperations()
        #expect(documented.contains("POST /v1/push"), "the OpenAPI reader found \(documented.sorted())")
        #expect(served.subtracting(documented).isEmpty, "served but not in Protocol/openapi.yaml: \(served.subtracting(documented).sorted())")
        #expect(documented.subtracting(served).isEmpty, "in Protocol/openapi.yaml but not served: \(documented.subtracting(served).sorted())")
    }

    @Test func everyAPIErrorCodeIsInTheSpecAndTheOpenAPIFile() throws {
        let spec = try Self.protocolFile("SPEC.md")
        let openAPI = try Self.protocolFile("openapi.yaml")
        let id = RecordID.random()
        let errors: [APIError] = [
            .malformedJSON("x"), .invalidRequest("x"), .invalidRequest(WireDecodingError(path: "$", reason: "x")),
            .invalidCursor("x"), .unsupportedProtocol("9"), .unauthorized("x"), .forbidden("x", record: id),
            .batchReused("b"), .invalidRecords([ErrorDetail(message: "x")]),
            .recordMismatch(.identityMismatch(recordID: id.rawValue, reason: "x"), record: id), .notFound, .internal("x"),
            .nodeReused(NodeID(unchecked: "n")), .dotReused("x", record: id), .recoveryRequired("x"),
            .recordTooLarge([ErrorDetail(message: "x")]), .clockAhead([ErrorDetail(message: "x")]),
        ]
        for error in errors {
            let code = error.body.code
            #expect(spec.contains("| \(error.statusCode) | `\(code)` |"), "SPEC.md's error table lacks \(error.statusCode) \(code)")
            #expect(openAPI.contains(code), "openapi.yaml does not name \(code)")
        }
    }

    @Test func everyHTTPLevelErrorCodeIsInTheSpecAndTheOpenAPIFile() throws {
        let spec = try Self.protocolFile("SPEC.md")
        let openAPI = try Self.protocolFile("openapi.yaml")
        let parseErrors: [HTTPParseError] = [
            .invalidRequestLine, .invalidMethod, .invalidTarget, .unsupportedVersion("HTTP/2.0"), .invalidHeader,
            .obsoleteLineFolding, .headerSectionTooLarge(limit: 1), .invalidContentLength, .bodyTooLarge(length: 2, limit: 1),
            .transferEncodingNotSupported, .invalidHost, .unsupportedExpectation,
        ]
        var codes = parseErrors.map { ($0.status.code, $0.errorCode) }
        codes.append((405, "method_not_allowed"))  // the router, for a known path with another method
        codes.append((408, "request_timeout"))     // a connection, for a request not received in time
        for (status, code) in codes {
            #expect(spec.contains("| \(status) | `\(code)` |"), "SPEC.md's error tables lack \(status) \(code)")
            #expect(openAPI.contains(code), "openapi.yaml does not name \(code)")
        }
    }

    @Test func theNewExamplesDecodeWithTheSwiftTypesAndRoundTrip() throws {
        let diff = try JSONValue.parse(Array(Self.protocolFile("examples/diff-request.json").utf8))
        #expect(try DiffRequest(json: diff).jsonValue == diff)
        let missing = try JSONValue.parse(Array(Self.protocolFile("examples/diff-response.json").utf8))
        #expect(try DiffResponse(json: missing).jsonValue == missing)
        let authors = try JSONValue.parse(Array(Self.protocolFile("examples/authors.json").utf8))
        #expect(try AuthorsResponse(json: authors).jsonValue == authors)
        for name in ["error-node-reused.json", "error-recovery-required.json", "error-unsupported-protocol.json"] {
            let body = try ErrorBody(json: JSONValue.parse(Array(Self.protocolFile("examples/\(name)").utf8)))
            #expect(body.jsonValue == (try JSONValue.parse(Array(Self.protocolFile("examples/\(name)").utf8))), "\(name)")
        }
        // The server's own unsupported_protocol answer has the example's shape.
        let served = APIError.unsupportedProtocol("1").body
        let example = try ErrorBody(json: JSONValue.parse(Array(Self.protocolFile("examples/error-unsupported-protocol.json").utf8)))
        #expect(served == example)
    }
}
