/// Values captured by `:name` segments of a route pattern, percent-decoded.
///
/// ```swift
/// router.get("/v1/records/:id") { _, params in
///     let id = try params.require("id")
///     let version: Int = try params.require("version", as: Int.self)  // for "/…/:version"
///     ...
/// }
/// ```
public struct RouteParameters: Sendable, Hashable {
    private var values: [String: String]

    /// Creates parameters; `RouteParameters(["id": "42"])`.
    public init(_ values: [String: String] = [:]) {
        self.values = values
    }

    /// The captured value for `name`, or `nil`; `params["id"]`.
    public subscript(name: String) -> String? { values[name] }

    /// The captured value for `name`, or a 400 `HTTPError` when missing.
    ///
    /// ```swift
    /// let id = try params.require("id")
    /// ```
    public func require(_ name: String) throws(HTTPError) -> String {
        guard let value = values[name] else {
            throw HTTPError(.badRequest, code: "missing_parameter", message: "Missing path parameter '\(name)'")
        }
        return value
    }

    /// The captured value converted to `T`, or a 400 `HTTPError` when missing or malformed.
    ///
    /// ```swift
    /// let page = try params.require("page", as: Int.self)
    /// ```
    public func require<T: LosslessStringConvertible>(_ name: String, as type: T.Type) throws(HTTPError) -> T {
        let raw = try require(name)
        guard let value = T(raw) else {
            throw HTTPError(.badRequest, code: "invalid_parameter", message: "Path parameter '\(name)' is not a valid \(T.self)")
        }
        return value
    }

    /// All captured names and values.
    public var all: [String: String] { values }
}
