import Testing

@testable import OutpostJSON

/// A named JSON document given as raw bytes (so invalid UTF-8 can be expressed).
struct JSONCase: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]

    init(_ name: String, _ text: String) {
        self.name = name
        self.bytes = Array(text.utf8)
    }

    init(_ name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    var testDescription: String { name }
}

private func parseError(_ text: String, maxDepth: Int = 256) -> JSONParseError? {
    parseError(Array(text.utf8), maxDepth: maxDepth)
}

private func parseError(_ bytes: [UInt8], maxDepth: Int = 256) -> JSONParseError? {
    do {
        _ = try JSONValue.parse(bytes, maxDepth: maxDepth)
        return nil
    } catch {
        return error
    }
}

// MARK: - JSONTestSuite-style tables

/// Accept cases modelled on nst/JSONTestSuite `y_*` files.
let acceptCases: [JSONCase] = [
    JSONCase("y_array_arraysWithSpaces", "[[]   ]"),
    JSONCase("y_array_empty", "[]"),
    JSONCase("y_array_empty-string", "[\"\"]"),
    JSONCase("y_array_false", "[false]"),
    JSONCase("y_array_heterogeneous", "[null, 1, \"1\", {}]"),
    JSONCase("y_array_null", "[null]"),
    JSONCase("y_array_with_1_and_newline", "[1\n]"),
    JSONCase("y_array_with_leading_space", " [1]"),
    JSONCase("y_array_with_several_null", "[1,null,null,null,2]"),
    JSONCase("y_array_with_trailing_space", "[2] "),
    JSONCase("y_number", "[123e65]"),
    JSONCase("y_number_0e+1", "[0e+1]"),
    JSONCase("y_number_0e1", "[0e1]"),
    JSONCase("y_number_after_space", "[ 4]"),
    JSONCase(
        "y_number_double_close_to_zero",
        "[-0.000000000000000000000000000000000000000000000000000000000000000000000000000001]"),
    JSONCase("y_number_int_with_exp", "[20e1]"),
    JSONCase("y_number_minus_zero", "[-0]"),
    JSONCase("y_number_negative_int", "[-123]"),
    JSONCase("y_number_real_capital_e", "[1E22]"),
    JSONCase("y_number_real_capital_e_neg_exp", "[1E-2]"),
    JSONCase("y_number_real_capital_e_pos_exp", "[1E+2]"),
    JSONCase("y_number_real_fraction_exponent", "[123.456e78]"),
    JSONCase("y_number_real_neg_exp", "[1e-2]"),
    JSONCase("y_number_simple_real", "[123.456789]"),
    JSONCase("y_object", "{\"asd\":\"sdf\", \"dfg\":\"fgh\"}"),
    JSONCase("y_object_empty", "{}"),
    JSONCase("y_object_empty_key", "{\"\":0}"),
    JSONCase("y_object_escaped_null_in_key", "{\"foo\\u0000bar\": 42}"),
    JSONCase("y_object_extreme_numbers", "{ \"min\": -1.0e+28, \"max\": 1.0e+28 }"),
    JSONCase("y_object_simple", "{\"a\":[]}"),
    JSONCase("y_object_with_newlines", "{\n\"a\": \"b\"\n}"),
    JSONCase("y_string_1_2_3_bytes_UTF-8_sequences", "[\"\\u0060\\u012a\\u12AB\"]"),
    JSONCase("y_string_accepted_surrogate_pair", "[\"\\uD801\\udc37\"]"),
    JSONCase("y_string_accepted_surrogate_pairs", "[\"\\ud83d\\ude39\\ud83d\\udc8d\"]"),
    JSONCase("y_string_allowed_escapes", "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]"),
    JSONCase("y_string_backslash_and_u_escaped_zero", "[\"\\\\u0000\"]"),
    JSONCase("y_string_comments", "[\"a/*b*/c/*d//e\"]"),
    JSONCase("y_string_double_escape_a", "[\"\\\\a\"]"),
    JSONCase("y_string_escaped_control_character", "[\"\\u0012\"]"),
    JSONCase("y_string_escaped_noncharacter", "[\"\\uFFFF\"]"),
    JSONCase("y_string_last_surrogates_1_and_2", "[\"\\uDBFF\\uDFFF\"]"),
    JSONCase("y_string_nonCharacterInUTF-8_U+FFFF", bytes: [0x5B, 0x22, 0xEF, 0xBF, 0xBF, 0x22, 0x5D]),
    JSONCase("y_string_pi", "[\"π\"]"),
    JSONCase("y_string_utf8", "[\"€𝄞\"]"),
    JSONCase("y_string_with_del_character", bytes: [0x5B, 0x22, 0x61, 0x7F, 0x61, 0x22, 0x5D]),
    JSONCase("y_structure_lonely_false", "false"),
    JSONCase("y_structure_lonely_int", "42"),
    JSONCase("y_structure_lonely_negative_real", "-0.1"),
    JSONCase("y_structure_lonely_null", "null"),
    JSONCase("y_structure_lonely_string", "\"asd\""),
    JSONCase("y_structure_string_empty", "\"\""),
    JSONCase("y_structure_trailing_newline", "[\"a\"]\n"),
    JSONCase("y_structure_whitespace_array", " [] "),
    JSONCase("i_number_double_huge_neg_exp (underflows to 0)", "[123.456e-789]"),
    JSONCase("i_number_too_big_pos_int (becomes double)", "[100000000000000000000]"),
]

/// Reject cases modelled on nst/JSONTestSuite `n_*` files (plus the strict `i_*` choices).
let rejectCases: [JSONCase] = [
    JSONCase("n_array_1_true_without_comma", "[1 true]"),
    JSONCase("n_array_colon_instead_of_comma", "[\"\": 1]"),
    JSONCase("n_array_comma_after_close", "[\"\"],"),
    JSONCase("n_array_comma_and_number", "[,1]"),
    JSONCase("n_array_double_comma", "[1,,2]"),
    JSONCase("n_array_extra_close", "[\"x\"]]"),
    JSONCase("n_array_extra_comma", "[\"\",]"),
    JSONCase("n_array_incomplete", "[\"x\""),
    JSONCase("n_array_inner_array_no_comma", "[3[4]]"),
    JSONCase("n_array_just_comma", "[,]"),
    JSONCase("n_array_just_minus", "[-]"),
    JSONCase("n_array_missing_value", "[   , \"\"]"),
    JSONCase("n_array_number_and_comma", "[1,]"),
    JSONCase("n_array_unclosed_trailing_comma", "[1,"),
    JSONCase("n_incomplete_false", "[fals]"),
    JSONCase("n_incomplete_null", "[nul]"),
    JSONCase("n_incomplete_true", "[tru]"),
    JSONCase("n_number_++", "[++1234]"),
    JSONCase("n_number_+1", "[+1]"),
    JSONCase("n_number_-01", "[-01]"),
    JSONCase("n_number_-1.0.", "[-1.0.]"),
    JSONCase("n_number_-2.", "[-2.]"),
    JSONCase("n_number_-NaN", "[-NaN]"),
    JSONCase("n_number_.-1", "[.-1]"),
    JSONCase("n_number_.2e-3", "[.2e-3]"),
    JSONCase("n_number_0.1.2", "[0.1.2]"),
    JSONCase("n_number_0.3e+", "[0.3e+]"),
    JSONCase("n_number_0.e1", "[0.e1]"),
    JSONCase("n_number_0_capital_E+", "[0E+]"),
    JSONCase("n_number_0e", "[0e]"),
    JSONCase("n_number_1_000", "[1 000.0]"),
    JSONCase("n_number_2.e3", "[2.e3]"),
    JSONCase("n_number_Inf", "[Inf]"),
    JSONCase("n_number_NaN", "[NaN]"),
    JSONCase("n_number_expression", "[1+2]"),
    JSONCase("n_number_hex_1_digit", "[0x1]"),
    JSONCase("n_number_infinity", "[Infinity]"),
    JSONCase("n_number_minus_infinity", "[-Infinity]"),
    JSONCase("n_number_neg_int_starting_with_zero", "[-012]"),
    JSONCase("n_number_neg_real_without_int_part", "[-.123]"),
    JSONCase("n_number_real_without_fractional_part", "[1.]"),
    JSONCase("n_number_with_leading_zero", "[012]"),
    JSONCase("n_object_bad_value", "[\"x\", truth]"),
    JSONCase("n_object_comma_instead_of_colon", "{\"x\", null}"),
    JSONCase("n_object_double_colon", "{\"x\"::\"b\"}"),
    JSONCase("n_object_missing_colon", "{\"a\" b}"),
    JSONCase("n_object_missing_key", "{:\"b\"}"),
    JSONCase("n_object_missing_value", "{\"a\":"),
    JSONCase("n_object_no-colon", "{\"a\""),
    JSONCase("n_object_non_string_key", "{1:1}"),
    JSONCase("n_object_single_quote", "{'a':0}"),
    JSONCase("n_object_trailing_comma", "{\"id\":0,}"),
    JSONCase("n_object_trailing_comment", "{\"a\":\"b\"}/**/"),
    JSONCase("n_object_two_commas_in_a_row", "{\"a\":\"b\",,\"c\":\"d\"}"),
    JSONCase("n_object_unquoted_key", "{a: \"b\"}"),
    JSONCase("n_single_space", " "),
    JSONCase("n_string_1_surrogate_then_escape", "[\"\\uD800\\\"]"),
    JSONCase("n_string_escape_x", "[\"\\x00\"]"),
    JSONCase("n_string_escaped_backslash_bad", "[\"\\\\\\\"]"),
    JSONCase("n_string_escaped_ctrl_char_tab", "[\"\\\t\"]"),
    JSONCase("n_string_incomplete_escape", "[\"\\\"]"),
    JSONCase("n_string_incomplete_surrogate_escape_invalid", "[\"\\uD800\\uD800\\x\"]"),
    JSONCase("n_string_invalid_utf8_after_escape", bytes: [0x5B, 0x22, 0x5C, 0xE5, 0x22, 0x5D]),
    JSONCase("n_string_invalid-utf-8-in-escape", bytes: [0x5B, 0x22, 0x5C, 0x75, 0xE5, 0x22, 0x5D]),
    JSONCase("n_string_single_quote", "['single quote']"),
    JSONCase("n_string_unescaped_ctrl_char", bytes: [0x5B, 0x22, 0x61, 0x00, 0x61, 0x22, 0x5D]),
    JSONCase("n_string_unescaped_newline", "[\"new\nline\"]"),
    JSONCase("n_string_unescaped_tab", "[\"\t\"]"),
    JSONCase("n_string_no_quotes_with_bad_escape", "[\\n]"),
    JSONCase("n_structure_UTF8_BOM_no_data", bytes: [0xEF, 0xBB, 0xBF]),
    JSONCase("n_structure_lone-open-bracket", "["),
    JSONCase("n_structure_no_data", ""),
    JSONCase("n_structure_open_object", "{"),
    JSONCase("n_structure_double_array", "[][]"),
    JSONCase("n_structure_object_with_trailing_garbage", "{\"a\": true} \"x\""),
    JSONCase("n_structure_trailing_#", "{\"a\":\"b\"}#{}"),
    JSONCase("n_structure_whitespace_formfeed", "[\u{0C}]"),
    JSONCase("n_structure_capitalized_True", "[True]"),
    JSONCase("n_structure_null-byte-outside-string", bytes: [0x5B, 0x00, 0x5D]),
    JSONCase("i_structure_UTF-8_BOM_empty_object", bytes: [0xEF, 0xBB, 0xBF, 0x7B, 0x7D]),
    JSONCase("i_string_1st_surrogate_but_2nd_missing", "[\"\\uDADA\"]"),
    JSONCase("i_string_1st_valid_surrogate_2nd_invalid", "[\"\\uD888\\u1234\"]"),
    JSONCase("i_string_incomplete_surrogate_pair", "[\"\\uDd1ea\"]"),
    JSONCase("i_string_inverted_surrogates_U+1D11E", "[\"\\uDd1e\\uD834\"]"),
    JSONCase("i_string_lone_second_surrogate", "[\"\\uDFAA\"]"),
    JSONCase("i_string_invalid_utf-8", bytes: [0x5B, 0x22, 0xFF, 0x22, 0x5D]),
    JSONCase("i_string_lone_utf8_continuation_byte", bytes: [0x5B, 0x22, 0x81, 0x22, 0x5D]),
    JSONCase("i_string_overlong_sequence_2_bytes", bytes: [0x5B, 0x22, 0xC0, 0xAF, 0x22, 0x5D]),
    JSONCase("i_string_overlong_sequence_6_bytes", bytes: [0x5B, 0x22, 0xFC, 0x83, 0xBF, 0xBF, 0xBF, 0xBF, 0x22, 0x5D]),
    JSONCase("i_string_UTF8_surrogate_U+D800", bytes: [0x5B, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x5D]),
    JSONCase("i_string_not_in_unicode_range", bytes: [0x5B, 0x22, 0xF4, 0xBF, 0xBF, 0xBF, 0x22, 0x5D]),
    JSONCase("i_string_truncated-utf-8", bytes: [0x5B, 0x22, 0xE0, 0xFF, 0x22, 0x5D]),
    JSONCase("i_number_huge_exp", "[0.4e00669999999999999999999999999999999999999999999999999999999999999999999006]"),
    JSONCase("i_number_real_pos_overflow", "[123123e100000]"),
    JSONCase("i_number_neg_int_huge_exp", "[-1e+9999]"),
    JSONCase("y_object_duplicated_key (strict: rejected)", "{\"a\":\"b\",\"a\":\"c\"}"),
]

@Test("Documents from the JSONTestSuite y_ table are accepted", arguments: acceptCases)
func validDocumentsAreAccepted(_ testCase: JSONCase) throws {
    _ = try JSONValue.parse(testCase.bytes)
}

@Test("Documents from the JSONTestSuite n_ table are rejected", arguments: rejectCases)
func invalidDocumentsAreRejected(_ testCase: JSONCase) {
    let error = parseError(testCase.bytes)
    #expect(error != nil, "accepted \(testCase.name)")
    if let error {
        #expect(error.offset >= 0 && error.offset <= testCase.bytes.count)
    }
}

// MARK: - Values

@Test func scalarsParseToTheirCases() throws {
    #expect(try JSONValue.parse("null") == .null)
    #expect(try JSONValue.parse("true") == .bool(true))
    #expect(try JSONValue.parse("false") == .bool(false))
    #expect(try JSONValue.parse("0") == .int(0))
    #expect(try JSONValue.parse("-17") == .int(-17))
    #expect(try JSONValue.parse("\"hi\"") == .string("hi"))
    #expect(try JSONValue.parse(" \t\r\n[ 1 , 2 ]\n ") == .array([.int(1), .int(2)]))
}

@Test func nestedDocumentParsesToMatchingValue() throws {
    let text = #"{"id":"c-1","tags":["a","b"],"score":4.5,"count":3,"active":true,"owner":null,"meta":{"x":[]}}"#
    let expected: JSONValue = [
        "id": "c-1", "tags": ["a", "b"], "score": 4.5, "count": 3, "active": true, "owner": nil,
        "meta": ["x": []],
    ]
    #expect(try JSONValue.parse(text) == expected)
}

@Test func integersWithoutFractionOrExponentWithinInt64BecomeInt() throws {
    #expect(try JSONValue.parse("9223372036854775807") == .int(Int64.max))
    #expect(try JSONValue.parse("-9223372036854775808") == .int(Int64.min))
    #expect(try JSONValue.parse("-0") == .int(0))
}

@Test func integersOutsideInt64BecomeDouble() throws {
    #expect(try JSONValue.parse("9223372036854775808") == .double(9223372036854775808.0))
    #expect(try JSONValue.parse("-9223372036854775809") == .double(-9223372036854775809.0))
    #expect(try JSONValue.parse("100000000000000000000") == .double(1e20))
}

@Test func numbersWithFractionOrExponentBecomeDouble() throws {
    #expect(try JSONValue.parse("1.0") == .double(1.0))
    #expect(try JSONValue.parse("1e2") == .double(100))
    #expect(try JSONValue.parse("1E+2") == .double(100))
    #expect(try JSONValue.parse("-2.5e-3") == .double(-0.0025))
    #expect(try JSONValue.parse("0.1") == .double(0.1))
    #expect(try JSONValue.parse("123.456") == .double(123.456))
    let negativeZero = try #require(JSONValue.parse("-0.0").doubleValue)
    #expect(negativeZero == 0 && negativeZero.sign == .minus)
}

@Test func doublesAreCorrectlyRoundedOutsideTheFastPath() throws {
    let samples = [
        "1.7976931348623157e308", "4.9406564584124654e-324", "2.2250738585072014e-308",
        "0.30000000000000004", "9007199254740993", "1.00000000000000011102230246251565404236316680908203125",
        "123456789012345678901234567890.5", "1e23", "8.98846567431158e307",
    ]
    for sample in samples {
        let parsed = try JSONValue.parse(sample).doubleValue
        #expect(parsed == Double(sample), "\(sample)")
    }
}

@Test func numbersTooLargeForDoubleAreRejected() {
    #expect(parseError("1e309") != nil)
    #expect(parseError("-1e400") != nil)
    #expect(parseError("[1.5e99999999999999999999]") != nil)
}

@Test func tinyNumbersUnderflowToZero() throws {
    #expect(try JSONValue.parse("1e-400") == .double(0))
}

// MARK: - Strings

@Test func escapesDecodeToTheirCharacters() throws {
    let value = try JSONValue.parse(#""\"\\\/\b\f\n\r\t\u0041\u00e9\u20AC""#)
    #expect(value == .string("\"\\/\u{08}\u{0C}\n\r\tAé€"))
}

@Test func surrogatePairEscapesDecodeToOneScalar() throws {
    #expect(try JSONValue.parse(#""\ud83d\ude00""#) == .string("😀"))
    #expect(try JSONValue.parse(#""\uD834\uDD1E""#) == .string("𝄞"))
    #expect(try JSONValue.parse(#""x\uDBFF\uDFFFy""#) == .string("x\u{10FFFF}y"))
}

@Test func loneSurrogateEscapesAreRejected() {
    #expect(parseError(#""\ud83d""#)?.reason.contains("surrogate") == true)
    #expect(parseError(#""\ude00""#)?.reason.contains("surrogate") == true)
    #expect(parseError(#""\ud83dx""#) != nil)
    #expect(parseError(#""\ud83d\u0041""#) != nil)
}

@Test func rawUTF8IsPreservedIncludingLongStrings() throws {
    let text = String(repeating: "Größe 東京 🚀 ", count: 50)
    #expect(try JSONValue.parse("\"\(text)\"") == .string(text))
    let ascii = String(repeating: "abcdefghij", count: 100)
    #expect(try JSONValue.parse("[\"\(ascii)\",\"\(ascii)\\n\"]") == .array([.string(ascii), .string(ascii + "\n")]))
}

@Test func nulEscapeIsAllowedInsideStrings() throws {
    #expect(try JSONValue.parse(#""a\u0000b""#) == .string("a\u{0}b"))
}

@Test func unescapedControlCharactersInStringsAreRejected() {
    for byte in UInt8(0)..<0x20 {
        #expect(parseError([0x22, 0x61, byte, 0x22]) != nil, "byte \(byte)")
    }
}

@Test func invalidEscapesAreRejected() {
    for escape in ["\\a", "\\x41", "\\U0041", "\\u12", "\\u12G4", "\\'", "\\0"] {
        #expect(parseError("\"\(escape)\"") != nil, "\(escape)")
    }
}

// MARK: - Structure rules

@Test func emptyInputIsRejected() {
    #expect(parseError("") != nil)
    #expect(parseError([UInt8]()) != nil)
    #expect(parseError("   \n") != nil)
    var error: JSONParseError?
    do {
        _ = try JSONValue.parse(UnsafeRawBufferPointer(start: nil, count: 0))
    } catch let caught {
        error = caught
    }
    #expect(error?.offset == 0)
}

@Test func trailingNonWhitespaceAfterValueIsRejected() {
    #expect(parseError("1 2")?.offset == 2)
    #expect(parseError("{} x")?.offset == 3)
    #expect(parseError("null,")?.offset == 4)
}

@Test func duplicateObjectKeysAreRejectedNamingTheKey() throws {
    let error = try #require(parseError(#"{"name":"a","tier":1,"name":"b"}"#))
    #expect(error.offset == 21)
    #expect(error.reason.contains("\"name\""))
    #expect(error.reason.contains("duplicate"))
    // Keys that are distinct only after escape decoding are still duplicates.
    #expect(parseError(#"{"a":1,"\u0061":2}"#) != nil)
    // Swift String equality is canonical equivalence, so NFC and NFD spellings collide.
    #expect(parseError("{\"\u{E9}\":1,\"e\u{301}\":2}") != nil)
    // Same key in different objects is fine.
    _ = try JSONValue.parse(#"[{"a":1},{"a":2},{"b":{"a":3}}]"#)
}

@Test func nestingDeeperThanMaxDepthIsRejected() throws {
    let ok = String(repeating: "[", count: 256) + String(repeating: "]", count: 256)
    _ = try JSONValue.parse(ok)
    let tooDeep = String(repeating: "[", count: 257) + String(repeating: "]", count: 257)
    let error = try #require(parseError(tooDeep))
    #expect(error.offset == 256)
    #expect(error.reason.contains("depth"))
    #expect(parseError(#"{"a":{"b":1}}"#, maxDepth: 1) != nil)
    #expect(parseError(#"{"a":{"b":1}}"#, maxDepth: 2) == nil)
    #expect(parseError("1", maxDepth: 0) == nil)
    #expect(parseError("[]", maxDepth: 0) != nil)
}

@Test func deeplyNestedInputFailsCleanlyInsteadOfOverflowingTheStack() {
    let bomb = String(repeating: "[", count: 100_000)
    #expect(parseError(bomb)?.offset == 256)
}

// MARK: - Error offsets and messages

@Test func missingColonReportsOffsetOfOffendingByte() throws {
    let error = try #require(parseError(#"{"id": 1, "name" "x"}"#))
    #expect(error.offset == 17)
    #expect(error.reason.hasPrefix("expected ':' after object key"))
    #expect(error.description.hasPrefix("Invalid JSON at byte 17: expected ':' after object key"))
}

@Test func errorOffsetsPointAtTheProblem() throws {
    #expect(parseError("[1,]")?.offset == 3)
    #expect(parseError(#"{"a":1,}"#)?.offset == 7)
    #expect(parseError("[01]")?.offset == 1)
    #expect(parseError("[1.]")?.offset == 3)
    #expect(parseError("[\"abc")?.offset == 1)
    #expect(parseError(#"["ok", "bad\q"]"#)?.offset == 11)
    #expect(parseError([0x5B, 0x22, 0x61, 0x62, 0xFF, 0x22, 0x5D])?.offset == 4)
    #expect(parseError([0x22, 0x61, 0x0A, 0x22])?.offset == 2)
    #expect(parseError("[NaN]")?.offset == 1)
    #expect(parseError("[tru]")?.offset == 1)
}

@Test func errorDescriptionFollowsTheDocumentedFormat() {
    let error = JSONParseError(offset: 17, reason: "expected ':' after object key")
    #expect(error.description == "Invalid JSON at byte 17: expected ':' after object key")
    #expect(error == JSONParseError(offset: 17, reason: "expected ':' after object key"))
}

@Test func allThreeEntryPointsAgree() throws {
    let text = #"{"k":[1,2.5,"três",{"n":null}]}"#
    let fromString = try JSONValue.parse(text)
    let fromBytes = try JSONValue.parse(Array(text.utf8))
    let fromBuffer = try Array(text.utf8).withUnsafeBytes { raw in try JSONValue.parse(raw) }
    #expect(fromString == fromBytes)
    #expect(fromBytes == fromBuffer)
}

@Test func parsingStopsExactlyAtTheBufferEnd() throws {
    // A number or literal running into the end of the buffer must not read past it.
    let bytes = Array("[12345, true]".utf8)
    let value = try bytes.withUnsafeBytes { raw in try JSONValue.parse(UnsafeRawBufferPointer(rebasing: raw[1..<6])) }
    #expect(value == .int(12345))
    let truncated = bytes.withUnsafeBytes { raw -> JSONParseError? in
        do throws(JSONParseError) {
            _ = try JSONValue.parse(UnsafeRawBufferPointer(rebasing: raw[8..<11]))
            return nil
        } catch {
            return error
        }
    }
    #expect(truncated != nil)
}
