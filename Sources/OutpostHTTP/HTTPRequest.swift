/// One decoded query parameter, in the order it appeared in the target.
///
/// ```swift
/// request.queryItems.first?.name   // "limit"
/// ```
public struct HTTPQueryItem: Sendable, Hashable {
    /// The decoded name (`+` and `%XX` decoded).
    public var name: String
    /// The decoded value; empty for a bare `?flag`.
    public var value: String

    /// Creates an item; `HTTPQueryItem(name: "limit", value: "10")`.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A complete HTTP request: head, decoded target parts and the full body.
///
/// Build one in-process to exercise a responder without a socket:
///
/// ```swift
/// let request = HTTPRequest(method: .get, target: "/v1/records/42?full=1")
/// request.path           // "/v1/records/42"
/// request.query["full"]  // "1"
/// ```
public struct HTTPRequest: Sendable {
    /// The request method.
    public var method: HTTPMethod
    /// The request target exactly as received, e.g. `"/v1/a%20b?x=1"`.
    public let target: String
    /// The path part of the target, still percent-encoded, e.g. `"/v1/a%20b"`.
    public let rawPath: String
    /// The percent-decoded path without the query, e.g. `"/v1/a b"`.
    public let path: String
    /// The query string after `?` as received (not decoded), or `nil` when absent.
    public let rawQuery: String?
    /// Decoded query items in order, duplicates kept.
    public let queryItems: [HTTPQueryItem]
    /// Decoded query parameters; for duplicated names the first occurrence wins.
    public let query: [String: String]
    /// The request header fields.
    public var headers: HTTPHeaders
    /// The request body (empty when none was sent).
    public var body: [UInt8]
    /// The protocol version of the request.
    public var version: HTTPVersion
    /// Typed values attached by middleware, e.g. the authenticated user.
    public var storage: RequestStorage

    /// Creates a request, decoding `target` leniently (malformed escapes are kept verbatim).
    ///
    /// ```swift
    /// HTTPRequest(method: .post, target: "/v1/sync", headers: ["Content-Type": "application/json"], body: Array(json.utf8))
    /// ```
    public init(
        method: HTTPMethod = .get,
        target: String,
        headers: HTTPHeaders = [:],
        body: [UInt8] = [],
        version: HTTPVersion = .http1_1
    ) {
        let parts = HTTPRequest.splitTarget(target)
        let pathSource = parts.path.isEmpty ? "/" : parts.path
        self.init(
            method: method, target: target, rawPath: String(parts.path),
            path: PercentDecoding.decodeLeniently(pathSource), rawQuery: parts.query.map(String.init),
            headers: headers, body: body, version: version
        )
    }

    /// Strict initializer used by the parser: fails when the path is not valid percent-encoding.
    init?(strictMethod method: HTTPMethod, target: String, headers: HTTPHeaders, version: HTTPVersion) {
        let parts = HTTPRequest.splitTarget(target)
        guard let path = PercentDecoding.decode(parts.path.isEmpty ? "/" : parts.path) else { return nil }
        self.init(
            method: method, target: target, rawPath: String(parts.path), path: path,
            rawQuery: parts.query.map(String.init), headers: headers, body: [], version: version
        )
    }

    private init(
        method: HTTPMethod, target: String, rawPath: String, path: String, rawQuery: String?,
        headers: HTTPHeaders, body: [UInt8], version: HTTPVersion
    ) {
        self.method = method
        self.target = target
        self.rawPath = rawPath.isEmpty ? "/" : rawPath
        self.path = path
        self.rawQuery = rawQuery
        let items = rawQuery.map(HTTPRequest.parseQuery) ?? []
        self.queryItems = items
        var query: [String: String] = [:]
        for item in items where query[item.name] == nil { query[item.name] = item.value }
        self.query = query
        self.headers = headers
        self.body = body
        self.version = version
        self.storage = RequestStorage()
    }

    /// Whether the client wants the connection kept open after this request:
    /// HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`.
    public var wantsKeepAlive: Bool {
        let tokens = headers.tokens(for: "Connection")
        if tokens.contains("close") { return false }
        if version == .http1_1 { return true }
        return tokens.contains("keep-alive")
    }

    /// The body decoded as UTF-8 (invalid sequences repaired).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// Splits an origin-form (`/p?q`), absolute-form (`http://h/p?q`) or asterisk-form target.
    static func splitTarget(_ target: String) -> (path: Substring, query: Substring?) {
        var rest = Substring(target)
        if !rest.hasPrefix("/"), let scheme = rest.firstRange(of: "://") {
            let afterAuthority = rest[scheme.upperBound...]
            if let slash = afterAuthority.firstIndex(where: { $0 == "/" || $0 == "?" }) {
                rest = afterAuthority[slash...]
            } else {
                rest = "/"
            }
        }
        if let mark = rest.firstIndex(of: "?") {
            return (rest[..<mark], rest[rest.index(after: mark)...])
        }
        return (rest, nil)
    }

    static func parseQuery(_ raw: String) -> [HTTPQueryItem] {
        raw.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            if let eq = pair.firstIndex(of: "=") {
                return HTTPQueryItem(
                    name: PercentDecoding.decodeLeniently(pair[..<eq], plusAsSpace: true),
                    value: PercentDecoding.decodeLeniently(pair[pair.index(after: eq)...], plusAsSpace: true)
                )
            }
            return HTTPQueryItem(name: PercentDecoding.decodeLeniently(pair, plusAsSpace: true), value: "")
        }
    }
}
