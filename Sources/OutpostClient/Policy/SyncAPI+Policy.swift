import OutpostJSON
import OutpostModel

/// The policy endpoints (SPEC §9.8–§9.10).
extension SyncAPI {
    /// `GET /v1/policy`: the policy document, or `nil` when it still has the ETag `etag` (304) or
    /// the server predates policies (404).
    public func policy(ifNoneMatch etag: String? = nil) async throws -> (document: PolicyDocument, etag: String?)? {
        var headers: [String: String] = [:]
        if let etag { headers["If-None-Match"] = etag }
        let response = try await policySend(TransportRequest(method: "GET", path: "/v1/policy", headers: headers))
        if response.status == 304 || response.status == 404 { return nil }
        let json = try policyCheck(response)
        do {
            let etag = response.headers.first { $0.key.lowercased() == "etag" }?.value
            return (try PolicyDocument(json: json), etag)
        } catch {
            throw SyncError.protocolViolation("the server's policy document cannot be read: \(error)")
        }
    }

    /// `POST /v1/codes/lease`: a block of customer code numbers for this device.
    public func leaseCodes(_ request: CodeLeaseRequest) async throws -> CodeBlock {
        let response = try await policySend(TransportRequest(method: "POST", path: "/v1/codes/lease", headers: ["Content-Type": "application/json"],
                                                             body: request.jsonValue.serializedBytes()))
        let json = try policyCheck(response)
        do {
            let block = try CodeBlock(json: json)
            guard block.lease == request.lease, block.series.branch == request.branch else {
                throw SyncError.protocolViolation("the code lease answer does not match the request")
            }
            return block
        } catch let error as WireDecodingError {
            throw SyncError.protocolViolation(error.description)
        }
    }

    /// `GET /v1/reports/monthly`: the server's monthly report over what the token's user may read, as JSON.
    public func monthlyReport(month: ReportMonth) async throws -> JSONValue {
        try policyCheck(try await policySend(TransportRequest(method: "GET", path: "/v1/reports/monthly", query: [("month", month.description)])))
    }

    private func policySend(_ request: TransportRequest) async throws -> TransportResponse {
        var request = request
        request.headers["Authorization"] = "Bearer \(token)"
        request.headers[SyncProtocol.versionHeader] = String(version)
        request.headers["Accept"] = "application/json"
        return try await transport.send(request)
    }

    private func policyCheck(_ response: TransportResponse) throws -> JSONValue {
        let json: JSONValue
        do {
            json = try JSONValue.parse(response.body)
        } catch {
            throw SyncError.protocolViolation("status \(response.status) with a body that is not JSON (\(error))")
        }
        guard (200..<300).contains(response.status) else {
            let error = (try? ErrorBody(json: json)) ?? ErrorBody(code: "http_\(response.status)", message: "HTTP status \(response.status)")
            if response.status == 401 { throw SyncError.unauthorized(error.message) }
            throw SyncError.rejected(status: response.status, error: error)
        }
        return json
    }
}
