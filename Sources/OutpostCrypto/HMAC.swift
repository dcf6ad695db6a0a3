/// HMAC with SHA-256 as the hash function (RFC 2104, test vectors in RFC 4231).
///
/// Usage: `let tag = HMACSHA256.authenticationCode(for: Array(body.utf8), key: secret)`
public enum HMACSHA256 {
    /// Computes the 32-byte HMAC-SHA256 of `message` under `key`.
    ///
    /// Keys longer than the 64-byte block size are hashed first, as RFC 2104 specifies;
    /// shorter keys are zero-padded. Compare tags with ``constantTimeEquals(_:_:)``.
    ///
    /// Usage: `let tag = HMACSHA256.authenticationCode(for: message, key: key).bytes`
    public static func authenticationCode(for message: [UInt8], key: [UInt8]) -> SHA256Digest {
        var blockKey = key.count > SHA256.blockSize ? SHA256.hash(key).bytes : key
        blockKey.append(contentsOf: repeatElement(0, count: SHA256.blockSize - blockKey.count))

        var inner = SHA256()
        inner.update(blockKey.map { $0 ^ 0x36 })
        inner.update(message)
        let innerDigest = inner.finalize()

        var outer = SHA256()
        outer.update(blockKey.map { $0 ^ 0x5c })
        outer.update(innerDigest.bytes)
        return outer.finalize()
    }

    /// Computes the HMAC-SHA256 of the UTF-8 encoding of `message` under the UTF-8 encoding of `key`.
    ///
    /// Usage: `HMACSHA256.authenticationCode(for: "payload", key: "secret").hexString`
    public static func authenticationCode(for message: String, key: String) -> SHA256Digest {
        authenticationCode(for: Array(message.utf8), key: Array(key.utf8))
    }
}
