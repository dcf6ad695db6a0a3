import Testing
@testable import OutpostCrypto

/// Known-answer tests for SHA-256.
///
/// Vectors marked "FIPS 180-4" come from the NIST examples for SHA-256
/// (csrc.nist.gov, "Cryptographic Standards and Guidelines: Examples with Intermediate Values",
/// SHA256.pdf and SHA2_Additional.pdf) which are also the short/long messages used in CAVP.
@Suite("SHA-256")
struct SHA256Tests {
    // FIPS 180-4 example: empty message (SHA2_Additional / CAVP SHA256ShortMsg Len = 0).
    @Test func emptyMessageMatchesNISTVector() {
        #expect(SHA256.hash("").hexString == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hash([UInt8]()).hexString == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    // FIPS 180-4 example "One-Block Message" (SHA256.pdf): "abc".
    @Test func abcMatchesNISTOneBlockVector() {
        #expect(SHA256.hash("abc").hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    // FIPS 180-4 example "Two-Block Message" (SHA256.pdf): the 448-bit message.
    @Test func twoBlock448BitMessageMatchesNISTVector() {
        let message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(message.utf8.count * 8 == 448)
        #expect(SHA256.hash(message).hexString == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    // FIPS 180-2/180-4 additional example (also listed in RFC 6234 §8.5 as TEST2_2b): the 896-bit message.
    @Test func message896BitMatchesNISTVector() {
        let message = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
        #expect(message.utf8.count * 8 == 896)
        #expect(SHA256.hash(message).hexString == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    // FIPS 180-2 Appendix B.3 / SHA2_Additional: one million repetitions of "a".
    @Test func oneMillionAsMatchesNISTVector() {
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        #expect(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)).hexString == expected)

        var hasher = SHA256()
        let thousand = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { hasher.update(thousand) }
        #expect(hasher.finalize().hexString == expected)
    }

    @Test func streamingInOddSizedPiecesEqualsOneShot() {
        let message = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let expected = SHA256.hash(message)
        for pieceSize in [1, 3, 7, 13, 63, 65, 127, 1000] {
            var hasher = SHA256()
            var index = 0
            while index < message.count {
                let end = min(index + pieceSize, message.count)
                hasher.update(message[index..<end])
                index = end
            }
            #expect(hasher.finalize() == expected, "piece size \(pieceSize)")
        }
    }

    @Test func streamingAcceptsEveryInputKind() {
        let message = Array("The quick brown fox jumps over the lazy dog".utf8)
        // Well-known digest of this pangram (e.g. Wikipedia "SHA-2" examples).
        let expected = "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"

        var fromArray = SHA256(); fromArray.update(message)
        var fromUTF8 = SHA256(); fromUTF8.update("The quick brown fox jumps over the lazy dog".utf8)
        var fromLazy = SHA256(); fromLazy.update(message.lazy.map { $0 })
        var fromRaw = SHA256(); message.withUnsafeBytes { fromRaw.update($0) }
        var fromRawLabel = SHA256(); message.withUnsafeBytes { fromRawLabel.update(bufferPointer: $0) }

        for hasher in [fromArray, fromUTF8, fromLazy, fromRaw, fromRawLabel] {
            #expect(hasher.finalize().hexString == expected)
        }
    }

    // Lengths around the padding boundary: 55 bytes fits length in one block, 56 needs a second.
    // Expected values computed with GNU coreutils `head -c N /dev/zero | tr '\0' a | sha256sum`.
    @Test(arguments: [
        (55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
        (56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
        (63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"),
        (64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
        (65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"),
    ])
    func paddingBoundaryLengthsAgreeBetweenStreamingAndOneShot(length: Int, expected: String) {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: length)
        let oneShot = SHA256.hash(message)
        #expect(oneShot.hexString == expected)

        var byteByByte = SHA256()
        for byte in message { byteByByte.update(CollectionOfOne(byte)) }
        #expect(byteByByte.finalize() == oneShot)

        for split in [1, length / 2, length - 1] {
            var twoPieces = SHA256()
            twoPieces.update(message[..<split])
            twoPieces.update(message[split...])
            #expect(twoPieces.finalize() == oneShot, "split at \(split)")
        }
    }

    @Test func finalizeDoesNotConsumeTheHasher() {
        var hasher = SHA256()
        hasher.update("ab".utf8)
        let first = hasher.finalize()
        #expect(hasher.finalize() == first)
        hasher.update("c".utf8)
        #expect(hasher.finalize() == SHA256.hash("abc"))
    }

    @Test func digestRoundTripsThroughHexAndRejectsWrongLengths() {
        let digest = SHA256.hash("abc")
        #expect(digest.bytes.count == 32)
        #expect(SHA256Digest(hexString: digest.hexString) == digest)
        #expect(SHA256Digest(hexString: digest.hexString.uppercased()) == digest)
        #expect(SHA256Digest(hexString: "abcd") == nil)
        #expect(SHA256Digest(bytes: [1, 2, 3]) == nil)
        #expect("\(digest)" == digest.hexString)
    }
}
