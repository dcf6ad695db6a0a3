// A streaming, allocation-light JSON reader over UTF-8 bytes.
//
// The reader is a cursor: callers walk objects and arrays member by member and read scalars
// directly, without building a `JSONValue` tree. It is exactly as strict as the tree parser
// (`JSONValue.parse`), whose string, number and value routines it shares: RFC 8259 only,
// no trailing commas, no unescaped control characters, no invalid escapes or UTF-8, no
// trailing bytes after the document. Duplicate keys are the caller's business (it knows
// which keys it expects; see `PullPage.decode(bytes:)`), while values read with
// ``JSONStreamReader/readValue()`` or skipped with ``JSONStreamReader/skipValue()`` are checked
// like the tree parser checks them.
//
// ```swift
// try bytes.withUnsafeBytes { raw in
//     var reader = try JSONStreamReader(raw)
//     try reader.beginObject()
//     while let key = try reader.nextKey() {
//         switch key {
//         case "name": name = try reader.readString()
//         default: try reader.skipValue()
//         }
//     }
//     try reader.finish()
// }
// ```

/// The JSON type of the value at the cursor, judged from its first byte.
public enum JSONValueKind: Sendable, Hashable {
    case null, bool, number, string, array, object

    /// A short name of the JSON type, as in ``JSONValue/typeName``.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// A forward-only cursor over one strict JSON text in raw UTF-8 memory.
///
/// The memory must stay valid and unchanged while the reader is used.
public struct JSONStreamReader {
    var parser: _JSONParser
    /// `true` right after `beginObject`/`beginArray`: the next member may be the closing bracket.
    private var atContainerStart = false

    /// Starts reading `buffer`. Throws for an empty or whitespace-only document.
    public init(_ buffer: UnsafeRawBufferPointer, maxDepth: Int = 256) throws(JSONParseError) {
        guard let base = buffer.baseAddress, buffer.count > 0 else {
            throw JSONParseError(offset: 0, reason: "unexpected end of input: empty document")
        }
        parser = _JSONParser(base: base.assumingMemoryBound(to: UInt8.self), count: buffer.count, maxDepth: maxDepth,
                             reserveStacks: false)
        parser.skipWhitespace()
        if parser.pos >= parser.end {
            throw JSONParseError(offset: parser.pos, reason: "unexpected end of input: document contains only whitespace")
        }
    }

    /// The byte offset of the cursor: at the first byte of the next value after `nextKey`/`nextElement`,
    /// just past the value after reading it.
    public var currentOffset: Int { parser.pos }

    /// The memory being read.
    public var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: parser.base, count: parser.end) }

    /// Fails unless only whitespace follows the cursor (call after the top-level value).
    public mutating func finish() throws(JSONParseError) {
        parser.skipWhitespace()
        if parser.pos < parser.end {
            throw parser.fail(parser.pos, "unexpected \(parser.describeByte(at: parser.pos)) after the top-level value")
        }
    }

    /// An error at `offset` (for callers that detect problems such as duplicate keys).
    public func error(at offset: Int, _ reason: String) -> JSONParseError { parser.fail(offset, reason) }

    /// The error for a duplicate key whose opening quote is at `offset`, worded like the tree parser's.
    @inline(never)
    public func duplicateKey(_ key: String, at offset: Int) -> JSONParseError {
        parser.fail(offset, "duplicate object key \(_JSONParser.quoted(key))")
    }

    // MARK: Peeking

    /// The kind of the value at the cursor (whitespace before it is skipped). Throws when the
    /// next byte cannot start a value, with the tree parser's message.
    public mutating func peekKind() throws(JSONParseError) -> JSONValueKind {
        parser.skipWhitespace()
        guard parser.pos < parser.end else { throw parser.unexpected(parser.pos, expected: "a value") }
        switch parser.base[parser.pos] {
        case _ASCII.quote: return .string
        case _ASCII.openBrace: return .object
        case _ASCII.openBracket: return .array
        case _ASCII.minus, 0x30...0x39: return .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        default:
            // Let the tree parser word the error.
            var probe = parser
            _ = try probe.parseValue()
            throw parser.unexpected(parser.pos, expected: "a value")
        }
    }

    // MARK: Containers

    /// Consumes `{`. Throws when the next value is not an object (check ``peekKind()`` first
    /// to report a type error of your own).
    public mutating func beginObject() throws(JSONParseError) {
        parser.skipWhitespace()
        guard parser.pos < parser.end, parser.base[parser.pos] == _ASCII.openBrace else {
            throw parser.unexpected(parser.pos, expected: "'{'")
        }
        try parser.enterContainer()
        parser.pos += 1
        atContainerStart = true
    }

    /// The next key of the current object, leaving the cursor at its value; `nil` (after consuming
    /// `}`) when the object ends. `keyOffset` receives the offset of the key's opening quote.
    public mutating func nextKey(keyOffset: inout Int) throws(JSONParseError) -> String? {
        guard try advanceMember(close: _ASCII.closeBrace, what: "object") else { return nil }
        guard parser.pos < parser.end, parser.base[parser.pos] == _ASCII.quote else {
            throw parser.unexpected(parser.pos, expected: "a string key in object")
        }
        keyOffset = parser.pos
        let key = try parser.parseString()
        try afterKey()
        return key
    }

    /// The next key of the current object (see ``nextKey(keyOffset:)``).
    public mutating func nextKey() throws(JSONParseError) -> String? {
        var offset = 0
        return try nextKey(keyOffset: &offset)
    }

    /// Like ``nextKey(keyOffset:)`` but returns the key's raw UTF-8 bytes (valid while the
    /// buffer is) when it has no escapes, without making a `String`. Returns `nil` at the end
    /// of the object. A key with escapes is decoded and returned in `escaped`, with an empty span.
    public mutating func nextKeyBytes(keyOffset: inout Int, escaped: inout String?) throws(JSONParseError) -> UnsafeRawBufferPointer? {
        guard try advanceMember(close: _ASCII.closeBrace, what: "object") else { return nil }
        guard parser.pos < parser.end, parser.base[parser.pos] == _ASCII.quote else {
            throw parser.unexpected(parser.pos, expected: "a string key in object")
        }
        keyOffset = parser.pos
        let span: UnsafeRawBufferPointer
        if let raw = try parser.scanPlainString() {
            span = raw
            escaped = nil
        } else {
            escaped = try parser.parseString()
            span = UnsafeRawBufferPointer(start: parser.base, count: 0)
        }
        try afterKey()
        return span
    }

    @inline(__always)
    private mutating func afterKey() throws(JSONParseError) {
        parser.skipWhitespace()
        guard parser.pos < parser.end, parser.base[parser.pos] == _ASCII.colon else {
            throw parser.unexpected(parser.pos, expected: "':' after object key")
        }
        parser.pos += 1
        parser.skipWhitespace()
    }

    /// Consumes `[`. Throws when the next value is not an array.
    public mutating func beginArray() throws(JSONParseError) {
        parser.skipWhitespace()
        guard parser.pos < parser.end, parser.base[parser.pos] == _ASCII.openBracket else {
            throw parser.unexpected(parser.pos, expected: "'['")
        }
        try parser.enterContainer()
        parser.pos += 1
        atContainerStart = true
    }

    /// Moves to the next element of the current array: `true` with the cursor at the element,
    /// `false` (after consuming `]`) when the array ends.
    public mutating func nextElement() throws(JSONParseError) -> Bool {
        try advanceMember(close: _ASCII.closeBracket, what: "array")
    }

    /// Shared comma / closing-bracket handling for objects and arrays.
    @inline(__always)
    private mutating func advanceMember(close: UInt8, what: StaticString) throws(JSONParseError) -> Bool {
        parser.skipWhitespace()
        if atContainerStart {
            atContainerStart = false
            if parser.pos < parser.end && parser.base[parser.pos] == close {
                parser.pos += 1
                parser.depth -= 1
                return false
            }
            if close == _ASCII.closeBracket && parser.pos >= parser.end {
                throw parser.unexpected(parser.pos, expected: "a value")
            }
            return true
        }
        guard parser.pos < parser.end else {
            throw parser.unexpected(parser.pos, expected: close == _ASCII.closeBrace ? "',' or '}' in object" : "',' or ']' in array")
        }
        let b = parser.base[parser.pos]
        if b == _ASCII.comma {
            parser.pos += 1
            parser.skipWhitespace()
            if parser.pos < parser.end && parser.base[parser.pos] == close {
                throw parser.fail(parser.pos, "trailing comma is not allowed in an \(what)")
            }
            return true
        }
        if b == close {
            parser.pos += 1
            parser.depth -= 1
            return false
        }
        throw parser.unexpected(parser.pos, expected: close == _ASCII.closeBrace ? "',' or '}' in object" : "',' or ']' in array")
    }

    // MARK: Scalars

    /// Reads a string. Throws when the next value is not a string.
    public mutating func readString() throws(JSONParseError) -> String {
        parser.skipWhitespace()
        guard parser.pos < parser.end, parser.base[parser.pos] == _ASCII.quote else {
            throw parser.unexpected(parser.pos, expected: "a string")
        }
        return try parser.parseString()
    }

    /// Reads a string's raw UTF-8 bytes (valid while the buffer is) when it holds no escapes;
    /// returns `nil` and leaves the cursor at the string when it does (read it with ``readString()``).
    public mutating func readPlainStringBytes() throws(JSONParseError) -> UnsafeRawBufferPointer? {
        parser.skipWhitespace()
        guard parser.pos < parser.end, parser.base[parser.pos] == _ASCII.quote else {
            throw parser.unexpected(parser.pos, expected: "a string")
        }
        return try parser.scanPlainString()
    }

    /// Reads a number: `.int` when it is an integer that fits in `Int64`, `.double` otherwise
    /// (exactly as the tree parser).
    public mutating func readNumber() throws(JSONParseError) -> JSONValue {
        parser.skipWhitespace()
        guard parser.pos < parser.end, parser.base[parser.pos] == _ASCII.minus || parser.base[parser.pos] &- _ASCII.zero < 10 else {
            throw parser.unexpected(parser.pos, expected: "a number")
        }
        return try parser.parseNumber()
    }

    /// Reads an integer that fits in `Int64`; `nil` (with the number consumed) for any other number.
    public mutating func readInt64() throws(JSONParseError) -> Int64? {
        if case .int(let value) = try readNumber() { return value }
        return nil
    }

    /// Reads `true` or `false`.
    public mutating func readBool() throws(JSONParseError) -> Bool {
        parser.skipWhitespace()
        guard parser.pos < parser.end, parser.base[parser.pos] == UInt8(ascii: "t") || parser.base[parser.pos] == UInt8(ascii: "f") else {
            throw parser.unexpected(parser.pos, expected: "true or false")
        }
        guard case .bool(let flag) = try parser.parseValue() else { throw parser.unexpected(parser.pos, expected: "true or false") }
        return flag
    }

    /// Reads any value as a tree (strictly, as `JSONValue.parse`).
    public mutating func readValue() throws(JSONParseError) -> JSONValue {
        parser.skipWhitespace()
        return try parser.parseValue()
    }

    /// Skips one value, checking it as strictly as ``readValue()``.
    public mutating func skipValue() throws(JSONParseError) {
        parser.skipWhitespace()
        guard parser.pos < parser.end else { throw parser.unexpected(parser.pos, expected: "a value") }
        switch parser.base[parser.pos] {
        case _ASCII.quote:
            if try parser.scanPlainString() == nil { _ = try parser.parseString() }
        case _ASCII.minus, 0x30...0x39:
            _ = try parser.parseNumber()
        default:
            _ = try parser.parseValue()
        }
    }
}

extension _JSONParser {
    /// Scans a string at the opening quote at `pos` without materialising it. Returns its content
    /// bytes and leaves `pos` after the closing quote; returns `nil` with `pos` unchanged when
    /// the string contains an escape (use `parseString`). Validates like `parseString`.
    @inline(__always)
    mutating func scanPlainString() throws(JSONParseError) -> UnsafeRawBufferPointer? {
        let start = pos + 1
        guard case .plain(let closingQuote) = try scanString(contentStart: start) else { return nil }
        pos = closingQuote + 1
        return UnsafeRawBufferPointer(start: base + start, count: closingQuote - start)
    }
}
