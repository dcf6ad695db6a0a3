import Testing

@testable import OutpostJSON

@Test func compactOutputHasNoWhitespaceAndSortedKeys() {
    let value: JSONValue = ["zeta": 1, "alpha": [true, false, nil], "mid": ["b": "x", "a": 2.5]]
    #expect(value.serialized() == #"{"alpha":[true,false,null],"mid":{"a":2.5,"b":"x"},"zeta":1}"#)
}

@Test func objectKeysAreSortedByUTF8BytesNotByLocaleOrCase() {
    let value: JSONValue = .object([
        "b": 1, "B": 2, "a": 3, "é": 4, "z": 5, "": 6, "aa": 7, "😀": 8, "\u{FFFF}": 9, "e\u{301}x": 10,
    ])
    // UTF-8 byte order: "" < "B" < "a" < "aa" < "b" < "e\u{301}x" < "z" < "é" (C3 A9) < U+FFFF (EF) < 😀 (F0)
    #expect(
        value.serialized()
            == "{\"\":6,\"B\":2,\"a\":3,\"aa\":7,\"b\":1,\"e\u{301}x\":10,\"z\":5,\"é\":4,\"\u{FFFF}\":9,\"😀\":8}")
}

@Test func canonicalOutputIsIndependentOfInsertionOrder() throws {
    var first: [String: JSONValue] = [:]
    var second: [String: JSONValue] = [:]
    let keys = (0..<200).map { "key\($0)" }
    for key in keys { first[key] = .string(key) }
    for key in keys.reversed() { second[key] = .string(key) }
    #expect(JSONValue.object(first).serialized() == JSONValue.object(second).serialized())
    let reparsed = try JSONValue.parse(JSONValue.object(first).serialized())
    #expect(reparsed.serialized() == JSONValue.object(first).serialized())
}

@Test func stringsEscapeOnlyQuoteBackslashAndControlCharacters() {
    let value = JSONValue.string("q\" b\\ s/ \u{08}\u{0C}\n\r\t \u{0} \u{1F} \u{7F} é 😀")
    #expect(value.serialized() == "\"q\\\" b\\\\ s/ \\b\\f\\n\\r\\t \\u0000 \\u001f \u{7F} é 😀\"")
}

@Test func controlCharactersWithoutShortEscapesUseLowercaseHex() {
    #expect(JSONValue.string("\u{1B}\u{0B}\u{1A}").serialized() == #""\u001b\u000b\u001a""#)
}

@Test func nonASCIIIsEmittedAsRawUTF8() {
    let bytes = JSONValue.string("€").serializedBytes()
    #expect(bytes == [0x22, 0xE2, 0x82, 0xAC, 0x22])
}

@Test func integersSerializeInPlainDecimalAcrossInt64Range() throws {
    let samples: [Int64] = [0, 1, -1, 9, 10, -10, 42, 1_000_000, Int64.max, Int64.min, Int64.min + 1]
    for sample in samples {
        let text = JSONValue.int(sample).serialized()
        #expect(text == String(sample))
        #expect(try JSONValue.parse(text) == .int(sample))
    }
}

@Test func integralDoublesKeepAMarkerSoTheyParseBackAsDouble() throws {
    #expect(JSONValue.double(3.0).serialized() == "3.0")
    #expect(JSONValue.double(-0.0).serialized() == "-0.0")
    #expect(JSONValue.double(1e16).serialized() == "1e+16")
    #expect(try JSONValue.parse(JSONValue.double(3.0).serialized()) == .double(3.0))
    #expect(try JSONValue.parse(JSONValue.double(1e16).serialized()) == .double(1e16))
}

@Test func doublesUseShortestRoundTripForm() throws {
    #expect(JSONValue.double(0.1).serialized() == "0.1")
    #expect(JSONValue.double(1e-7).serialized() == "1e-07")
    #expect(JSONValue.double(2.5).serialized() == "2.5")
    let samples: [Double] = [
        0.1, 0.30000000000000004, 1e-7, 123.456, -2.5e-300, .greatestFiniteMagnitude, .leastNonzeroMagnitude,
        .leastNormalMagnitude, 1e22, 1e23, 9007199254740993, .pi, -.ulpOfOne,
    ]
    for sample in samples {
        let text = JSONValue.double(sample).serialized()
        #expect(try JSONValue.parse(text) == .double(sample), "\(text)")
    }
}

@Test func nonFiniteDoublesSerializeAsNull() {
    #expect(JSONValue.double(.nan).serialized() == "null")
    #expect(JSONValue.double(.infinity).serialized() == "null")
    #expect(JSONValue.array([.double(-.infinity)]).serialized() == "[null]")
}

@Test func prettyOutputUsesTwoSpaceIndentAndSortedKeys() {
    let value: JSONValue = ["b": [1, "x"], "a": ["c": nil], "e": [], "d": [:]]
    let expected = """
        {
          "a": {
            "c": null
          },
          "b": [
            1,
            "x"
          ],
          "d": {},
          "e": []
        }
        """
    #expect(value.serialized(pretty: true) == expected)
    #expect(JSONValue.int(5).serialized(pretty: true) == "5")
}

@Test func prettyOutputParsesBackToTheSameValue() throws {
    let value: JSONValue = ["list": [["k": "v\n"], 2.0, -3], "s": "ünï", "t": true]
    #expect(try JSONValue.parse(value.serialized(pretty: true)) == value)
}

@Test func serializedBytesAndAppendSerializedMatchSerialized() {
    let value: JSONValue = ["id": "r1", "n": [1, 2, 3]]
    #expect(value.serializedBytes() == Array(value.serialized().utf8))
    var buffer: [UInt8] = Array("prefix:".utf8)
    value.appendSerialized(to: &buffer)
    #expect(buffer == Array("prefix:".utf8) + value.serializedBytes())
}

@Test func roundTripPreservesValuesAndCanonicalText() throws {
    let values: [JSONValue] = [
        .null, true, false, 0, -1, .int(Int64.max), .int(Int64.min), 0.5, -1.25e-10, "", "plain",
        "esc\"aped\\\u{1}", "😀 and \u{10FFFF}", [], [:], [[[]]], ["": ["": nil]],
        [
            "name": "Acme GmbH", "revenue": 1_234_567.89, "employees": 420, "tags": ["b2b", "eu"],
            "address": ["street": "Hauptstraße 1", "zip": "10115"], "archived": false, "notes": nil,
        ],
    ]
    for value in values {
        let text = value.serialized()
        let reparsed = try JSONValue.parse(text)
        #expect(reparsed == value, "\(text)")
        #expect(reparsed.serialized() == text)
        #expect(try JSONValue.parse(value.serialized(pretty: true)) == value)
    }
}

@Test func parseThenSerializeNormalisesToCanonicalForm() throws {
    let input = #" { "b" : [ 1 , 2.50 , "\u00e9\/" ] , "a" : 1E2 } "#
    #expect(try JSONValue.parse(input).serialized() == #"{"a":100.0,"b":[1,2.5,"é/"]}"#)
}
