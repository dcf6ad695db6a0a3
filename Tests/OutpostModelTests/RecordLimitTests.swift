import Testing
import OutpostJSON
@testable import OutpostModel

/// Bounded work per record (SPEC §14): decoders refuse oversized envelopes early, with an error
/// a server can tell from other decoding errors, and merging stays fast for large registers.
@Suite("Record limits")
struct RecordLimitTests {
    static let id = "00000000-0000-4000-8000-000000000001"

    /// An envelope whose `name` register holds `count` siblings, from one node or one node each.
    static func envelope(siblings count: Int, distinctNodes: Bool, prefix: String = "n") -> [UInt8] {
        var out = Array(#"{"branch":"BJ","clock":{"#.utf8)
        if distinctNodes {
            for index in 0..<count {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: "\"\(prefix)\(index)\":1".utf8)
            }
        } else {
            out.append(contentsOf: "\"a\":\(count)".utf8)
        }
        out.append(contentsOf: #"},"fields":{"name":["#.utf8)
        for index in 0..<count {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            let dot = distinctNodes ? "[\"\(prefix)\(index)\",1]" : "[\"a\",\(index + 1)]"
            out.append(contentsOf: "{\"dot\":\(dot),\"hlc\":[\(index),0],\"value\":\"v\(index)\"}".utf8)
        }
        out.append(contentsOf: "]},\"id\":\"\(id)\",\"type\":\"customer\"}".utf8)
        return out
    }

    static func page(_ envelope: [UInt8]) -> [UInt8] {
        Array(#"{"cursor":"c","hasMore":false,"records":["#.utf8) + envelope + Array("]}".utf8)
    }

    /// Runs every decoder on `envelope` and returns their errors.
    static func errors(_ envelope: [UInt8]) -> [any Error] {
        var errors: [any Error] = []
        func run(_ body: () throws -> Void) {
            do { try body() } catch { errors.append(error) }
        }
        run { _ = try Record(json: JSONValue.parse(envelope)) }
        run { _ = try Record.decode(bytes: envelope) }
        run { _ = try PullPage.decode(bytes: page(envelope)) }
        run { _ = try ReceivedPullPage.decode(bytes: page(envelope)) }
        run {
            let body = Array(#"{"batch":"00000000-0000-4000-8000-0000000000aa","records":["#.utf8) + envelope + Array("]}".utf8)
            _ = try PushRequest.decode(bytes: body)
        }
        return errors
    }

    static func expectLimitError(_ envelope: [UInt8], path: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let errors = errors(envelope)
        #expect(errors.count == 5, "every decoder refuses", sourceLocation: sourceLocation)
        for error in errors {
            let wire = error as? WireDecodingError
            #expect(wire?.isLimitExceeded == true, "\(error)", sourceLocation: sourceLocation)
            #expect(wire?.path.hasSuffix(path) == true, "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func eightyThousandSiblingsAreRefusedQuickly() {
        for distinctNodes in [false, true] {
            let envelope = Self.envelope(siblings: 80_000, distinctNodes: distinctNodes)
            let elapsed = ContinuousClock().measure {
                Self.expectLimitError(envelope, path: distinctNodes ? "clock" : "fields.name")
            }
            // Was ~91 s of CPU for one decode + merge; five decoders now take well under a second each.
            #expect(elapsed < .seconds(10), "\(elapsed)")
        }
    }

    @Test func limitsAreExactlyAtTheirValues() throws {
        // 64 siblings and 256 clock entries pass; one more is refused.
        _ = try Record.decode(bytes: Self.envelope(siblings: 64, distinctNodes: true))
        _ = try Record(json: JSONValue.parse(Self.envelope(siblings: 64, distinctNodes: false)))
        Self.expectLimitError(Self.envelope(siblings: 65, distinctNodes: false), path: "fields.name")

        func clock(_ count: Int) -> [UInt8] {
            let entries = (0..<count).map { "\"n\($0)\":1" }.joined(separator: ",")
            return Array(#"{"branch":"BJ","clock":{\#(entries)},"fields":{},"id":"\#(Self.id)","type":"customer"}"#.utf8)
        }
        _ = try Record.decode(bytes: clock(256))
        _ = try Record(json: JSONValue.parse(clock(256)))
        Self.expectLimitError(clock(257), path: "clock")

        // Fields: single-sibling canonical envelopes (the light pull pass) too.
        func fields(_ count: Int) -> [UInt8] {
            let names = (0..<count).map { index in "f" + String(repeating: "0", count: 3 - String(index).count) + String(index) }
            let members = names.map { #""\#($0)":[{"dot":["a",1],"hlc":[1,0],"value":1}]"# }.joined(separator: ",")
            return Array(#"{"branch":"BJ","clock":{"a":1},"fields":{\#(members)},"id":"\#(Self.id)","type":"customer"}"#.utf8)
        }
        #expect(try ReceivedPullPage.decodeLight(bytes: Self.page(fields(64))).count == 1)
        _ = try Record(json: JSONValue.parse(fields(64)))
        Self.expectLimitError(fields(65), path: "fields")

        // Lifecycle siblings and a delete's seen clock.
        func lifecycle(_ count: Int) -> [UInt8] {
            let items = (1...count).map { #"{"deleted":false,"dot":["a",\#($0)],"hlc":[1,0]}"# }.joined(separator: ",")
            return Array(#"{"branch":"BJ","clock":{"a":\#(count)},"fields":{},"id":"\#(Self.id)","lifecycle":[\#(items)],"type":"customer"}"#.utf8)
        }
        _ = try Record.decode(bytes: lifecycle(64))
        Self.expectLimitError(lifecycle(65), path: "lifecycle")
        let seen = (0..<257).map { "\"n\($0)\":1" }.joined(separator: ",")
        let bigSeen = Array(#"{"branch":"BJ","clock":{"a":1},"fields":{},"id":"\#(Self.id)","lifecycle":[{"deleted":true,"dot":["a",1],"hlc":[1,0],"seen":{\#(seen)}}],"type":"customer"}"#.utf8)
        Self.expectLimitError(bigSeen, path: "seen")
    }

    @Test func otherDecodingErrorsAreNotLimitErrors() {
        let bad = Array(#"{"branch":"BJ","clock":{"a":1},"fields":{"name":[{"dot":["a",2],"hlc":[1,0],"value":1}]},"id":"\#(Self.id)","type":"customer"}"#.utf8)
        let errors = Self.errors(bad)
        #expect(errors.count == 5)
        for error in errors { #expect((error as? WireDecodingError)?.kind == .invalid, "\(error)") }
    }

    @Test func checkLimitsCoversSizeAndMergeResults() throws {
        var record = newCustomer()
        try record.checkLimits()
        try record.write(["notes": .string(String(repeating: "x", count: RecordLimits.maxCanonicalBytes))], node: .a, at: ts(2))
        let error = try #require(throws: WireDecodingError.self) { try record.checkLimits(path: "$.records[3]") }
        #expect(error.isLimitExceeded)
        #expect(error.path == "$.records[3]")
        #expect(error.reason.contains("262144"))
    }

    /// Two versions whose `name` registers hold 64 siblings each, from distinct writers.
    static func sixtyFourEach() throws -> (Record, Record) {
        let left = try Record.decode(bytes: envelope(siblings: 64, distinctNodes: true))
        return (left, try Record.decode(bytes: envelope(siblings: 64, distinctNodes: true, prefix: "m")))
    }

    @Test func mergingTwoRegistersOfSixtyFourSiblingsIsFine() throws {
        let (left, right) = try Self.sixtyFourEach()
        let merged = try left.merged(with: right)
        #expect(merged == (try right.merged(with: left)))
        #expect(merged.fields["name"]?.siblings.count == 128, "no write is lost")
        #expect(merged.clock.counters.count == 128)
        guard case .field(let name, let shown)? = merged.conflicts.first else {
            Issue.record("expected a field conflict")
            return
        }
        #expect(name == "name")
        #expect(shown.count == 64, "values v0…v63 each once")
        #expect(shown.first?.value == "v63")
        // The result is over the sibling limit: a server must refuse to store it (record_too_large).
        let error = try #require(throws: WireDecodingError.self) { try merged.checkLimits() }
        #expect(error.isLimitExceeded)
        #expect(error.path == "$.fields.name")
    }

    @Test func mergeAndConflictsStayFastOnHugeRegisters() throws {
        // Built in memory (decoders refuse such records): merge, conflicts and the lifecycle rule
        // must be O(n log n), not quadratic.
        let count = 80_000
        func version(_ prefix: String, shared: Int) -> Record {
            var counters: [NodeID: UInt64] = [:]
            var siblings: [Sibling<JSONValue>] = []
            for index in 0..<count {
                let node = NodeID(unchecked: index < shared ? "s\(index)" : "\(prefix)\(index)")
                counters[node] = 1
                siblings.append(Sibling(dot: Dot(node: node, counter: 1), timestamp: ts(Int64(index)), value: .string("v\(index % 100)")))
            }
            let delete = Sibling(dot: Dot(node: NodeID(unchecked: "\(prefix)-deleter"), counter: 1), timestamp: ts(1),
                                 value: Lifecycle.deleted(seen: VectorClock([NodeID(unchecked: "\(prefix)-deleter"): 1])))
            counters[delete.dot.node] = 1
            return Record(id: fixedID, type: .customer, branch: "BJ", clock: VectorClock(counters),
                          fields: ["name": Register(siblings: siblings)], lifecycle: Register(delete))
        }
        let left = version("l", shared: count / 2)
        let right = version("r", shared: count / 2)
        var merged: Record?
        let elapsed = ContinuousClock().measure {
            merged = try? left.merged(with: right)
            _ = merged?.conflicts
            _ = merged?.hasConflicts
            _ = merged?.reusedWrite(comparedWith: left)
        }
        #expect(merged?.fields["name"]?.siblings.count == count * 3 / 2)
        #expect(merged?.conflicts.count == 2)
        #expect(elapsed < .seconds(10), "\(elapsed)")
    }
}
