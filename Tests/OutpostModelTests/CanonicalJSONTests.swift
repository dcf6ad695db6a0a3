import Testing
import OutpostJSON
@testable import OutpostModel

@Suite("Direct canonical encoding of envelopes")
struct CanonicalJSONTests {
    @Test func directEncodingEqualsTreeEncodingOnRandomRecords() throws {
        var rng = SeededGenerator(seed: 42)
        let nodes = ["a", "Zulu", "b-2", "n_9", "Z0"].map { NodeID(unchecked: $0) }
        let names = ["name", "tier", "notes", "Ω", "a\"b", "annualPurchase", "phones"]
        let values: [JSONValue] = ["x", "line\nbreak \u{1}", 3, -7, 2.5, 3.0, true, nil, ["+86 1", "2"], ["k": ["v": 1]], "日本"]
        for round in 0..<500 {
            var record = Record.create(id: .random(), type: .customer, branch: "BJ",
                                       fields: ["name": values.randomElement(using: &rng)!], node: nodes[0], at: ts(Int64(round)))
            for step in 0..<Int.random(in: 0...8, using: &rng) {
                let node = nodes.randomElement(using: &rng)!
                switch Int.random(in: 0..<10, using: &rng) {
                case 0: try record.delete(node: node, at: ts(Int64(step), 1))
                case 1: try record.restore(node: node, at: ts(Int64(step), 2))
                default:
                    var other = record
                    if other.isDeleted { try other.restore(node: node, at: ts(Int64(step))) }
                    try other.write([names.randomElement(using: &rng)!: values.randomElement(using: &rng)!], node: node, at: ts(Int64(step), 3))
                    record = try record.merged(with: other)
                }
            }
            #expect(record.canonicalJSON() == record.jsonValue.serializedBytes(), "round \(round)")
            #expect(try Record(json: JSONValue.parse(record.canonicalJSON())) == record)
        }
    }

    @Test func pushRequestDirectEncodingEqualsTreeEncoding() {
        let request = PushRequest(batch: .random(), node: .a, records: [newCustomer(), newCustomer(node: .b, at: 9)])
        #expect(request.canonicalJSON() == request.jsonValue.serializedBytes())
        let fixed = BatchID(unchecked: "00000000-0000-4000-8000-000000000009")
        let every = PushRequest(batch: fixed, node: .b, after: fixed, relay: true, recoveringFrom: "e1", records: [newCustomer()])
        #expect(every.canonicalJSON() == every.jsonValue.serializedBytes())
        #expect(PushRequest(batch: fixed, node: .a, records: []).canonicalJSON()
                == PushRequest(batch: fixed, node: .a, records: []).jsonValue.serializedBytes())
    }
}

@Suite("Fast push decoding agrees with the reference decoder")
struct PushDecodingTests {
    static let batch = "00000000-0000-4000-8000-0000000000aa"

    /// The decoded request, or the error's text.
    enum Outcome: Equatable {
        case decoded(PushRequest)
        case refused(String)
    }

    func reference(_ text: String) -> Outcome {
        do { return .decoded(try PushRequest(json: JSONValue.parse(text))) } catch { return .refused("\(error)") }
    }

    func fast(_ text: String) -> Outcome {
        do { return .decoded(try PushRequest.decode(bytes: Array(text.utf8))) } catch { return .refused("\(error)") }
    }

    @Test func acceptsAndRefusesExactlyLikeTheReference() {
        let record = String(decoding: newCustomer().canonicalJSON(), as: UTF8.self)
        let other = String(decoding: Record.create(id: .random(), type: .visit, branch: "BJ", fields: ["method": "phone"],
                                                   node: .b, at: ts(3)).canonicalJSON(), as: UTF8.self)
        let bodies = [
            #"{"batch":"\#(Self.batch)","records":[]}"#,
            #"{"records":[\#(record),\#(other)],"batch":"\#(Self.batch.uppercased())"}"#,
            #"{"batch":"\#(Self.batch)","records":[\#(record),\#(record)]}"#,
            #"{"batch":"\#(Self.batch)","records":[\#(record)],"extra":1}"#,
            #"{"batch":"\#(Self.batch)","batch":"\#(Self.batch)","records":[]}"#,
            #"{"batch":"not-a-uuid","records":[]}"#,
            #"{"batch":"\#(Self.batch)"}"#,
            #"{"batch":"\#(Self.batch)","records":{}}"#,
            #"{"batch":"\#(Self.batch)","records":[{"id":"x"}]}"#,
            #"{"batch":"\#(Self.batch)","records":[\#(record)],}"#,
            #"[]"#, "", "{", #"{"batch":7,"records":[]}"#,
        ]
        for body in bodies {
            #expect(fast(body) == reference(body), "\(body.prefix(80))")
        }
    }
}

@Suite("Lifecycle member per the spec")
struct LifecycleMemberTests {
    @Test func nullAndEmptyLifecycleReadAsAbsentInBothDecoders() throws {
        let record = newCustomer()
        var object = try #require(record.jsonValue.objectValue)
        for lifecycle: JSONValue in [nil, []] {
            object["lifecycle"] = lifecycle
            let bytes = JSONValue.object(object).serializedBytes()
            #expect(try Record(json: JSONValue.parse(bytes)) == record)
            let page = try PullPage.decode(bytes: Array(#"{"records":["#.utf8) + bytes + Array(#"],"cursor":"c","hasMore":false}"#.utf8))
            #expect(page.records == [record])
        }
        object["lifecycle"] = "deleted"
        #expect(throws: WireDecodingError.self) { try Record(json: .object(object)) }
    }
}
