import Foundation

extension HTTPServer {
    /// Listening address, limits and timeouts.
    ///
    /// ```swift
    /// var configuration = HTTPServer.Configuration(port: 8080)
    /// configuration.idleTimeout = .seconds(5)
    /// ```
    public struct Configuration: Sendable {
        /// Host or numeric address to bind, e.g. `"127.0.0.1"`, `"0.0.0.0"` or `"::"`.
        public var host: String
        /// TCP port; `0` picks an ephemeral port (read it back from `HTTPServer.port`).
        public var port: Int
        /// Maximum bytes of request line plus headers; larger heads get 431.
        public var maxHeaderBytes: Int
        /// Maximum request body; larger `Content-Length`s get 413 before the body is read.
        public var maxBodyBytes: Int
        /// Budget for request bodies held at once across all connections: bodies being received,
        /// waiting for a worker or being handled. A request whose `Content-Length` does not fit
        /// the budget left gets `503 unavailable` (retry later) before its body is read, so many
        /// connections cannot together hold `maxConnections × maxBodyBytes` of memory. Never
        /// below `maxBodyBytes`.
        public var maxBufferedBodyBytes: Int
        /// Time allowed for a whole request head (request line and headers), counted from its
        /// first byte; a head still incomplete then gets 408 and the connection is closed, so
        /// trickled headers cannot hold a connection. A new connection must also start its
        /// first request within this time, else it is closed silently.
        public var headerTimeout: Duration
        /// Time allowed for a request body, counted from the end of its head; then 408 and close.
        public var bodyTimeout: Duration
        /// Time an open keep-alive connection may wait for its next request; then it is closed
        /// silently.
        public var idleTimeout: Duration
        /// Time a response write may wait for a client that does not read; then the
        /// connection is closed.
        public var writeTimeout: Duration
        /// Maximum open client connections. At the limit, the idle keep-alive connection that
        /// has been idle longest is closed to admit a new one; when none is idle, new
        /// connections get `503 unavailable` and are closed.
        public var maxConnections: Int
        /// Requests served on one keep-alive connection before the server answers with
        /// `Connection: close`, so long-lived connections are recycled.
        public var maxRequestsPerConnection: Int
        /// Threads running the responder (the request handlers). Requests beyond this number
        /// wait in a queue while their connections cost no thread.
        public var workerThreads: Int
        /// The `listen` backlog.
        public var backlog: Int32
        /// Headers added to every response that does not set them itself, including the error
        /// responses the server sends before a request reaches the responder (400, 408, 413, 431, 501, 503…).
        ///
        /// ```swift
        /// configuration.defaultHeaders = ["Outpost-Protocol": "1"]
        /// ```
        public var defaultHeaders: HTTPHeaders = [:]

        /// The former name of `bodyTimeout`.
        @available(*, deprecated, renamed: "bodyTimeout")
        public var readTimeout: Duration {
            get { bodyTimeout }
            set { bodyTimeout = newValue }
        }

        /// The default number of worker threads: twice the active processor count, at least 4.
        public static var defaultWorkerThreads: Int {
            max(4, 2 * ProcessInfo.processInfo.activeProcessorCount)
        }

        /// Creates a configuration; every parameter has a default.
        ///
        /// ```swift
        /// HTTPServer.Configuration(host: "0.0.0.0", port: 8080, maxConnections: 2_000)
        /// ```
        public init(
            host: String = "127.0.0.1",
            port: Int = 0,
            maxHeaderBytes: Int = 16 * 1024,
            maxBodyBytes: Int = 32 * 1024 * 1024,
            maxBufferedBodyBytes: Int = 256 * 1024 * 1024,
            headerTimeout: Duration = .seconds(10),
            bodyTimeout: Duration = .seconds(30),
            idleTimeout: Duration = .seconds(60),
            writeTimeout: Duration = .seconds(30),
            maxConnections: Int = 10_000,
            maxRequestsPerConnection: Int = 1_000,
            workerThreads: Int = Configuration.defaultWorkerThreads,
            backlog: Int32 = 1_024
        ) {
            self.host = host
            self.port = port
            self.maxHeaderBytes = maxHeaderBytes
            self.maxBodyBytes = maxBodyBytes
            self.maxBufferedBodyBytes = maxBufferedBodyBytes
            self.headerTimeout = headerTimeout
            self.bodyTimeout = bodyTimeout
            self.idleTimeout = idleTimeout
            self.writeTimeout = writeTimeout
            self.maxConnections = max(1, maxConnections)
            self.maxRequestsPerConnection = max(1, maxRequestsPerConnection)
            self.workerThreads = max(1, workerThreads)
            self.backlog = backlog
        }

        var parserLimits: HTTPRequestParser.Limits {
            HTTPRequestParser.Limits(maxHeaderBytes: maxHeaderBytes, maxBodyBytes: maxBodyBytes)
        }
    }
}
