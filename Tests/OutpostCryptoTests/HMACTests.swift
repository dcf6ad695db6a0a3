import Testing
@testable import OutpostCrypto

/// HMAC-SHA256 known answers from RFC 4231 §4 ("Test Cases"), the HMAC-SHA-256 rows.
/// Test case 5 is omitted because it checks a truncated 128-bit output.
@Suite("HMAC-SHA256")
struct HMACTests {
    private func hex(_ text: String) -> [UInt8] { try! Hex.decode(text) }

    // RFC 4231 §4.2, Test Case 1.
    @Test func rfc4231TestCase1() {
        let mac = HMACSHA256.authenticationCode(for: Array("Hi There".utf8), key: [UInt8](repeating: 0x0b, count: 20))
        #expect(mac.hexString == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    }

    // RFC 4231 §4.3, Test Case 2: key shorter than the output ("Jefe").
    @Test func rfc4231TestCase2() {
        let mac = HMACSHA256.authenticationCode(for: "what do ya want for nothing?", key: "Jefe")
        #expect(mac.hexString == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    // RFC 4231 §4.4, Test Case 3: 50 bytes of 0xdd under 20 bytes of 0xaa.
    @Test func rfc4231TestCase3() {
        let mac = HMACSHA256.authenticationCode(
            for: [UInt8](repeating: 0xdd, count: 50), key: [UInt8](repeating: 0xaa, count: 20))
        #expect(mac.hexString == "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe")
    }

    // RFC 4231 §4.5, Test Case 4: 25-byte key 0x01...0x19, 50 bytes of 0xcd.
    @Test func rfc4231TestCase4() {
        let mac = HMACSHA256.authenticationCode(
            for: [UInt8](repeating: 0xcd, count: 50), key: hex("0102030405060708090a0b0c0d0e0f10111213141516171819"))
        #expect(mac.hexString == "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b")
    }

    // RFC 4231 §4.7, Test Case 6: 131-byte key (larger than the block size) is hashed first.
    @Test func rfc4231TestCase6() {
        let mac = HMACSHA256.authenticationCode(
            for: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
            key: [UInt8](repeating: 0xaa, count: 131))
        #expect(mac.hexString == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    // RFC 4231 §4.8, Test Case 7: large key and data larger than the block size.
    @Test func rfc4231TestCase7() {
        let data = "This is a test using a larger than block-size key and a larger than block-size data."
            + " The key needs to be hashed before being used by the HMAC algorithm."
        let mac = HMACSHA256.authenticationCode(for: Array(data.utf8), key: [UInt8](repeating: 0xaa, count: 131))
        #expect(mac.hexString == "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2")
    }
}
