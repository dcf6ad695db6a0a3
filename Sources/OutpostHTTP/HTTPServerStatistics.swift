extension HTTPServer {
    /// What the event loop has seen: gauges of the current state and counters since `start()`.
    ///
    /// ```swift
    /// let stats = server.statistics
    /// print("\(stats.openConnections) open, \(stats.idleConnections) idle, \(stats.rejected) refused")
    /// ```
    public struct Statistics: Sendable, Hashable {
        /// Connections open now (admitted ones; not those being refused with 503).
        public var openConnections = 0
        /// Open connections idle between requests (or not yet sending one).
        public var idleConnections = 0
        /// Bytes of request bodies held now (declared lengths of bodies being received, queued
        /// or handled), against `Configuration.maxBufferedBodyBytes`.
        public var bufferedBodyBytes = 0
        /// Complete requests waiting for a free worker thread.
        public var queuedRequests = 0
        /// Connections admitted since start.
        public var accepted = 0
        /// Requests handed to the responder since start.
        public var requests = 0
        /// Connections refused (503, or closed at once) because the server was full.
        public var rejected = 0
        /// Requests refused with 503 because their body did not fit `maxBufferedBodyBytes`.
        public var bodyBudgetRejections = 0
        /// Idle connections closed to admit a new one (or to free a descriptor).
        public var idleClosedForCapacity = 0
        /// Idle connections closed by the idle (or first-request) timeout.
        public var idleTimeouts = 0
        /// Started requests cut off with 408 by the header or body deadline.
        public var requestTimeouts = 0
        /// Connections closed because the client did not read a response within the write timeout.
        public var writeTimeouts = 0
        /// Requests refused by the parser (400, 413, 431, 501, 505…).
        public var parseErrors = 0

        /// All zero; `HTTPServer.Statistics()`.
        public init() {}
    }
}
