import OutpostHTTP
import OutpostModel

/// The sync server: the HTTP API on a socket, backed by a ``ServerDatabase``.
///
/// ```swift
/// let server = try SyncServer(database: ServerDatabase(path: "outpost.db"), port: 8080)
/// try server.start()
/// server.installSignalHandlers()   // SIGTERM/SIGINT finish requests in flight, then stop
/// server.waitUntilStopped()
/// ```
public final class SyncServer: Sendable {
    /// The database behind the API.
    public let database: ServerDatabase
    /// The HTTP server.
    public let http: HTTPServer
    /// The router, usable in-process without a socket.
    public let router: Router
    /// Requests, records, refusals, connections and the database size, as served at `GET /metrics`.
    public let metrics: ServerMetrics

    /// Creates a server on `host`:`port` (port 0 picks a free port; read it from ``port`` after ``start()``).
    /// `maxClockSkewMillis` is how far ahead of this server's clock pushed writes may be stamped;
    /// `metricsAccess` says who may read `GET /metrics` (counting goes on either way).
    public init(database: ServerDatabase, host: String = "127.0.0.1", port: Int = 8080, log: RequestLogMiddleware? = nil,
                maxClockSkewMillis: Int64 = PushPlanner.defaultMaxClockSkewMillis, metricsAccess: MetricsAccess = .off,
                configure: (inout HTTPServer.Configuration) -> Void = { _ in }) {
        self.database = database
        metrics = ServerMetrics(database: database)
        router = SyncRoutes.makeRouter(database: database, log: log, maxClockSkewMillis: maxClockSkewMillis,
                                       metrics: metrics, metricsAccess: metricsAccess)
        var configuration = HTTPServer.Configuration()
        configuration.host = host
        configuration.port = port
        // Every answer names the protocol version, even errors from the HTTP layer itself.
        configuration.defaultHeaders = [SyncProtocol.versionHeader: String(SyncProtocol.currentVersion)]
        configure(&configuration)
        http = HTTPServer(configuration: configuration, responder: router)
        metrics.observe(http)
    }

    /// Binds and starts accepting connections.
    public func start() throws { try http.start() }
    /// The bound port.
    public var port: Int { http.port }
    /// Stops accepting, finishes requests in flight, and returns when all connections are closed.
    public func shutdown() { http.shutdown() }
    /// Makes SIGTERM and SIGINT trigger a graceful shutdown.
    public func installSignalHandlers() { http.installSignalHandlers() }
    /// Blocks until the server has stopped.
    public func waitUntilStopped() { http.waitUntilStopped() }
}
