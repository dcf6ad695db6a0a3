import Testing
import OutpostJSON
@testable import OutpostModel

/// Extreme values never trap (SPEC §2.5, §14): hlc range on the wire, a hybrid clock that
/// saturates and ignores far-future timestamps, and counters that cannot overflow.
@Suite("Poison values")
struct PoisonValueTests {
    static let maxMillis: Int64 = 253_402_300_799_999

    static func envelope(hlc: String) -> String {
        #"{"branch":"BJ","clock":{"a":1},"fields":{"name":[{"dot":["a",1],"hlc":\#(hlc),"value":"Acme"}]},"id":"00000000-0000-4000-8000-000000000001","type":"customer"}"#
    }

    static func page(_ envelope: String) -> [UInt8] {
        Array(#"{"cursor":"c","hasMore":false,"records":[\#(envelope)]}"#.utf8)
    }

    /// Every decoder: the tree decoder, the stream decoder, the pull page decoders (full, fast and light).
    static func decodeAll(_ text: String) -> [Result<Void, any Error>] {
        let bytes = Array(text.utf8)
        return [
            Result { _ = try Record(json: JSONValue.parse(bytes)) },
            Result { _ = try Record.decode(bytes: bytes) },
            Result { _ = try PullPage.decode(bytes: page(text)) },
            Result { _ = try ReceivedPullPage.decode(bytes: page(text)) },
            Result { _ = try PullPage.decodeFast(bytes: page(text)) },
            Result { _ = try ReceivedPullPage.decodeLight(bytes: page(text)) },
        ]
    }

    @Test(arguments: [
        "[9223372036854775807,4294967295]", "[253402300800000,0]", "[-1,0]", "[-9223372036854775808,0]",
    ])
    func hlcOutsideTheYear9999RangeIsRefusedByEveryDecoder(_ hlc: String) {
        for (index, result) in Self.decodeAll(Self.envelope(hlc: hlc)).enumerated() {
            guard case .failure(let error) = result else {
                Issue.record("decoder \(index) accepted hlc \(hlc)")
                continue
            }
            let wire = error as? WireDecodingError
            #expect(wire?.path.hasSuffix("fields.name[0].hlc") == true, "decoder \(index): \(error)")
            #expect(wire?.reason.contains("9999") == true, "decoder \(index): \(error)")
            #expect(wire?.kind == .invalid)
        }
    }

    @Test func hlcAtTheEndOfYear9999IsAccepted() throws {
        for result in Self.decodeAll(Self.envelope(hlc: "[253402300799999,4294967295]")) { try result.get() }
        for result in Self.decodeAll(Self.envelope(hlc: "[0,0]")) { try result.get() }
        let lifecycle = #"{"branch":"BJ","clock":{"a":1},"fields":{},"id":"00000000-0000-4000-8000-000000000001","lifecycle":[{"deleted":false,"dot":["a",1],"hlc":[253402300800000,0]}],"type":"customer"}"#
        for (index, result) in Self.decodeAll(lifecycle).enumerated() {
            #expect(throws: WireDecodingError.self, "decoder \(index)") { try result.get() }
        }
    }

    @Test func hybridClockNeverTrapsOnPoisonedState() {
        func issue(_ clock: inout HybridClock, _ wall: Int64) -> HybridTimestamp { clock.now(wallMillis: wall) }
        // The poisoned value that used to crash every later edit (integer overflow in `now`).
        var clock = HybridClock(last: HybridTimestamp(millis: .max, logical: .max))
        let stamp = issue(&clock, 1_795_512_600_000)
        #expect(stamp == ts(1_795_512_600_000), "a stored timestamp beyond year 9999 is discarded")
        let next = issue(&clock, 1_795_512_600_000)
        #expect(next == ts(1_795_512_600_000, 1))

        var end = HybridClock(last: HybridTimestamp(millis: Self.maxMillis, logical: .max))
        let saturated = issue(&end, .max)
        #expect(saturated == HybridTimestamp(millis: Self.maxMillis, logical: .max), "saturates at the end of year 9999")
        let again = issue(&end, 5)
        #expect(again == HybridTimestamp(millis: Self.maxMillis, logical: .max))

        var wild = HybridClock()
        let clamped = issue(&wild, .max)
        #expect(clamped == ts(Self.maxMillis), "wall clocks beyond the range are clamped")
        var past = HybridClock()
        let early = issue(&past, .min)
        #expect(early == ts(0, 1))
        var roll = HybridClock(last: ts(10, .max))
        let rolled = issue(&roll, 3)
        #expect(rolled == ts(11, 0))
        for _ in 0..<3 {
            let stamp = issue(&roll, .min)
            #expect(HybridTimestamp.validMillis.contains(stamp.millis))
        }
    }

    @Test func observeIgnoresFarFutureAndOutOfRangeTimestamps() {
        let wall: Int64 = 1_795_512_600_000
        var clock = HybridClock(last: ts(wall))
        func see(_ timestamp: HybridTimestamp, _ wallMillis: Int64, drift: Int64 = HybridClock.defaultMaximumDrift) -> Bool {
            clock.observe(timestamp, wallMillis: wallMillis, maximumDrift: drift)
        }
        #expect(HybridClock.defaultMaximumDrift == 3_600_000)
        #expect(!see(ts(wall + 3_600_001), wall), "more than an hour ahead")
        #expect(clock.last == ts(wall))
        #expect(see(ts(wall + 3_600_000), wall))
        #expect(clock.last == ts(wall + 3_600_000))
        #expect(!see(HybridTimestamp(millis: .max, logical: .max), .max, drift: .max))
        #expect(!see(ts(-5), wall))
        #expect(!see(ts(wall + 10), wall, drift: 0))
        #expect(see(ts(Self.maxMillis), .max, drift: .max))
        #expect(see(ts(1), wall), "an older timestamp is taken into account (it changes nothing)")
        #expect(clock.last == ts(Self.maxMillis))
        // A clock whose stored state is poisoned takes the first valid observation.
        var poisoned = HybridClock(last: HybridTimestamp(millis: .max, logical: .max))
        let taken = poisoned.observe(ts(wall), wallMillis: wall)
        #expect(taken)
        #expect(poisoned.last == ts(wall))
    }

    @Test func incrementingACounterAtTheMaximumThrows() throws {
        var clock = VectorClock([.a: UInt64(Int64.max)])
        #expect(throws: ModelError.counterExhausted(node: "a")) { try clock.increment(.a) }
        #expect(clock[.a] == UInt64(Int64.max), "the clock is unchanged")
        var almost = VectorClock([.a: UInt64(Int64.max) - 1])
        let dot = try almost.increment(.a)
        #expect(dot == Dot(node: .a, counter: UInt64(Int64.max)))
        #expect(almost.jsonValue == ["a": .int(.max)])
    }

    @Test func writesOnAnExhaustedCounterThrowInsteadOfTrapping() throws {
        let text = #"{"branch":"BJ","clock":{"a":9223372036854775807},"fields":{"name":[{"dot":["a",9223372036854775807],"hlc":[1,0],"value":"Acme"}]},"id":"00000000-0000-4000-8000-000000000001","type":"customer"}"#
        var record = try Record.decode(bytes: Array(text.utf8))
        let before = record
        #expect(throws: ModelError.counterExhausted(node: "a")) { try record.write(["name": "x"], node: .a, at: ts(2)) }
        #expect(throws: ModelError.counterExhausted(node: "a")) { try record.delete(node: .a, at: ts(2)) }
        #expect(throws: ModelError.counterExhausted(node: "a")) { try record.restore(node: .a, at: ts(2)) }
        #expect(record == before)
        #expect(ModelError.counterExhausted(node: "a").description.contains("cannot be changed"))
        // Another node can still write it, and it still encodes.
        try record.write(["name": "y"], node: .b, at: ts(3))
        #expect(try Record.decode(bytes: record.canonicalJSON()) == record)
    }
}
