/// A key for a typed value that middleware attaches to a request for later handlers.
///
/// ```swift
/// enum AuthenticatedUser: RequestStorageKey { typealias Value = String }
/// request.storage[AuthenticatedUser.self] = "u-42"
/// ```
public protocol RequestStorageKey {
    /// The type of value stored under this key.
    associatedtype Value: Sendable
}

/// Type-safe per-request storage keyed by `RequestStorageKey` types.
///
/// ```swift
/// let user: String? = request.storage[AuthenticatedUser.self]
/// ```
public struct RequestStorage: Sendable {
    private var values: [ObjectIdentifier: any Sendable] = [:]

    /// Creates empty storage.
    public init() {}

    /// The value stored for `key`, or `nil`; assign `nil` to remove it.
    ///
    /// ```swift
    /// request.storage[AuthenticatedUser.self] = "u-42"
    /// ```
    public subscript<Key: RequestStorageKey>(key: Key.Type) -> Key.Value? {
        get { values[ObjectIdentifier(key)] as? Key.Value }
        set { values[ObjectIdentifier(key)] = newValue }
    }

    /// Whether nothing is stored.
    public var isEmpty: Bool { values.isEmpty }
}
