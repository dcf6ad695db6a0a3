/// An error thrown when bytes are not a single, strictly valid RFC 8259 JSON text.
///
/// `offset` is the zero-based byte offset into the UTF-8 input at which the problem
/// was detected, and `reason` is a short human-readable explanation.
///
/// ```swift
/// do { _ = try JSONValue.parse("[1,]") } catch { print(error) }
/// // Invalid JSON at byte 3: trailing comma is not allowed in an array
/// ```
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Zero-based byte offset into the input where the problem was detected.
    ///
    /// ```swift
    /// let offset = error.offset   // e.g. 17
    /// ```
    public var offset: Int

    /// Short explanation of what went wrong, e.g. `expected ':' after object key`.
    ///
    /// ```swift
    /// let why = error.reason
    /// ```
    public var reason: String

    /// Creates an error at `offset` with the given `reason`.
    ///
    /// ```swift
    /// let error = JSONParseError(offset: 17, reason: "expected ':' after object key")
    /// ```
    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    /// `Invalid JSON at byte <offset>: <reason>`.
    ///
    /// ```swift
    /// print(error.description)   // Invalid JSON at byte 17: expected ':' after object key
    /// ```
    public var description: String {
        "Invalid JSON at byte \(offset): \(reason)"
    }
}
