import Testing
@testable import OutpostCrypto

@Suite("Encodings, random bytes and tokens")
struct EncodingAndTokenTests {
    @Test func hexEncodesLowercaseAndDecodesEitherCase() throws {
        #expect(Hex.encode([0x00, 0x0f, 0xab, 0xff]) == "000fabff")
        #expect(try Hex.decode("000FabFF") == [0x00, 0x0f, 0xab, 0xff])
        #expect(try Hex.decode("") == [])
    }

    @Test func hexDecodeRejectsOddLengthAndNonHexCharacters() {
        #expect(throws: HexDecodingError.oddLength(3)) { try Hex.decode("abc") }
        #expect(throws: HexDecodingError.invalidCharacter(offset: 1)) { try Hex.decode("0g") }
        #expect(HexDecodingError.oddLength(3).description.contains("even number"))
    }

    // RFC 4648 §10 test vectors, translated to the unpadded URL-safe form.
    @Test(arguments: [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"),
                      ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy")])
    func base64URLMatchesRFC4648VectorsWithoutPadding(plain: String, encoded: String) throws {
        #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
        #expect(try Base64URL.decode(encoded) == Array(plain.utf8))
    }

    @Test func base64URLUsesDashAndUnderscoreInsteadOfPlusAndSlash() throws {
        #expect(Base64URL.encode([0xfb, 0xff, 0xbf]) == "-_-_")
        #expect(try Base64URL.decode("-_-_") == [0xfb, 0xff, 0xbf])
        #expect(try Base64URL.decode("Zg==") == Array("f".utf8))
        #expect(throws: Base64DecodingError.invalidCharacter(offset: 0)) { try Base64URL.decode("+/") }
        #expect(throws: Base64DecodingError.invalidLength(5)) { try Base64URL.decode("Zm9vY") }
    }

    @Test func constantTimeEqualsComparesContentAndLength() {
        #expect(constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(constantTimeEquals([UInt8](), [UInt8]()))
        #expect(constantTimeEquals("token", "token"))
        #expect(!constantTimeEquals("token", "tokem"))
    }

    @Test func secureRandomReturnsRequestedCountAndVaries() {
        #expect(SecureRandom.bytes(count: 0).isEmpty)
        #expect(SecureRandom.bytes(count: 13).count == 13)
        #expect(SecureRandom.bytes(count: 32) != SecureRandom.bytes(count: 32))
    }

    @Test func generatedTokenIsPrefixPlus43Base64URLCharacters() throws {
        let token = AccessToken.generate()
        #expect(token.hasPrefix("opt_"))
        #expect(token.count == 47)
        let body = String(token.dropFirst(4))
        #expect(body.count == 43)
        #expect(try Base64URL.decode(body).count == 32)
        #expect(AccessToken.isWellFormed(token))
        #expect(AccessToken.generate() != token)
    }

    @Test func tokenWellFormednessRejectsWrongPrefixOrLength() {
        #expect(!AccessToken.isWellFormed("opx_" + String(repeating: "A", count: 43)))
        #expect(!AccessToken.isWellFormed("opt_" + String(repeating: "A", count: 42)))
        #expect(!AccessToken.isWellFormed("opt_" + String(repeating: "+", count: 43)))
    }

    @Test func tokenHashIsHexSHA256OfTheTokenText() {
        #expect(AccessToken.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let token = AccessToken.generate()
        #expect(AccessToken.hash(token) == SHA256.hash(Array(token.utf8)).hexString)
        #expect(AccessToken.hash(token).count == 64)
    }
}
