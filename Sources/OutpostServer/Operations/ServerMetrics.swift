import OutpostHTTP
import OutpostMetrics
import OutpostModel

/// The sync server's metrics, served at `GET /metrics` in the Prometheus text format.
///
/// | metric | type | labels |
/// |---|---|---|
/// | `outpost_http_requests_total` | counter | `method`, `route` (the pattern), `status` |
/// | `outpost_http_request_duration_seconds` | histogram | `method`, `route` |
/// | `outpost_refusals_total` | counter | `code` (the error code of 4xx/5xx answers) |
/// | `outpost_records_pushed_total` | counter | |
/// | `outpost_records_pulled_total` | counter | |
/// | `outpost_conflicts_total` | counter | |
/// | `outpost_push_replays_total` | counter | |
/// | `outpost_http_open_connections`, `…_idle_connections`, `…_queued_requests` | gauge | |
/// | `outpost_http_connections_rejected_total`, `…_parse_errors_total`, `…_request_timeouts_total` | counter | |
/// | `outpost_database_size_bytes` | gauge | |
///
/// ```swift
/// let metrics = ServerMetrics(database: database)
/// let router = SyncRoutes.makeRouter(database: database, metrics: metrics, metricsAccess: .open)
/// print(metrics.registry.exposition())
/// ```
public final class ServerMetrics: Sendable {
    /// The registry the exposition is rendered from.
    public let registry = MetricsRegistry()
    private let requests: Counter
    private let duration: Histogram
    private let refusals: Counter
    private let pushed: Counter
    private let pulled: Counter
    private let conflicts: Counter
    private let replays: Counter

    /// Metrics for a server over `database` (its size is read at each scrape).
    public init(database: ServerDatabase) {
        requests = registry.counter("outpost_http_requests_total", help: "HTTP requests answered, by method, route pattern and status.",
                                    labels: ["method", "route", "status"])
        duration = registry.histogram("outpost_http_request_duration_seconds",
                                      help: "Time from a request reaching the router until its response body was produced.",
                                      labels: ["method", "route"])
        refusals = registry.counter("outpost_refusals_total", help: "Error answers (4xx and 5xx) by error code.", labels: ["code"])
        pushed = registry.counter("outpost_records_pushed_total", help: "Records applied from push batches (retried batches not counted again).")
        pulled = registry.counter("outpost_records_pulled_total", help: "Records sent in pull pages.")
        conflicts = registry.counter("outpost_conflicts_total", help: "Pushed records answered conflict: the merge kept siblings for a decision.")
        replays = registry.counter("outpost_push_replays_total", help: "Push batches answered from the stored answer of an earlier identical push.")
        registry.collect {
            let bytes = (try? database.sizeInBytes()).map(Double.init) ?? .nan
            return [MetricFamily(name: "outpost_database_size_bytes", help: "Database size in bytes (pages in use).", type: .gauge,
                                 samples: [.init(labels: [], value: bytes)])]
        }
    }

    /// Adds the connection gauges and counters of `server` (read at each scrape).
    public func observe(_ server: HTTPServer) {
        registry.collect {
            let statistics = server.statistics
            func family(_ name: String, _ help: String, _ type: MetricFamily.Kind, _ value: Int) -> MetricFamily {
                MetricFamily(name: name, help: help, type: type, samples: [.init(labels: [], value: Double(value))])
            }
            return [
                family("outpost_http_open_connections", "Connections open now.", .gauge, statistics.openConnections),
                family("outpost_http_idle_connections", "Open connections idle between requests.", .gauge, statistics.idleConnections),
                family("outpost_http_queued_requests", "Complete requests waiting for a worker thread.", .gauge, statistics.queuedRequests),
                family("outpost_http_connections_rejected_total", "Connections refused because the server was full.", .counter,
                       statistics.rejected),
                family("outpost_http_parse_errors_total", "Requests refused by the HTTP parser (400, 413, 431, 501, 505).", .counter,
                       statistics.parseErrors),
                family("outpost_http_request_timeouts_total", "Requests cut off with 408 by the header or body deadline.", .counter,
                       statistics.requestTimeouts),
            ]
        }
    }

    /// Counts one answered request.
    func record(_ summary: RequestSummary) {
        requests.increment([summary.method, summary.route, String(summary.status)])
        duration.observe(summary.durationSeconds, [summary.method, summary.route])
        if summary.status >= 400 { refusals.increment([summary.errorCode ?? "http_\(summary.status)"]) }
    }

    /// Counts a push's records and conflicts, or a replayed push once.
    func notePush(_ response: PushResponse, replayed: Bool) {
        if replayed {
            replays.increment()
            return
        }
        pushed.increment(by: Double(response.results.count))
        conflicts.increment(by: Double(response.results.filter { $0.status == .conflict }.count))
    }

    /// Counts the records of a pull page.
    func notePulled(_ count: Int) {
        pulled.increment(by: Double(count))
    }
}

/// Who may read `GET /metrics`.
public enum MetricsAccess: Sendable, Hashable {
    /// Nobody: `/metrics` answers 404 (the default).
    case off
    /// Scrapers that send `Authorization: Bearer <token>` (`serve --metrics-token-file`).
    case token(String)
    /// Anyone who can reach the port (`serve --metrics-open`; for loopback or a private network).
    case open
}

/// Counts every request for ``ServerMetrics``.
struct MetricsMiddleware: HTTPMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: HTTPRequest, next: (HTTPRequest) -> HTTPResponse) throws -> HTTPResponse {
        let metrics = metrics
        return RequestObservation.observe(request, next: next) { metrics.record($0) }
    }
}
