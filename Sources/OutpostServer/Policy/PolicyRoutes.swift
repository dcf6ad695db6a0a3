import OutpostHTTP
import OutpostJSON
import OutpostModel

/// The policy endpoints (SPEC §9.8–§9.10): `GET /v1/policy`, `POST /v1/codes/lease` and `GET /v1/reports/monthly`.
enum PolicyRoutes {
    /// Adds the policy endpoints to `router`. `now` gives the report time (UTC ms) for its overdue lists.
    static func add(to router: inout Router, database: ServerDatabase, now: @escaping @Sendable () -> Int64 = { ServerDatabase.nowMillis() }) {
        router.get("/v1/policy") { request, _ in
            _ = try SyncRoutes.currentUser(request)
            if let item = request.queryItems.first {
                throw APIError.invalidRequest("Unknown query parameter '\(item.name)'. The policy takes none.")
            }
            let policy = try database.policy()
            let etag = "\"policy-\(policy.version)\""
            if let asked = request.headers["If-None-Match"], asked.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag }) {
                var response = HTTPResponse(status: .notModified)
                response.headers.set(name: "ETag", value: etag)
                return response
            }
            var response = SyncRoutes.json(policy.jsonValue)
            response.headers.set(name: "ETag", value: etag)
            return response
        }
        router.post("/v1/codes/lease") { request, _ in
            let user = try SyncRoutes.currentUser(request)
            guard !request.body.isEmpty else {
                throw APIError.invalidRequest("The request needs a JSON body: {\"lease\":…,\"branch\":…,\"year\":…}.")
            }
            let lease: CodeLeaseRequest
            do {
                lease = try CodeLeaseRequest(json: JSONValue.parse(request.body))
            } catch let error as JSONParseError {
                throw APIError.malformedJSON(error.description)
            } catch let error as WireDecodingError {
                throw APIError.invalidRequest(error)
            }
            return SyncRoutes.json(try database.leaseCodes(lease, user: user).jsonValue)
        }
        router.get("/v1/reports/monthly") { request, _ in
            let user = try SyncRoutes.currentUser(request)
            for item in request.queryItems where item.name != "month" && item.name != "format" {
                throw APIError.invalidRequest("Unknown query parameter '\(item.name)'. The report takes month and format.")
            }
            guard let monthText = request.query["month"] else { throw APIError.invalidRequest("Give the month: ?month=YYYY-MM.") }
            let month: ReportMonth
            do { month = try ReportMonth(monthText) } catch { throw APIError.invalidRequest("\(error)") }
            let formatText = request.query["format"] ?? "json"
            guard let format = ReportFormat(rawValue: formatText) else {
                throw APIError.invalidRequest("format must be one of \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")); got '\(formatText)'.")
            }
            let report = try database.monthlyReport(month: month, scope: user.scope, now: now())
            switch format {
            case .json: return SyncRoutes.json(report.jsonValue)
            case .csv: return HTTPResponse(headers: ["Content-Type": "text/csv; charset=utf-8"], body: .bytes(Array(report.render(.csv).utf8)))
            case .markdown: return HTTPResponse(headers: ["Content-Type": "text/markdown; charset=utf-8"], body: .bytes(Array(report.render(.markdown).utf8)))
            case .table: return .text(report.render(.table))
            }
        }
    }
}
