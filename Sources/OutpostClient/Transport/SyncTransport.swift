import OutpostModel

/// One HTTP-shaped request to the sync server, independent of how it travels.
public struct TransportRequest: Sendable, Hashable {
    /// `GET` or `POST`.
    public var method: String
    /// The path, e.g. `/v1/pull`.
    public var path: String
    /// Query parameters (unencoded).
    public var query: [(String, String)] {
        get { queryItems.map { ($0.name, $0.value) } }
        set { queryItems = newValue.map { QueryItem(name: $0.0, value: $0.1) } }
    }
    /// Query parameters as values.
    public var queryItems: [QueryItem]
    /// Headers to send (the transport adds Content-Length).
    public var headers: [String: String]
    /// The body, empty for GET.
    public var body: [UInt8]

    /// A query parameter.
    public struct QueryItem: Sendable, Hashable {
        /// The parameter name (unencoded).
        public var name: String
        /// The parameter value (unencoded).
        public var value: String
        /// Creates a query parameter.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Creates a request.
    public init(method: String, path: String, query: [(String, String)] = [], headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.queryItems = query.map { QueryItem(name: $0.0, value: $0.1) }
        self.headers = headers
        self.body = body
    }
}

/// What came back: status code, headers (lowercased names) and the complete body.
public struct TransportResponse: Sendable, Hashable {
    /// The HTTP status code.
    public var status: Int
    /// Response headers with lowercased names.
    public var headers: [String: String]
    /// The body bytes.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: [String: String] = [:], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Moves requests to a sync server and answers back. Implementations: ``HTTPTransport``
/// (Foundation networking) and ``InProcessTransport`` (a function call, for tests and embedding).
///
/// Throw ``SyncError/unreachable(_:)`` when the server could not be reached; an HTTP error
/// status is a normal response, not a thrown error.
public protocol SyncTransport: Sendable {
    /// Sends one request and returns the complete response.
    func send(_ request: TransportRequest) async throws -> TransportResponse
}

/// A transport that hands requests to a function in the same process.
///
/// ```swift
/// let transport = InProcessTransport { request in await server.handle(request) }
/// ```
public struct InProcessTransport: SyncTransport {
    private let handler: @Sendable (TransportRequest) async throws -> TransportResponse

    /// Creates a transport around `handler`.
    public init(_ handler: @escaping @Sendable (TransportRequest) async throws -> TransportResponse) {
        self.handler = handler
    }

    public func send(_ request: TransportRequest) async throws -> TransportResponse {
        try await handler(request)
    }
}
