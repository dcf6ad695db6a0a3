import Foundation
import OutpostCrypto
import OutpostHTTP
import OutpostMetrics

/// `GET /metrics`: the Prometheus text exposition, for whom ``MetricsAccess`` lets in.
enum MetricsRoute {
    static func add(to router: inout Router, metrics: ServerMetrics?, access: MetricsAccess) {
        router.get("/metrics") { request, _ in
            guard let metrics, access != .off else {
                throw APIError(status: 404, code: "not_found",
                               message: "Metrics are off on this server. Start it with --metrics-token-file FILE (or --metrics-open).")
            }
            if case .token(let expected) = access {
                let header = request.headers["Authorization"] ?? ""
                let parts = header.split(separator: " ", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "bearer",
                      constantTimeEquals(String(parts[1]).trimmingCharacters(in: .whitespaces), expected)
                else {
                    throw APIError.unauthorized("Metrics need the metrics token: Authorization: Bearer <token from --metrics-token-file>.")
                }
            }
            return .text(metrics.registry.exposition(), headers: [:]).withContentType(PrometheusText.contentType)
        }
    }
}

extension HTTPResponse {
    /// The same response with `Content-Type` replaced.
    func withContentType(_ type: String) -> HTTPResponse {
        var response = self
        response.headers.set(name: "Content-Type", value: type)
        return response
    }
}
