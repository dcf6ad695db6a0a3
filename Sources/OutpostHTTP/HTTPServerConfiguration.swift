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
        /// Time allowed to receive one whole request once its first byte arrived; then 408 and close.
        public var readTimeout: Duration
        /// Time an open connection may wait for its next request; then it is closed silently.
        public var idleTimeout: Duration
        /// Time one `send` may block on a client that does not read; then the connection is closed.
        public var writeTimeout: Duration
        /// Maximum concurrently served connections. When reached, the server stops calling
        /// `accept`, so new connections wait in the kernel listen backlog (no 503 is sent).
        public var maxConnections: Int
        /// The `listen` backlog.
        public var backlog: Int32
        /// Headers added to every response that does not set them itself, including the error
        /// responses the server sends before a request reaches the responder (400, 408, 413, 431, 501…).
        ///
        /// ```swift
        /// configuration.defaultHeaders = ["Outpost-Protocol": "1"]
        /// ```
        public var defaultHeaders: HTTPHeaders = [:]

        /// Creates a configuration; every parameter has a default.
        ///
        /// ```swift
        /// HTTPServer.Configuration(host: "0.0.0.0", port: 8080, maxConnections: 128)
        /// ```
        public init(
            host: String = "127.0.0.1",
            port: Int = 0,
            maxHeaderBytes: Int = 16 * 1024,
            maxBodyBytes: Int = 32 * 1024 * 1024,
            readTimeout: Duration = .seconds(30),
            idleTimeout: Duration = .seconds(60),
            writeTimeout: Duration = .seconds(30),
            maxConnections: Int = 64,
            backlog: Int32 = 128
        ) {
            self.host = host
            self.port = port
            self.maxHeaderBytes = maxHeaderBytes
            self.maxBodyBytes = maxBodyBytes
            self.readTimeout = readTimeout
            self.idleTimeout = idleTimeout
            self.writeTimeout = writeTimeout
            self.maxConnections = max(1, maxConnections)
            self.backlog = backlog
        }

        var parserLimits: HTTPRequestParser.Limits {
            HTTPRequestParser.Limits(maxHeaderBytes: maxHeaderBytes, maxBodyBytes: maxBodyBytes)
        }
    }
}
