import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A transport over HTTP using Foundation's `URLSession`.
///
/// ```swift
/// let transport = try HTTPTransport(baseURL: "http://127.0.0.1:8080")
/// ```
public final class HTTPTransport: SyncTransport {
    /// The server's base URL, e.g. `http://127.0.0.1:8080`.
    public let baseURL: URL
    private let session: URLSession

    /// Creates a transport for `baseURL` with a request timeout.
    ///
    /// - Throws: ``SyncError/invalidServerURL(_:)`` when the text is not an http(s) URL.
    public init(baseURL text: String, timeout: TimeInterval = 60) throws {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            url.host != nil
        else { throw SyncError.invalidServerURL(text) }
        baseURL = url
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.httpMaximumConnectionsPerHost = 4  // a live long-poll holds one
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration)
    }

    deinit { session.finishTasksAndInvalidate() }

    public func send(_ request: TransportRequest) async throws -> TransportResponse {
        var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false)!
        let basePath = components.path.hasSuffix("/") ? String(components.path.dropLast()) : components.path
        components.path = basePath + request.path
        if !request.queryItems.isEmpty {
            components.queryItems = request.queryItems.map { URLQueryItem(name: $0.name, value: $0.value) }
        }
        guard let url = components.url else { throw SyncError.invalidServerURL(baseURL.absoluteString + request.path) }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        if !request.body.isEmpty { urlRequest.httpBody = Data(request.body) }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: urlRequest)
        } catch {
            throw SyncError.unreachable("\(baseURL.absoluteString): \(error.localizedDescription)")
        }
        guard let http = response as? HTTPURLResponse else {
            throw SyncError.unreachable("\(baseURL.absoluteString): not an HTTP response")
        }
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let name = key as? String, let text = value as? String { headers[name.lowercased()] = text }
        }
        return TransportResponse(status: http.statusCode, headers: headers, body: [UInt8](data))
    }
}
