/// Cryptographically secure random bytes from the operating system.
///
/// Backed by `SystemRandomNumberGenerator`, which uses `getrandom(2)` on Linux and
/// `arc4random_buf` on Apple platforms.
///
/// Usage: `let salt = SecureRandom.bytes(count: 16)`
public enum SecureRandom {
    /// Returns `count` random bytes. `count` must not be negative.
    ///
    /// Usage: `let key = SecureRandom.bytes(count: 32)`
    public static func bytes(count: Int) -> [UInt8] {
        precondition(count >= 0, "SecureRandom.bytes(count:) needs a non-negative count, got \(count)")
        var generator = SystemRandomNumberGenerator()
        var out: [UInt8] = []
        out.reserveCapacity(count + 7)
        while out.count < count {
            let word = generator.next()
            withUnsafeBytes(of: word) { out.append(contentsOf: $0) }
        }
        out.removeLast(out.count - count)
        return out
    }
}

/// Bearer tokens for Outpost devices and users.
///
/// A token is `"opt_"` followed by 43 base64url characters encoding 32 random bytes (256 bits).
/// The server stores only ``hash(_:)`` of a token, never the token itself.
///
/// Usage:
/// ```swift
/// let token = AccessToken.generate()          // show once to the user
/// let stored = AccessToken.hash(token)        // persist this
/// let ok = constantTimeEquals(AccessToken.hash(presented), stored)
/// ```
public struct AccessToken: Sendable {
    /// The prefix every Outpost token starts with, which makes leaked tokens easy to grep for.
    ///
    /// Usage: `token.hasPrefix(AccessToken.prefix)`
    public static let prefix = "opt_"

    /// The number of random bytes in a token.
    ///
    /// Usage: `assert(AccessToken.randomByteCount == 32)`
    public static let randomByteCount = 32

    /// The total length of a generated token in characters (4 + 43).
    ///
    /// Usage: `guard token.utf8.count == AccessToken.length else { ... }`
    public static let length = 47

    /// Generates a fresh random token such as `opt_3q2-7wEAAAB...` (47 characters).
    ///
    /// Usage: `let token = AccessToken.generate()`
    public static func generate() -> String {
        prefix + Base64URL.encode(SecureRandom.bytes(count: randomByteCount))
    }

    /// The lowercase hex SHA-256 of the token's UTF-8 bytes: the form stored on the server.
    ///
    /// Usage: `let stored = AccessToken.hash(token)`
    public static func hash(_ token: String) -> String {
        SHA256.hash(token).hexString
    }

    /// Whether `token` has the shape of a generated token: the prefix, then exactly 43
    /// base64url characters. Says nothing about whether the token is known to the server.
    ///
    /// Usage: `guard AccessToken.isWellFormed(header) else { return .unauthorized }`
    public static func isWellFormed(_ token: String) -> Bool {
        guard token.hasPrefix(prefix), token.utf8.count == length else { return false }
        let body = String(token.dropFirst(prefix.count))
        return (try? Base64URL.decode(body))?.count == randomByteCount
    }
}
