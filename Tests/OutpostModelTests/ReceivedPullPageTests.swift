import Testing
import OutpostJSON
@testable import OutpostModel

/// The light pass over pulled envelopes (`Record.summarize`, `ReceivedPullPage.decode`) against
/// the full decoder (`Record(json:)`, `PullPage(json:)`): whatever the light pass accepts the full
/// decoder accepts with the same derived values, and pages are accepted, refused and worded alike.
@Suite("Light decoding of pulled envelopes")
struct ReceivedPullPageTests {
    typealias Stream = JSONStreamReaderTests

    /// The light pass on one envelope document: its summary, or `nil` when it defers to the full decoder.
    static func light(_ bytes: [UInt8]) -> RecordSummary? {
        bytes.withUnsafeBytes { raw -> RecordSummary? in
            guard var reader = try? JSONStreamReader(raw), let summary = Record.summarize(&reader) else { return nil }
            guard (try? reader.finish()) != nil else { return nil }
            return summary
        }
    }

    static func page(_ envelopes: [[UInt8]], cursor: String = "c-1", hasMore: Bool = true) -> [UInt8] {
        var out = Array(#"{"cursor":""#.utf8) + Array(cursor.utf8) + Array(#"","hasMore":\#(hasMore),"records":["#.utf8)
        for (index, envelope) in envelopes.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += envelope
        }
        out += Array("]}".utf8)
        return out
    }

    /// Checks one envelope both alone and inside a page. Returns whether the light pass took it.
    @discardableResult
    static func check(_ bytes: [UInt8], _ label: String, sameError: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let reference = Stream.referenceRecord(bytes)
        let summary = light(bytes)
        if let summary {
            switch reference {
            case .success(let record):
                #expect(summary == RecordSummary(record), "\(label): summaries differ", sourceLocation: sourceLocation)
            case .failure(let error):
                Issue.record("\(label): the light pass accepted what the full decoder refuses (\(error))", sourceLocation: sourceLocation)
            }
        }
        // Decoding a stored envelope from its bytes accepts, refuses and words errors like the reference.
        let fromBytes = Result { try Record.decode(bytes: bytes) }
        switch (reference, fromBytes) {
        case (.success(let expected), .success(let decoded)):
            #expect(decoded == expected, "\(label): Record.decode(bytes:) decodes another record", sourceLocation: sourceLocation)
        case (.failure, .failure):
            if sameError {
                #expect(Stream.describe(fromBytes) == Stream.describe(reference), "\(label): Record.decode(bytes:) words another error",
                        sourceLocation: sourceLocation)
            }
        default:
            Issue.record("\(label): reference \(Stream.describe(reference)) but Record.decode(bytes:) \(Stream.describe(fromBytes))",
                         sourceLocation: sourceLocation)
        }
        checkPage(page([bytes, bytes]), label, sameError: sameError, sourceLocation: sourceLocation)
        return summary != nil
    }

    /// A page decodes like the reference: same records, summaries and raw bytes, or the same error.
    /// With several faults the reference decoder's wording depends on dictionary order, so
    /// `sameError: false` compares acceptance only.
    static func checkPage(_ bytes: [UInt8], _ label: String, sameError: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) {
        let reference = Result { try PullPage(json: JSONValue.parse(bytes)) }
        let received = Result { try ReceivedPullPage.decode(bytes: bytes) }
        switch (reference, received) {
        case (.success(let page), .success(let light)):
            #expect(light.cursor == page.cursor && light.hasMore == page.hasMore, "\(label)", sourceLocation: sourceLocation)
            #expect(light.summaries == page.records.map(RecordSummary.init), "\(label): page summaries differ", sourceLocation: sourceLocation)
            #expect((try? light.records()) == page.records, "\(label): page records differ", sourceLocation: sourceLocation)
            for index in 0..<light.count {
                let raw = Array(light.receivedBytes(at: index))
                #expect((try? Record(json: JSONValue.parse(raw))) == page.records[index], "\(label): raw bytes of \(index)", sourceLocation: sourceLocation)
            }
        case (.failure, .failure):
            if sameError {
                #expect(Stream.describe(reference) == Stream.describe(received), "\(label): errors differ", sourceLocation: sourceLocation)
            }
        default:
            Issue.record("\(label): reference \(Stream.describe(reference)) but light \(Stream.describe(received))", sourceLocation: sourceLocation)
        }
    }

    // A canonical single-writer envelope the light pass takes.
    static let base = #"{"branch":"BJ","clock":{"a":2,"b":1},"fields":{"actualAt":[{"dot":["a",1],"hlc":[1700000000000,0],"value":null}],"code":[{"dot":["a",1],"hlc":[1700000000000,0],"value":"C-1"}],"customer":[{"dot":["b",1],"hlc":[1700000000005,2],"value":"3f2504e0-4f89-41d3-9a0c-0305e82c3309"}],"name":[{"dot":["a",2],"hlc":[1700000000001,0],"value":"Acme \"Trading\" \u00e9"}],"plannedAt":[{"dot":["a",2],"hlc":[1700000000001,0],"value":"2024-01-01T10:00:00Z"}],"receivedAt":[{"dot":["a",2],"hlc":[1700000000003,0],"value":7}],"tier":[{"dot":["a",2],"hlc":[1700000000001,0],"value":{"x":[1,2.5e3,true]}}]},"id":"3f2504e0-4f89-41d3-9a0c-0305e82c3301","type":"customer"}"#

    @Test func canonicalEnvelopesTakeTheLightPathWithEqualSummaries() {
        for type in EntityType.allCases {
            let text = Self.base.replacing(#""type":"customer""#, with: #""type":"\#(type.rawValue)""#)
            #expect(Self.check(Array(text.utf8), type.rawValue), "\(type.rawValue) should take the light path")
        }
        // A visit with no actual time labels by the planned time.
        let planned = Self.base.replacing(#""actualAt":[{"dot":["a",1],"hlc":[1700000000000,0],"value":null}],"#, with: "")
            .replacing(#""type":"customer""#, with: #""type":"visit""#)
        #expect(Self.check(Array(planned.utf8), "planned visit"))
        #expect(Self.light(Array(planned.utf8))?.label == "2024-01-01T10:00:00Z")
        let empty = #"{"branch":"BJ","clock":{},"fields":{},"id":"3F2504E0-4f89-41d3-9a0c-0305e82c3301","type":"visit"}"#
        #expect(Self.check(Array(empty.utf8), "empty fields, uppercase id"))
    }

    /// Variants of the canonical base: valid ones the light pass may or may not take, and faults.
    static let variants: [(String, String)] = {
        let b = base
        let code = #""code":[{"dot":["a",1],"hlc":[1700000000000,0],"value":"C-1"}]"#
        var cases: [(String, String)] = []
        func add(_ name: String, _ text: String) { cases.append((name, text)) }
        add("whitespace", b.replacing(",", with: " ,\n ").replacing(":", with: " : "))
        add("fields out of order", b.replacing(code + ",", with: "").replacing(#""tier":"#, with: code + #","tier":"#))
        add("duplicate field", b.replacing(code, with: code + "," + code))
        add("two siblings", b.replacing(code, with: #""code":[{"dot":["a",1],"hlc":[1700000000000,0],"value":"C-1"},{"dot":["b",1],"hlc":[1700000000009,0],"value":"C-2"}]"#))
        add("two siblings, same dot", b.replacing(code, with: #""code":[{"dot":["a",1],"hlc":[1700000000000,0],"value":"C-1"},{"dot":["a",1],"hlc":[1700000000009,0],"value":"C-2"}]"#))
        add("deleted", b.replacing(#""id":"#, with: #""lifecycle":[{"deleted":true,"dot":["a",2],"hlc":[5,0],"seen":{"a":2,"b":1}}],"id":"#))
        add("deleted, raced", b.replacing(#""id":"#, with: #""lifecycle":[{"deleted":true,"dot":["a",2],"hlc":[5,0],"seen":{"a":2}}],"id":"#))
        add("restored", b.replacing(#""id":"#, with: #""lifecycle":[{"deleted":false,"dot":["b",1],"hlc":[5,0]}],"id":"#))
        add("empty lifecycle", b.replacing(#""id":"#, with: #""lifecycle":[],"id":"#))
        add("escaped field name", b.replacing(#""code":"#, with: #""c\u006fde":"#))
        add("escaped member", b.replacing(#""branch":"#, with: #""\u0062ranch":"#))
        add("escaped sibling member", b.replacing(#""value":"C-1""#, with: #""v\u0061lue":"C-1""#))
        add("escaped id", b.replacing("3f2504e0-4f89-41d3-9a0c-0305e82c3301", with: #"3f2504e0-4f89-41d3-9a0c-0305e82c330\u0031"#))
        add("escaped type", b.replacing(#""customer"}"#, with: #""c\u0075stomer"}"#))
        add("escaped branch", b.replacing(#""BJ""#, with: #""B\u004a""#))
        add("zero clock entry", b.replacing(#"{"a":2,"b":1}"#, with: #"{"a":2,"b":1,"c":0}"#))
        add("clock uncovered", b.replacing(#"{"a":2,"b":1}"#, with: #"{"a":2}"#))
        add("clock duplicate node", b.replacing(#"{"a":2,"b":1}"#, with: #"{"a":2,"b":1,"a":2}"#))
        add("clock bad node", b.replacing(#"{"a":2,"b":1}"#, with: #"{"a":2,"b!":1}"#))
        add("clock negative", b.replacing(#"{"a":2,"b":1}"#, with: #"{"a":2,"b":-1}"#))
        add("dot node not in clock", b.replacing(#""dot":["b",1]"#, with: #""dot":["z",1]"#))
        add("dot zero", b.replacing(#""dot":["b",1]"#, with: #""dot":["b",0]"#))
        add("dot fraction", b.replacing(#""dot":["b",1]"#, with: #""dot":["b",1.0]"#))
        add("dot escaped node", b.replacing(#""dot":["b",1]"#, with: #""dot":["\u0062",1]"#))
        add("dot long", b.replacing(#""dot":["b",1]"#, with: #""dot":["b",1,1]"#))
        add("hlc negative millis", b.replacing("[1700000000005,2]", with: "[-5,2]"))
        add("hlc logical too big", b.replacing("[1700000000005,2]", with: "[1,4294967296]"))
        add("hlc fraction", b.replacing("[1700000000005,2]", with: "[1.5,2]"))
        add("hlc short", b.replacing("[1700000000005,2]", with: "[1]"))
        add("sibling members reordered", b.replacing(#"{"dot":["a",1],"hlc":[1700000000000,0],"value":"C-1"}"#, with: #"{"hlc":[1700000000000,0],"dot":["a",1],"value":"C-1"}"#))
        add("sibling extra member", b.replacing(#""value":"C-1""#, with: #""value":"C-1","x":1"#))
        add("sibling missing value", b.replacing(#","value":"C-1""#, with: ""))
        add("sibling duplicate value", b.replacing(#""value":"C-1""#, with: #""value":"C-1","value":"C-2""#))
        add("empty register", b.replacing(code, with: #""code":[]"#))
        add("register not an array", b.replacing(code, with: #""code":{}"#))
        add("value with duplicate keys", b.replacing(#"{"x":[1,2.5e3,true]}"#, with: #"{"x":1,"x":2}"#))
        add("value with bad number", b.replacing("2.5e3", with: "2.5e"))
        add("value with leading zero", b.replacing("2.5e3", with: "012"))
        add("value with bad escape", b.replacing(#"\"Trading\""#, with: #"\qTrading"#))
        add("value with control character", b.replacing("Trading", with: "Tra\u{01}ding"))
        add("value with lone surrogate", b.replacing(#"\u00e9"#, with: #"\ud800"#))
        add("deeply nested value", b.replacing(#"{"x":[1,2.5e3,true]}"#, with: String(repeating: "[", count: 300) + String(repeating: "]", count: 300)))
        add("id not a uuid", b.replacing("3f2504e0-4f89", with: "3f2504e0x4f89"))
        add("id not a string", b.replacing(#""3f2504e0-4f89-41d3-9a0c-0305e82c3301""#, with: "1"))
        add("unknown type", b.replacing(#""type":"customer""#, with: #""type":"lead""#))
        add("bad branch", b.replacing(#""BJ""#, with: #""B J""#))
        add("long branch", b.replacing(#""BJ""#, with: "\"" + String(repeating: "B", count: 33) + "\""))
        add("unknown member", b.replacing(#""type":"customer""#, with: #""type":"customer","x":1"#))
        add("member after type", b.replacing(#","type":"customer""#, with: "").replacing(#""branch":"BJ","#, with: #""type":"customer","branch":"BJ","#))
        add("duplicate type", b.replacing(#""type":"customer""#, with: #""type":"customer","type":"visit""#))
        add("missing id", b.replacing(#""id":"3f2504e0-4f89-41d3-9a0c-0305e82c3301","#, with: ""))
        add("missing type", b.replacing(#","type":"customer""#, with: ""))
        add("trailing comma", b.replacing(#""customer"}"#, with: #""customer",}"#))
        add("truncated", String(b.dropLast(2)))
        return cases
    }()

    @Test func variantsAgreeWithTheFullDecoder() {
        for (name, text) in Self.variants {
            Self.check(Array(text.utf8), name)
        }
        // Sanity: the faults in this list are real.
        #expect(Self.variants.filter { (try? Record(json: JSONValue.parse($0.1))) == nil }.count > 30)
    }

    @Test func streamReaderEnvelopeVariantsAgree() {
        for (name, text) in Stream.envelopes {
            Self.check(Array(text.utf8), name)
        }
    }

    @Test func protocolEnvelopesAgree() throws {
        for item in try ProtocolVectorTests.cases("Protocol/vectors/merge.json") {
            let name = try ProtocolVectorTests.member(item, "name").stringValue ?? "?"
            for side in ["left", "right", "expected"] {
                let envelope = try ProtocolVectorTests.member(item, side)
                Self.check(envelope.serializedBytes(), "\(name) \(side)")
                Self.check(Array(envelope.serialized(pretty: true).utf8), "\(name) \(side) (pretty)")
            }
        }
        for file in ["pull-page", "push-request"] {
            let text = try ProtocolVectorTests.read("Protocol/examples/\(file).json")
            let records = try ProtocolVectorTests.member(JSONValue.parse(text), "records").arrayValue ?? []
            for (index, record) in records.enumerated() {
                Self.check(record.serializedBytes(), "\(file) record \(index)")
            }
        }
        let bytes = Array(try ProtocolVectorTests.read("Protocol/examples/pull-page.json").utf8)
        Self.checkPage(bytes, "pull-page example")
    }

    @Test func pagesAgree() {
        for (name, text) in Stream.pages {
            Self.checkPage(Array(text.utf8), name)
        }
        let record = Self.base
        Self.checkPage(Array(#"{"records":[\#(record)],"cursor":"a","hasMore":false,"records":[]}"#.utf8), "duplicate records")
        Self.checkPage(Array(#"{"records":[\#(record)],"cursor":"\u0061","hasMore":false}"#.utf8), "escaped cursor")
        Self.checkPage(Array(#"{"\u0072ecords":[\#(record)],"cursor":"a","hasMore":false}"#.utf8), "escaped member")
        Self.checkPage(Array(#"{"records":[\#(record),\#(Stream.base)],"cursor":"a","hasMore":false}"#.utf8), "light and full envelopes")
    }

    @Test func randomRecordsAgree() throws {
        var rng = SeededGenerator(seed: 7)
        let nodes = ["a", "Zulu", "b-2", "n_9", "Z0"].map { NodeID(unchecked: $0) }
        let names = ["name", "code", "customer", "actualAt", "plannedAt", "receivedAt", "tier", "Ω", "a\"b", "phones"]
        let values: [JSONValue] = ["x", "line\nbreak \u{1}", 3, -7, 2.5, 3.0, true, nil, ["+86 1", "2"], ["k": ["v": 1]], "日本", ""]
        var light = 0
        var records: [Record] = []
        for round in 0..<600 {
            let type = EntityType.allCases.randomElement(using: &rng)!
            var fields: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...5, using: &rng) {
                fields[names.randomElement(using: &rng)!] = values.randomElement(using: &rng)!
            }
            var record = Record.create(id: .random(), type: type, branch: "BJ", fields: fields, node: nodes[0],
                                       at: ts(round % 7 == 0 ? HybridTimestamp.validMillis.upperBound - Int64(round) : Int64(round)))
            for step in 0..<Int.random(in: 0...4, using: &rng) {
                let node = nodes.randomElement(using: &rng)!
                switch Int.random(in: 0..<12, using: &rng) {
                case 0: try record.delete(node: node, at: ts(Int64(step), 1))
                case 1: try record.restore(node: node, at: ts(Int64(step), 2))
                case 2...5:
                    // A concurrent edit merged in: siblings.
                    var other = record
                    if other.isDeleted { try other.restore(node: node, at: ts(Int64(step))) }
                    try other.write([names.randomElement(using: &rng)!: values.randomElement(using: &rng)!], node: node, at: ts(Int64(step), 3))
                    record = try record.merged(with: other)
                default:
                    if !record.isDeleted {
                        try record.write([names.randomElement(using: &rng)!: values.randomElement(using: &rng)!], node: node, at: ts(Int64(round + step), 4))
                    }
                }
            }
            records.append(record)
            let bytes = record.canonicalJSON()
            if Self.check(bytes, "random \(round)") { light += 1 }
            // Canonical, single-writer and without escaped field names: the light path.
            if record.lifecycle.isEmpty && !record.fields.values.contains(where: \.isConflicted) && !record.fields.keys.contains("a\"b") {
                #expect(Self.light(bytes) != nil, "random \(round): a canonical single-writer envelope should take the light path")
            }
        }
        #expect(light > 100)
        // All of them in one page.
        Self.checkPage(Self.page(records.map { $0.canonicalJSON() }), "random page")
    }

    /// Single-byte mutations of canonical envelopes: the light pass never accepts what the full
    /// decoder refuses, and pages holding them decode alike.
    @Test func mutatedEnvelopesAgree() throws {
        var rng = SeededGenerator(seed: 99)
        let alphabet = Array(#"{}[]":,.-+eE0123456789abtrufnlsx\ "#.utf8) + [0x00, 0x1F, 0x7F, 0xC3, 0xA9, 0xFF]
        let sources = [Array(Self.base.utf8), Array(Stream.base.utf8),
                       newCustomer().canonicalJSON()]
        for round in 0..<3000 {
            var bytes = sources[round % sources.count]
            for _ in 0..<Int.random(in: 1...2, using: &rng) {
                let index = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[index] = alphabet.randomElement(using: &rng)!
                case 1: bytes.remove(at: index)
                default: bytes.insert(alphabet.randomElement(using: &rng)!, at: index)
                }
            }
            Self.check(bytes, "mutation \(round)", sameError: false)
        }
    }
}
