#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the server could not start.
///
/// ```swift
/// do { try server.start() } catch .bindFailed(_, let port, let code) where code == EADDRINUSE { … }
/// ```
public enum HTTPServerError: Error, Hashable, CustomStringConvertible {
    /// `host` could not be resolved to a listening address.
    case invalidAddress(host: String, reason: String)
    /// A socket system call (`socket`, `setsockopt`, `getsockname`, `pipe`…) failed.
    case socketFailed(operation: String, errno: Int32)
    /// `bind` failed, e.g. `EADDRINUSE` or `EACCES`.
    case bindFailed(host: String, port: Int, errno: Int32)
    /// `listen` failed.
    case listenFailed(errno: Int32)
    /// `start()` was called on a server that was already started (servers are single-use).
    case alreadyStarted

    public var description: String {
        switch self {
        case .invalidAddress(let host, let reason): return "Cannot listen on host '\(host)': \(reason)"
        case .socketFailed(let operation, let code): return "\(operation) failed: \(Self.describe(code))"
        case .bindFailed(let host, let port, let code): return "Cannot bind \(host):\(port): \(Self.describe(code))"
        case .listenFailed(let code): return "listen failed: \(Self.describe(code))"
        case .alreadyStarted: return "The server was already started"
        }
    }

    static func describe(_ code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }
}
