import Testing
@testable import OutpostHTTP

/// Mutated and random inputs never crash the parser or make it hand out a request that breaks
/// its own limits; every input ends in requests, a typed error, or a wait for more bytes.
@Suite("Request parser under random input")
struct ParserFuzzTests {
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let seeds: [[UInt8]] = [
        Array("GET /v1/pull?cursor=abc.12&limit=10 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n\r\n".utf8),
        Array("POST /v1/push HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nContent-Type: application/json\r\n\r\n{\"a\":[1,2]}".utf8),
        Array("GET / HTTP/1.0\r\n\r\nGET /health HTTP/1.1\r\nHost: y\r\nConnection: close\r\n\r\n".utf8),
    ]

    @Test func mutatedRequestsEndInRequestsErrorsOrWaiting() {
        var rng = SplitMix(state: 2026)
        let limits = HTTPRequestParser.Limits(maxHeaderBytes: 512, maxBodyBytes: 64)
        for round in 0..<20_000 {
            var input = Self.seeds[round % Self.seeds.count]
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let position = Int.random(in: 0..<input.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: input[position] = UInt8.random(in: 0...255, using: &rng)
                case 1: input.remove(at: position)
                case 2: input.insert(UInt8.random(in: 0...255, using: &rng), at: position)
                default: input.insert(contentsOf: Array(input[position...].prefix(8)), at: position)
                }
                if input.isEmpty { input = [0x20] }
            }
            var parser = HTTPRequestParser(limits: limits)
            // Feed in random pieces, as a socket would.
            var offset = 0
            feeding: while offset < input.count {
                let end = min(input.count, offset + Int.random(in: 1...32, using: &rng))
                parser.append(input[offset..<end])
                offset = end
                do {
                    while let request = try parser.nextRequest() {
                        #expect(request.body.count <= limits.maxBodyBytes, "round \(round)")
                        #expect(request.path.hasPrefix("/") || request.path == "*", "round \(round): \(request.path)")
                    }
                } catch {
                    #expect((400..<600).contains(error.status.code), "round \(round)")
                    break feeding
                }
            }
        }
    }
}
