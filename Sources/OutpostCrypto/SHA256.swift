/// A streaming SHA-256 hasher (FIPS 180-4), written against the standard library only.
///
/// Feed bytes in any number of pieces and call ``finalize()`` once at the end:
///
/// ```swift
/// var hasher = SHA256()
/// hasher.update(Array("hello ".utf8))
/// hasher.update("world".utf8)
/// let digest = hasher.finalize()   // digest.hexString == "b94d27b9..."
/// ```
///
/// `SHA256` is a value type: copying a hasher forks its state, so a common prefix can be
/// hashed once and finished several ways. ``finalize()`` does not consume the hasher.
public struct SHA256: Sendable {
    /// The size in bytes of one SHA-256 block.
    ///
    /// Usage: `let padded = (length + SHA256.blockSize - 1) / SHA256.blockSize`
    public static let blockSize = 64

    /// The size in bytes of a SHA-256 digest.
    ///
    /// Usage: `precondition(digest.bytes.count == SHA256.digestSize)`
    public static let digestSize = 32

    private var state: State
    /// Bytes waiting for a full block; always fewer than 64 between calls.
    private var pending: [UInt8]
    /// Total number of message bytes absorbed so far.
    private var byteCount: UInt64

    /// Creates a hasher in the initial state defined by FIPS 180-4 §5.3.3.
    ///
    /// Usage: `var hasher = SHA256()`
    public init() {
        state = State()
        pending = []
        pending.reserveCapacity(SHA256.blockSize)
        byteCount = 0
    }

    /// Absorbs `bytes` into the running hash.
    ///
    /// Contiguous inputs (`[UInt8]`, `ArraySlice<UInt8>`, `UnsafeBufferPointer<UInt8>`,
    /// `UnsafeRawBufferPointer`, `String.UTF8View` of a native string) are hashed directly
    /// from their storage; other sequences are copied through a small block buffer.
    ///
    /// Usage: `hasher.update(chunk)`
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        if let raw = bytes as? UnsafeRawBufferPointer {
            update(bufferPointer: raw)
            return
        }
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            self.update(bufferPointer: UnsafeRawBufferPointer(buffer))
        }
        if handled != nil { return }

        var chunk: [UInt8] = []
        chunk.reserveCapacity(1024)
        for byte in bytes {
            chunk.append(byte)
            if chunk.count == 1024 {
                chunk.withUnsafeBytes { update(bufferPointer: $0) }
                chunk.removeAll(keepingCapacity: true)
            }
        }
        if !chunk.isEmpty {
            chunk.withUnsafeBytes { update(bufferPointer: $0) }
        }
    }

    /// Absorbs the bytes of a raw buffer into the running hash without copying them.
    ///
    /// Usage: `data.withUnsafeBytes { hasher.update(bufferPointer: $0) }`
    public mutating func update(bufferPointer raw: UnsafeRawBufferPointer) {
        let count = raw.count
        guard count > 0 else { return }
        byteCount &+= UInt64(count)
        var offset = 0

        if !pending.isEmpty {
            let take = min(SHA256.blockSize - pending.count, count)
            pending.append(contentsOf: raw[0..<take])
            offset = take
            guard pending.count == SHA256.blockSize else { return }
            let block = pending
            block.withUnsafeBytes { SHA256.compress(&state, block: $0) }
            pending.removeAll(keepingCapacity: true)
        }

        while count - offset >= SHA256.blockSize {
            let block = UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + SHA256.blockSize)])
            SHA256.compress(&state, block: block)
            offset += SHA256.blockSize
        }

        if offset < count {
            pending.append(contentsOf: raw[offset..<count])
        }
    }

    /// Returns the digest of everything absorbed so far.
    ///
    /// The hasher itself is unchanged, so more bytes may be added afterwards to compute the
    /// digest of a longer message.
    ///
    /// Usage: `let digest = hasher.finalize()`
    public func finalize() -> SHA256Digest {
        var copy = self
        let bitLength = byteCount &* 8
        // Padding (FIPS 180-4 §5.1.1): 0x80, zeros to 56 mod 64, then the 64-bit big-endian length.
        var padding: [UInt8] = [0x80]
        let afterMarker = (Int(byteCount % 64) + 1) % 64
        let zeros = afterMarker <= 56 ? 56 - afterMarker : 64 + 56 - afterMarker
        padding.append(contentsOf: repeatElement(0, count: zeros))
        for shift in stride(from: 56, through: 0, by: -8) {
            padding.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        copy.update(padding)
        precondition(copy.pending.isEmpty, "SHA-256 padding must end on a block boundary")
        return SHA256Digest(unchecked: copy.state.bigEndianBytes())
    }

    /// Hashes `bytes` in one call.
    ///
    /// Usage: `let digest = SHA256.hash([0x61, 0x62, 0x63])`
    public static func hash(_ bytes: [UInt8]) -> SHA256Digest {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Hashes the UTF-8 encoding of `string` in one call.
    ///
    /// Usage: `SHA256.hash("abc").hexString   // "ba7816bf..."`
    public static func hash(_ string: String) -> SHA256Digest {
        var hasher = SHA256()
        hasher.update(string.utf8)
        return hasher.finalize()
    }

    // MARK: - Compression function (FIPS 180-4 §6.2.2)

    private struct State: Sendable {
        var h0: UInt32 = 0x6a09_e667
        var h1: UInt32 = 0xbb67_ae85
        var h2: UInt32 = 0x3c6e_f372
        var h3: UInt32 = 0xa54f_f53a
        var h4: UInt32 = 0x510e_527f
        var h5: UInt32 = 0x9b05_688c
        var h6: UInt32 = 0x1f83_d9ab
        var h7: UInt32 = 0x5be0_cd19

        func bigEndianBytes() -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(32)
            for word in [h0, h1, h2, h3, h4, h5, h6, h7] {
                out.append(UInt8(truncatingIfNeeded: word >> 24))
                out.append(UInt8(truncatingIfNeeded: word >> 16))
                out.append(UInt8(truncatingIfNeeded: word >> 8))
                out.append(UInt8(truncatingIfNeeded: word))
            }
            return out
        }
    }

    private static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    @inline(__always)
    private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 {
        (x >> n) | (x << (32 &- n))
    }

    /// Processes exactly one 64-byte block.
    private static func compress(_ state: inout State, block: UnsafeRawBufferPointer) {
        precondition(block.count == blockSize)
        roundConstants.withUnsafeBufferPointer { k in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                for t in 0..<16 {
                    w[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: t * 4, as: UInt32.self))
                }
                for t in 16..<64 {
                    let x = w[t - 15], y = w[t - 2]
                    let s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3)
                    let s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >> 10)
                    w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
                }

                var a = state.h0, b = state.h1, c = state.h2, d = state.h3
                var e = state.h4, f = state.h5, g = state.h6, h = state.h7
                for t in 0..<64 {
                    let bigSigma1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                    let choose = (e & f) ^ (~e & g)
                    let t1 = h &+ bigSigma1 &+ choose &+ k[t] &+ w[t]
                    let bigSigma0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                    let majority = (a & b) ^ (a & c) ^ (b & c)
                    let t2 = bigSigma0 &+ majority
                    h = g; g = f; f = e; e = d &+ t1
                    d = c; c = b; b = a; a = t1 &+ t2
                }
                state.h0 &+= a; state.h1 &+= b; state.h2 &+= c; state.h3 &+= d
                state.h4 &+= e; state.h5 &+= f; state.h6 &+= g; state.h7 &+= h
            }
        }
    }
}

/// The 32-byte result of a SHA-256 computation.
///
/// Equality via `==` is ordinary (not constant-time); use ``constantTimeEquals(_:_:)`` when
/// comparing a secret-derived digest against attacker-supplied input.
///
/// Usage: `let hex = SHA256.hash("abc").hexString`
public struct SHA256Digest: Sendable, Hashable, CustomStringConvertible {
    /// The 32 digest bytes, most significant first.
    ///
    /// Usage: `let first = digest.bytes[0]`
    public let bytes: [UInt8]

    init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Wraps 32 existing digest bytes, or returns `nil` when `bytes` is not 32 bytes long.
    ///
    /// Usage: `let digest = SHA256Digest(bytes: stored)`
    public init?(bytes: [UInt8]) {
        guard bytes.count == SHA256.digestSize else { return nil }
        self.bytes = bytes
    }

    /// Parses a 64-character hexadecimal digest (either case), or returns `nil` when the text
    /// is not valid hex or not 32 bytes long.
    ///
    /// Usage: `let digest = SHA256Digest(hexString: row.tokenHash)`
    public init?(hexString: String) {
        guard let bytes = try? Hex.decode(hexString) else { return nil }
        self.init(bytes: bytes)
    }

    /// The digest as 64 lowercase hexadecimal characters.
    ///
    /// Usage: `print(SHA256.hash("").hexString)   // e3b0c442...`
    public var hexString: String { Hex.encode(bytes) }

    /// Same as ``hexString``.
    ///
    /// Usage: `print(digest)`
    public var description: String { hexString }
}
