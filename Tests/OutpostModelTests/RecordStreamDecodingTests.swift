import Testing

@testable import OutpostJSON
@testable import OutpostModel

/// The streaming reader and the direct decoders built on it must accept, refuse and produce
/// exactly what the tree parser and `Record(json:)` / `PullPage(json:)` do.
@Suite("JSON stream reader and direct decoding")
struct JSONStreamReaderTests {
    // MARK: Helpers

    /// Rebuilds a tree with the streaming API only (checking duplicate keys like the tree parser).
    static func walk(_ reader: inout JSONStreamReader) throws -> JSONValue {
        switch try reader.peekKind() {
        case .object:
            try reader.beginObject()
            var object: [String: JSONValue] = [:]
            var offset = 0
            while let key = try reader.nextKey(keyOffset: &offset) {
                let value = try walk(&reader)
                if object.updateValue(value, forKey: key) != nil { throw reader.duplicateKey(key, at: offset) }
            }
            return .object(object)
        case .array:
            try reader.beginArray()
            var items: [JSONValue] = []
            while try reader.nextElement() { items.append(try walk(&reader)) }
            return .array(items)
        case .string: return .string(try reader.readString())
        case .number: return try reader.readNumber()
        case .bool: return .bool(try reader.readBool())
        case .null: return try reader.readValue()
        }
    }

    static func streamParse(_ bytes: [UInt8]) -> Result<JSONValue, any Error> {
        bytes.withUnsafeBytes { raw in
            Result {
                var reader = try JSONStreamReader(raw)
                let value = try walk(&reader)
                try reader.finish()
                return value
            }
        }
    }

    static func streamSkip(_ bytes: [UInt8]) -> Result<Void, any Error> {
        bytes.withUnsafeBytes { raw in
            Result {
                var reader = try JSONStreamReader(raw)
                try reader.skipValue()
                try reader.finish()
            }
        }
    }

    static func treeParse(_ bytes: [UInt8]) -> Result<JSONValue, any Error> {
        Result { try JSONValue.parse(bytes) }
    }

    static func referenceRecord(_ bytes: [UInt8]) -> Result<Record, any Error> {
        Result { try Record(json: JSONValue.parse(bytes)) }
    }

    static func fastRecord(_ bytes: [UInt8]) -> Result<Record, any Error> {
        bytes.withUnsafeBytes { raw in
            Result {
                var reader = try JSONStreamReader(raw)
                let record = try Record.decode(from: &reader)
                try reader.finish()
                return record
            }
        }
    }

    static func describe<T>(_ result: Result<T, any Error>) -> String {
        switch result {
        case .success(let value): return "ok \(value)"
        case .failure(let error): return "\(type(of: error)): \(error)"
        }
    }

    /// Both decoders agree on acceptance and on the record; with `sameError`, on the error too.
    static func expectAgreement(_ bytes: [UInt8], _ label: String, sameError: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) {
        let reference = referenceRecord(bytes)
        let fast = fastRecord(bytes)
        switch (reference, fast) {
        case (.success(let a), .success(let b)):
            #expect(a == b, "\(label): records differ", sourceLocation: sourceLocation)
        case (.failure, .failure):
            if sameError {
                #expect(describe(reference) == describe(fast), "\(label)", sourceLocation: sourceLocation)
            }
        default:
            Issue.record("\(label): reference \(describe(reference)) but fast \(describe(fast))", sourceLocation: sourceLocation)
        }
    }

    // MARK: Reader

    @Test func readsMembersScalarsAndRawRanges() throws {
        let text = #" { "name" : "Acme", "n": -12, "ok": true, "skip": {"a":[1,2,{"b":null}]}, "list": ["x", 2.5], "tail": "é\n" } "#
        let bytes = Array(text.utf8)
        try bytes.withUnsafeBytes { raw in
            var reader = try JSONStreamReader(raw)
            try reader.beginObject()
            var seen: [String] = []
            var skippedRange = 0..<0
            while let key = try reader.nextKey() {
                seen.append(key)
                switch key {
                case "name": #expect(try reader.readString() == "Acme")
                case "n": #expect(try reader.readInt64() == -12)
                case "ok": #expect(try reader.readBool() == true)
                case "skip":
                    let start = reader.currentOffset
                    try reader.skipValue()
                    skippedRange = start..<reader.currentOffset
                case "list":
                    try reader.beginArray()
                    #expect(try reader.nextElement())
                    #expect(try reader.readString() == "x")
                    #expect(try reader.nextElement())
                    #expect(try reader.readInt64() == nil)
                    #expect(try !reader.nextElement())
                default: #expect(try reader.readValue() == .string("é\n"))
                }
            }
            try reader.finish()
            #expect(seen == ["name", "n", "ok", "skip", "list", "tail"])
            #expect(String(decoding: bytes[skippedRange], as: UTF8.self) == #"{"a":[1,2,{"b":null}]}"#)
        }
    }

    @Test func emptyContainersAndPlainStringBytes() throws {
        let bytes = Array(#"[{}, [], "plain", "esc\"aped"]"#.utf8)
        try bytes.withUnsafeBytes { raw in
            var reader = try JSONStreamReader(raw)
            try reader.beginArray()
            #expect(try reader.nextElement())
            try reader.beginObject()
            #expect(try reader.nextKey() == nil)
            #expect(try reader.nextElement())
            try reader.beginArray()
            #expect(try !reader.nextElement())
            #expect(try reader.nextElement())
            let plain = try reader.readPlainStringBytes()
            #expect(plain.map { String(decoding: $0, as: UTF8.self) } == "plain")
            #expect(try reader.nextElement())
            #expect(try reader.readPlainStringBytes() == nil)
            #expect(try reader.readString() == "esc\"aped")
            #expect(try !reader.nextElement())
            try reader.finish()
        }
    }

    static let documents: [JSONCase] = [
        JSONCase("object", #"{"a":1,"b":[true,false,null],"c":{"d":"e"}}"#),
        JSONCase("whitespace", " \n\t{ \"a\" : [ 1 , 2 ] } \r\n"),
        JSONCase("numbers", "[0,-0,1.5,-2e3,1E+2,9223372036854775807,-9223372036854775808,9223372036854775808,1e400]"),
        JSONCase("escapes", #"["\u00e9\ud83d\ude00\n\t\\\/\"", "\u0000"]"#),
        JSONCase("utf8", "[\"h\u{e9}llo \u{1F600}\"]"),
        JSONCase("scalar", "42"),
        JSONCase("empty", ""),
        JSONCase("only whitespace", "  "),
        JSONCase("trailing comma array", "[1,2,]"),
        JSONCase("trailing comma object", #"{"a":1,}"#),
        JSONCase("leading comma", "[,1]"),
        JSONCase("missing colon", #"{"a" 1}"#),
        JSONCase("missing comma", #"{"a":1 "b":2}"#),
        JSONCase("unquoted key", "{a:1}"),
        JSONCase("duplicate key", #"{"a":1,"a":2}"#),
        JSONCase("duplicate escaped key", #"{"a":1,"\u0061":2}"#),
        JSONCase("control char", "[\"a\u{01}b\"]"),
        JSONCase("invalid escape", #"["\x"]"#),
        JSONCase("lone surrogate", #"["\ud800"]"#),
        JSONCase("leading zero", "[01]"),
        JSONCase("NaN", "[NaN]"),
        JSONCase("plus", "[+1]"),
        JSONCase("unterminated", #"{"a":[1,2"#),
        JSONCase("trailing garbage", "[1] x"),
        JSONCase("two values", "1 2"),
        JSONCase("bad literal", "[tru]"),
        JSONCase("invalid utf8", bytes: [0x5B, 0x22, 0xC3, 0x28, 0x22, 0x5D]),
        JSONCase("overlong utf8", bytes: [0x5B, 0x22, 0xC0, 0xAF, 0x22, 0x5D]),
        JSONCase("deep", String(repeating: "[", count: 300) + String(repeating: "]", count: 300)),
    ]

    @Test(arguments: documents)
    func streamingWalkAgreesWithTreeParser(_ document: JSONCase) {
        let tree = Self.treeParse(document.bytes)
        let stream = Self.streamParse(document.bytes)
        switch (tree, stream) {
        case (.success(let a), .success(let b)): #expect(a == b)
        default: #expect(Self.describe(tree) == Self.describe(stream))
        }
        // Skipping checks exactly as strictly (duplicate keys included, since skipValue parses a tree).
        switch (tree, Self.streamSkip(document.bytes)) {
        case (.success, .success), (.failure, .failure): break
        case (_, let skip): Issue.record("tree \(Self.describe(tree)) but skip \(Self.describe(skip))")
        }
    }

    // MARK: Record decoding

    static let base = #"{"branch":"BJ","clock":{"a":2,"b":1},"fields":{"code":[{"dot":["a",1],"hlc":[1700000000000,0],"value":"C-1"}],"name":[{"dot":["a",2],"hlc":[1700000000001,0],"value":"Acme Trading Company"}],"tier":[{"dot":["a",2],"hlc":[1700000000001,0],"value":"core"},{"dot":["b",1],"hlc":[1700000000002,3],"value":"important"}]},"id":"3f2504e0-4f89-41d3-9a0c-0305e82c3301","type":"customer"}"#

    /// Single-fault variants of `base` (and a few valid ones), as (name, document).
    static let envelopes: [(String, String)] = {
        let b = base
        var cases: [(String, String)] = [("base", b)]
        func add(_ name: String, _ text: String) { cases.append((name, text)) }
        add("pretty", #"""
            {
              "id": "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "type": "customer", "branch": "BJ",
              "clock": { "a": 2, "b": 1 },
              "fields": { "code": [ { "value": "C-1", "hlc": [ 1700000000000, 0 ], "dot": [ "a", 1 ] } ] }
            }
            """#)
        add("fields before clock", #"{"fields":{"code":[{"dot":["a",1],"hlc":[1,0],"value":"C-1"}]},"clock":{"a":1},"id":"3f2504e0-4f89-41d3-9a0c-0305e82c3301","type":"customer","branch":"BJ"}"#)
        add("fields before clock, uncovered", #"{"fields":{"code":[{"dot":["a",2],"hlc":[1,0],"value":"C-1"}]},"clock":{"a":1},"id":"3f2504e0-4f89-41d3-9a0c-0305e82c3301","type":"customer","branch":"BJ"}"#)
        add("uppercase id", b.replacing("3f2504e0-4f89", with: "3F2504E0-4F89"))
        add("escaped member name", b.replacing(#""id":"#, with: #""\u0069d":"#))
        add("escaped field name and node", b.replacing(#""code":[{"dot":["a",1]"#, with: #""c\u006fde":[{"dot":["\u0061",1]"#))
        add("escaped sibling member", b.replacing(#""value":"C-1""#, with: #""v\u0061lue":"C-1""#))
        add("zero clock entry", b.replacing(#""clock":{"a":2,"b":1}"#, with: #""clock":{"a":2,"b":1,"c":0}"#))
        add("null and object values", b.replacing(#""value":"C-1""#, with: #""value":{"x":[null,1.5]}"#))
        add("empty fields", #"{"branch":"BJ","clock":{},"fields":{},"id":"3f2504e0-4f89-41d3-9a0c-0305e82c3301","type":"visit"}"#)
        add("deleted", b.replacing(#""id":"#, with: #""lifecycle":[{"deleted":true,"dot":["b",1],"hlc":[5,0],"seen":{"a":2,"b":1}}],"id":"#).replacing(#"{"dot":["b",1],"hlc":[1700000000002,3],"value":"important"}"#, with: #"{"dot":["a",1],"hlc":[1700000000002,3],"value":"important"}"#).replacing(#"{"dot":["a",2],"hlc":[1700000000001,0],"value":"core"},"#, with: ""))
        add("restored", b.replacing(#""id":"#, with: #""lifecycle":[{"deleted":false,"dot":["b",1],"hlc":[5,0]}],"id":"#))
        // Refused.
        add("not an object", "[1,2]")
        add("string", #""x""#)
        for member in ["id", "type", "branch", "clock", "fields"] {
            add("missing \(member)", Self.removing(member, from: b))
        }
        add("id not a string", b.replacing(#""id":"3f2504e0-4f89-41d3-9a0c-0305e82c3301""#, with: #""id":7"#))
        add("id not a uuid", b.replacing("3f2504e0-4f89", with: "3f2504e0x4f89"))
        add("id too short", b.replacing("3f2504e0-4f89", with: "3f2504e-4f89"))
        add("type not a string", b.replacing(#""type":"customer""#, with: #""type":null"#))
        add("unknown type", b.replacing(#""type":"customer""#, with: #""type":"lead""#))
        add("branch not a string", b.replacing(#""branch":"BJ""#, with: #""branch":["BJ"]"#))
        add("bad branch", b.replacing(#""branch":"BJ""#, with: #""branch":"B J""#))
        add("clock not an object", b.replacing(#""clock":{"a":2,"b":1}"#, with: #""clock":[2]"#))
        add("clock bad node", b.replacing(#""clock":{"a":2,"b":1}"#, with: #""clock":{"a":2,"b!":1}"#))
        add("clock negative", b.replacing(#""clock":{"a":2,"b":1}"#, with: #""clock":{"a":2,"b":-1}"#))
        add("clock fraction", b.replacing(#""clock":{"a":2,"b":1}"#, with: #""clock":{"a":2,"b":1.0}"#))
        add("clock duplicate node", b.replacing(#""clock":{"a":2,"b":1}"#, with: #""clock":{"a":2,"b":1,"a":3}"#))
        add("fields not an object", b.replacing(#""fields":{"#, with: #""fields":[],"x":{"#))
        add("field not an array", b.replacing(#""code":[{"dot":["a",1],"hlc":[1700000000000,0],"value":"C-1"}]"#, with: #""code":"C-1""#))
        add("field empty array", b.replacing(#""code":[{"dot":["a",1],"hlc":[1700000000000,0],"value":"C-1"}]"#, with: #""code":[]"#))
        add("sibling not an object", b.replacing(#""code":[{"dot":["a",1],"hlc":[1700000000000,0],"value":"C-1"}]"#, with: #""code":["C-1"]"#))
        add("sibling missing value", b.replacing(#","value":"C-1""#, with: ""))
        add("sibling missing dot", b.replacing(#"{"dot":["a",1],"hlc":[1700000000000,0],"#, with: #"{"hlc":[1700000000000,0],"#))
        add("sibling extra member", b.replacing(#""value":"C-1""#, with: #""value":"C-1","note":1"#))
        add("sibling duplicate member", b.replacing(#""value":"C-1""#, with: #""value":"C-1","value":"C-2""#))
        add("sibling duplicate unknown members", b.replacing(#""value":"C-1""#, with: #""value":"C-1","x":1,"x":2"#))
        for (name, dot) in [("dot zero", #"["a",0]"#), ("dot short", #"["a"]"#), ("dot long", #"["a",1,2]"#),
                            ("dot number node", "[1,1]"), ("dot string", #""a:1""#), ("dot fraction", #"["a",1.0]"#),
                            ("dot bad node", #"["a b",1]"#), ("dot empty", "[]"), ("dot uncovered", #"["a",3]"#),
                            ("dot unknown node", #"["z",1]"#), ("dot escaped node", #"["\u0061",1]"#)] {
            add(name, b.replacing(#"{"dot":["a",1],"hlc":[1700000000000,0],"value":"C-1"}"#, with: #"{"dot":\#(dot),"hlc":[1700000000000,0],"value":"C-1"}"#))
        }
        for (name, hlc) in [("hlc short", "[1]"), ("hlc negative logical", "[1,-1]"), ("hlc logical too big", "[1,4294967296]"),
                            ("hlc fraction", "[1.5,0]"), ("hlc object", #"{"m":1}"#), ("hlc long", "[1,2,3]")] {
            add(name, b.replacing(#""hlc":[1700000000000,0],"value":"C-1""#, with: #""hlc":\#(hlc),"value":"C-1""#))
        }
        add("duplicate dots in a register", b.replacing(#"{"dot":["b",1],"hlc":[1700000000002,3]"#, with: #"{"dot":["a",2],"hlc":[1700000000002,3]"#))
        add("duplicate field", b.replacing(#""code":["#, with: #""name":[{"dot":["a",1],"hlc":[1,0],"value":"x"}],"code":["#))
        add("duplicate member", b.replacing(#""type":"customer""#, with: #""type":"customer","type":"customer""#))
        add("duplicate escaped member", b.replacing(#""type":"customer""#, with: #""type":"customer","\u0074ype":"visit""#))
        add("unknown member", b.replacing(#""type":"customer""#, with: #""type":"customer","extra":1"#))
        add("two unknown members", b.replacing(#""type":"customer""#, with: #""type":"customer","zz":1,"extra":[1,2]"#))
        add("duplicate unknown member", b.replacing(#""type":"customer""#, with: #""type":"customer","x":1,"x":2"#))
        add("lifecycle not an array", b.replacing(#""id":"#, with: #""lifecycle":{},"id":"#))
        add("lifecycle seen too large", b.replacing(#""id":"#, with: #""lifecycle":[{"deleted":true,"dot":["b",1],"hlc":[5,0],"seen":{"a":3,"b":1}}],"id":"#))
        add("lifecycle extra member", b.replacing(#""id":"#, with: #""lifecycle":[{"deleted":false,"dot":["b",1],"hlc":[5,0],"x":1}],"id":"#))
        add("trailing comma", b.replacing(#""value":"C-1"}"#, with: #""value":"C-1",}"#))
        add("trailing comma in dot", b.replacing(#"["a",1]"#, with: #"["a",1,]"#))
        add("control character", b.replacing("Acme Trading", with: "Acme\u{01}Trading"))
        add("invalid escape", b.replacing("Acme Trading", with: #"Acme\qTrading"#))
        add("trailing garbage", b + " }")
        add("truncated", String(b.dropLast(3)))
        return cases
    }()

    static func removing(_ member: String, from text: String) -> String {
        guard let value = try? JSONValue.parse(text), case .object(var object) = value else { return text }
        object[member] = nil
        return JSONValue.object(object).serialized()
    }

    @Test func envelopeVariantsDecodeAlikeWithTheSameErrors() {
        for (name, text) in Self.envelopes {
            Self.expectAgreement(Array(text.utf8), name)
        }
    }

    @Test func invalidUTF8InAValueIsRefusedAlike() {
        var bytes = Array(Self.base.utf8)
        let marker = Array("Acme".utf8)
        let index = (0..<bytes.count - marker.count).first { Array(bytes[$0..<$0 + marker.count]) == marker }!
        bytes[index + 1] = 0xFF
        Self.expectAgreement(bytes, "invalid UTF-8")
        bytes[index + 1] = 0xC3  // truncated two-byte sequence followed by ASCII
        Self.expectAgreement(bytes, "truncated UTF-8")
    }

    @Test func mergeVectorEnvelopesDecodeAlike() throws {
        for item in try ProtocolVectorTests.cases("Protocol/vectors/merge.json") {
            let name = try ProtocolVectorTests.member(item, "name").stringValue ?? "?"
            for side in ["left", "right", "expected"] {
                let envelope = try ProtocolVectorTests.member(item, side)
                Self.expectAgreement(envelope.serializedBytes(), "\(name) \(side)")
                Self.expectAgreement(Array(envelope.serialized(pretty: true).utf8), "\(name) \(side) (pretty)")
                #expect(try Self.fastRecord(envelope.serializedBytes()).get() == Record(json: envelope), "\(name) \(side)")
            }
        }
    }

    @Test func exampleEnvelopesDecodeAlike() throws {
        for file in ["pull-page", "push-request"] {
            let text = try ProtocolVectorTests.read("Protocol/examples/\(file).json")
            let document = try JSONValue.parse(text)
            let records = try ProtocolVectorTests.member(document, "records").arrayValue ?? []
            #expect(!records.isEmpty)
            for (index, record) in records.enumerated() {
                Self.expectAgreement(record.serializedBytes(), "\(file) record \(index)")
                Self.expectAgreement(Array(record.serialized(pretty: true).utf8), "\(file) record \(index) (pretty)")
            }
        }
    }

    // MARK: Pull pages

    @Test func pullPageExampleDecodesWithRawEnvelopes() throws {
        let bytes = Array(try ProtocolVectorTests.read("Protocol/examples/pull-page.json").utf8)
        let reference = try PullPage(json: JSONValue.parse(bytes))
        let page = try PullPage.decode(bytes: bytes)
        #expect(page == reference)
        #expect(page.receivedBytes.count == page.records.count)
        for (record, raw) in zip(page.records, page.receivedBytes) {
            #expect(try Record(json: JSONValue.parse(Array(raw))) == record)
        }
        // A page built in memory carries no raw bytes.
        #expect(reference.receivedBytes.isEmpty)
    }

    @Test func canonicalPageRoundTrips() throws {
        let records = try ProtocolVectorTests.cases("Protocol/vectors/merge.json").map { item in
            try Record(json: ProtocolVectorTests.member(item, "expected"))
        }
        // Distinct ids are not required by the page format; keep them as they are.
        let original = PullPage(records: records, cursor: "c-1", hasMore: true)
        let bytes = original.jsonValue.serializedBytes()
        let page = try PullPage.decode(bytes: bytes)
        #expect(page == original)
        for (record, raw) in zip(page.records, page.receivedBytes) {
            #expect(Array(raw) == record.jsonValue.serializedBytes())
        }
    }

    static let pages: [(String, String)] = {
        let record = base
        return [
            ("valid", #"{"records":[\#(record),\#(record)],"cursor":"abc","hasMore":false}"#),
            ("valid reordered", #" {"hasMore":true, "cursor":"abc", "records":[ ]} "#),
            ("not an object", "[]"),
            ("records not an array", #"{"records":{},"cursor":"abc","hasMore":false}"#),
            ("missing records", #"{"cursor":"abc","hasMore":false}"#),
            ("missing cursor", #"{"records":[],"hasMore":false}"#),
            ("missing hasMore", #"{"records":[],"cursor":"abc"}"#),
            ("cursor not a string", #"{"records":[],"cursor":1,"hasMore":false}"#),
            ("hasMore not a bool", #"{"records":[],"cursor":"abc","hasMore":"no"}"#),
            ("unknown member", #"{"records":[],"cursor":"abc","hasMore":false,"more":1}"#),
            ("duplicate member", #"{"records":[],"cursor":"abc","cursor":"abd","hasMore":false}"#),
            ("bad record", #"{"records":[\#(record),{"id":1}],"cursor":"abc","hasMore":false}"#),
            ("trailing comma", #"{"records":[\#(record),],"cursor":"abc","hasMore":false}"#),
            ("trailing garbage", #"{"records":[],"cursor":"abc","hasMore":false}]"#),
            ("empty", ""),
        ]
    }()

    @Test func pullPagesDecodeAlikeWithTheSameErrors() {
        for (name, text) in Self.pages {
            let bytes = Array(text.utf8)
            let reference = Result { try PullPage(json: JSONValue.parse(bytes)) }
            let fast = Result { try PullPage.decodeFast(bytes: bytes) }
            let public_ = Result { try PullPage.decode(bytes: bytes) }
            for (label, candidate) in [("fast", fast), ("public", public_)] {
                switch (reference, candidate) {
                case (.success(let a), .success(let b)): #expect(a == b, "\(name): \(label) decoder")
                case (.failure, .failure): #expect(Self.describe(reference) == Self.describe(candidate), "\(name): \(label) decoder")
                default: Issue.record("\(name): reference \(Self.describe(reference)) but \(label) \(Self.describe(candidate))")
                }
            }
        }
    }
}
