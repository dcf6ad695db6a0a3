/// An HTTP request method. Method names are case-sensitive (RFC 9110 §9.1).
///
/// ```swift
/// let method = HTTPMethod("PATCH")   // .patch
/// method.rawValue                    // "PATCH"
/// ```
public enum HTTPMethod: Sendable, Hashable, CustomStringConvertible {
    case get
    case post
    case put
    case delete
    case patch
    case head
    case options
    /// Any other method token, e.g. `.other("PROPFIND")`. Prefer `HTTPMethod(_:)`,
    /// which maps known names to their dedicated cases.
    case other(String)

    /// Creates a method from its wire name; well-known names map to their dedicated case.
    ///
    /// ```swift
    /// HTTPMethod("GET") == .get   // true
    /// ```
    public init(_ name: String) {
        switch name {
        case "GET": self = .get
        case "POST": self = .post
        case "PUT": self = .put
        case "DELETE": self = .delete
        case "PATCH": self = .patch
        case "HEAD": self = .head
        case "OPTIONS": self = .options
        default: self = .other(name)
        }
    }

    /// The method name as sent on the wire, e.g. `"GET"`.
    public var rawValue: String {
        switch self {
        case .get: return "GET"
        case .post: return "POST"
        case .put: return "PUT"
        case .delete: return "DELETE"
        case .patch: return "PATCH"
        case .head: return "HEAD"
        case .options: return "OPTIONS"
        case .other(let name): return name
        }
    }

    public var description: String { rawValue }

    public static func == (lhs: HTTPMethod, rhs: HTTPMethod) -> Bool { lhs.rawValue == rhs.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
}
