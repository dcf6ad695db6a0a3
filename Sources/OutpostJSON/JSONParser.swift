// Strict RFC 8259 JSON parser working directly on UTF-8 bytes.
//
// Design notes:
// - Operates on an `UnsafePointer<UInt8>` + length; no `Character`/`String` indexing.
// - Strings without escapes are scanned 8 bytes at a time (SWAR) and materialised
//   with a single `String(decoding:as:)` over the byte slice.
// - Array elements and object members are collected on shared scratch stacks so
//   every container is created once with its exact capacity.
// - Integers are accumulated manually; doubles use Clinger's exact fast path and
//   fall back to the standard library's correctly rounded conversion.

extension JSONValue {
    /// Parses one strict RFC 8259 JSON text from UTF-8 bytes.
    ///
    /// Rejects trailing commas, leading zeros, `NaN`/`Infinity`, unescaped control
    /// characters, invalid escapes, invalid UTF-8, lone surrogate `\u` escapes,
    /// duplicate object keys, trailing non-whitespace and nesting deeper than
    /// `maxDepth` arrays/objects. Integers that fit in `Int64` become `.int`
    /// (`-0` becomes `.int(0)`), every other number becomes `.double`; numbers
    /// beyond `Double`'s range are rejected, tiny ones underflow to zero.
    /// A UTF-8 byte order mark is rejected. Object keys are compared with Swift
    /// `String` equality, so keys that are canonically equivalent (e.g. NFC and
    /// NFD spellings of "é") count as duplicates. Parsing recurses once per
    /// nesting level, so keep `maxDepth` modest (the default 256 is safe).
    ///
    /// ```swift
    /// let value = try JSONValue.parse(Array(#"{"id":1}"#.utf8))
    /// ```
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 256) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError> = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONParseError) -> JSONValue in try parse(raw, maxDepth: maxDepth) }
        }
        return try result.get()
    }

    /// Parses one strict RFC 8259 JSON text from a string (its UTF-8 encoding).
    ///
    /// Byte offsets in a thrown ``JSONParseError`` refer to `text.utf8`.
    ///
    /// ```swift
    /// let value = try JSONValue.parse(#"[1, 2.5, "three"]"#)
    /// ```
    public static func parse(_ text: String, maxDepth: Int = 256) throws(JSONParseError) -> JSONValue {
        var text = text
        let result: Result<JSONValue, JSONParseError> = text.withUTF8 { utf8 in
            Result { () throws(JSONParseError) -> JSONValue in
                try parse(UnsafeRawBufferPointer(utf8), maxDepth: maxDepth)
            }
        }
        return try result.get()
    }

    /// Parses one strict RFC 8259 JSON text from raw UTF-8 memory (zero-copy).
    ///
    /// The buffer is only read during the call.
    ///
    /// ```swift
    /// let value = try data.withUnsafeBytes { try JSONValue.parse($0) }
    /// ```
    public static func parse(_ buffer: UnsafeRawBufferPointer, maxDepth: Int = 256) throws(JSONParseError) -> JSONValue {
        guard let base = buffer.baseAddress, buffer.count > 0 else {
            throw JSONParseError(offset: 0, reason: "unexpected end of input: empty document")
        }
        var parser = _JSONParser(
            base: base.assumingMemoryBound(to: UInt8.self), count: buffer.count, maxDepth: maxDepth)
        return try parser.parseDocument()
    }
}

// MARK: - Byte constants

@usableFromInline enum _ASCII {
    static let quote: UInt8 = 0x22  // "
    static let backslash: UInt8 = 0x5C  // \
    static let slash: UInt8 = 0x2F  // /
    static let comma: UInt8 = 0x2C  // ,
    static let colon: UInt8 = 0x3A  // :
    static let openBracket: UInt8 = 0x5B  // [
    static let closeBracket: UInt8 = 0x5D  // ]
    static let openBrace: UInt8 = 0x7B  // {
    static let closeBrace: UInt8 = 0x7D  // }
    static let minus: UInt8 = 0x2D  // -
    static let plus: UInt8 = 0x2B  // +
    static let dot: UInt8 = 0x2E  // .
    static let zero: UInt8 = 0x30  // 0
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let newline: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
}

/// Exact powers of ten representable in a Double (10^0 ... 10^22).
private let _exactPowersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]

// MARK: - Parser

struct _JSONParser {
    let base: UnsafePointer<UInt8>
    let end: Int
    let maxDepth: Int
    var pos: Int = 0
    var depth: Int = 0
    /// Reusable buffer for strings that contain escapes.
    var scratch: [UInt8] = []
    /// Shared stack of array elements under construction.
    var elementStack: [JSONValue] = []
    /// Shared stack of object members under construction (with key offsets for errors).
    var memberStack: [(key: String, value: JSONValue, offset: Int)] = []
    let powersOfTen: [Double] = _exactPowersOfTen

    init(base: UnsafePointer<UInt8>, count: Int, maxDepth: Int, reserveStacks: Bool = true) {
        self.base = base
        self.end = count
        self.maxDepth = maxDepth
        if reserveStacks {
            elementStack.reserveCapacity(64)
            memberStack.reserveCapacity(64)
        }
    }

    // MARK: Errors

    @inline(never)
    func fail(_ offset: Int, _ reason: String) -> JSONParseError {
        JSONParseError(offset: offset, reason: reason)
    }

    @inline(never)
    func describeByte(at offset: Int) -> String {
        guard offset < end else { return "end of input" }
        let b = base[offset]
        if b >= 0x20 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        let hex = String(b, radix: 16, uppercase: true)
        return "byte 0x\(hex.count == 1 ? "0" + hex : hex)"
    }

    @inline(never)
    func unexpected(_ offset: Int, expected: String) -> JSONParseError {
        if offset >= end {
            return fail(offset, "unexpected end of input, expected \(expected)")
        }
        return fail(offset, "expected \(expected), found \(describeByte(at: offset))")
    }

    // MARK: Structure

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        if pos >= end {
            throw fail(pos, "unexpected end of input: document contains only whitespace")
        }
        let value = try parseValue()
        skipWhitespace()
        if pos < end {
            throw fail(pos, "unexpected \(describeByte(at: pos)) after the top-level value")
        }
        return value
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while pos < end {
            let b = base[pos]
            if b == _ASCII.space || b == _ASCII.newline || b == _ASCII.carriageReturn || b == _ASCII.tab {
                pos += 1
            } else {
                return
            }
        }
    }

    /// Parses a value starting at `pos` (which must not be whitespace).
    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard pos < end else { throw unexpected(pos, expected: "a value") }
        switch base[pos] {
        case _ASCII.quote:
            return .string(try parseString())
        case _ASCII.openBrace:
            return try parseObject()
        case _ASCII.openBracket:
            return try parseArray()
        case _ASCII.minus, 0x30...0x39:
            return try parseNumber()
        case UInt8(ascii: "t"):
            try expectLiteral("true", 0x74, 0x72, 0x75, 0x65)
            return .bool(true)
        case UInt8(ascii: "f"):
            if pos + 5 <= end && base[pos + 1] == 0x61 && base[pos + 2] == 0x6C && base[pos + 3] == 0x73
                && base[pos + 4] == 0x65
            {
                pos += 5
                return .bool(false)
            }
            throw fail(pos, "invalid literal, expected 'false'")
        case UInt8(ascii: "n"):
            try expectLiteral("null", 0x6E, 0x75, 0x6C, 0x6C)
            return .null
        case _ASCII.closeBracket, _ASCII.closeBrace, _ASCII.comma, _ASCII.colon:
            throw unexpected(pos, expected: "a value")
        default:
            let b = base[pos]
            if b == UInt8(ascii: "N") || b == UInt8(ascii: "I") || b == UInt8(ascii: "+") || b == _ASCII.dot {
                throw fail(pos, "invalid number: only RFC 8259 numbers are allowed (no NaN, Infinity, '+' or leading '.')")
            }
            throw unexpected(pos, expected: "a value")
        }
    }

    @inline(__always)
    mutating func expectLiteral(_ name: StaticString, _ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8)
        throws(JSONParseError)
    {
        if pos + 4 <= end && base[pos] == a && base[pos + 1] == b && base[pos + 2] == c && base[pos + 3] == d {
            pos += 4
            return
        }
        throw fail(pos, "invalid literal, expected '\(name)'")
    }

    @inline(__always)
    mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        if depth > maxDepth {
            throw fail(pos, "maximum nesting depth of \(maxDepth) exceeded")
        }
    }

    mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        pos += 1  // '['
        skipWhitespace()
        if pos < end && base[pos] == _ASCII.closeBracket {
            pos += 1
            depth -= 1
            return .array([])
        }
        let stackStart = elementStack.count
        while true {
            let value = try parseValue()
            elementStack.append(value)
            skipWhitespace()
            guard pos < end else { throw unexpected(pos, expected: "',' or ']' in array") }
            let b = base[pos]
            if b == _ASCII.comma {
                pos += 1
                skipWhitespace()
                if pos < end && base[pos] == _ASCII.closeBracket {
                    throw fail(pos, "trailing comma is not allowed in an array")
                }
            } else if b == _ASCII.closeBracket {
                pos += 1
                break
            } else {
                throw unexpected(pos, expected: "',' or ']' in array")
            }
        }
        let array = Array(elementStack[stackStart...])
        elementStack.removeSubrange(stackStart...)
        depth -= 1
        return .array(array)
    }

    mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        pos += 1  // '{'
        skipWhitespace()
        if pos < end && base[pos] == _ASCII.closeBrace {
            pos += 1
            depth -= 1
            return .object([:])
        }
        let stackStart = memberStack.count
        while true {
            guard pos < end, base[pos] == _ASCII.quote else {
                throw unexpected(pos, expected: "a string key in object")
            }
            let keyOffset = pos
            let key = try parseString()
            skipWhitespace()
            guard pos < end, base[pos] == _ASCII.colon else {
                throw unexpected(pos, expected: "':' after object key")
            }
            pos += 1
            skipWhitespace()
            let value = try parseValue()
            memberStack.append((key, value, keyOffset))
            skipWhitespace()
            guard pos < end else { throw unexpected(pos, expected: "',' or '}' in object") }
            let b = base[pos]
            if b == _ASCII.comma {
                pos += 1
                skipWhitespace()
                if pos < end && base[pos] == _ASCII.closeBrace {
                    throw fail(pos, "trailing comma is not allowed in an object")
                }
            } else if b == _ASCII.closeBrace {
                pos += 1
                break
            } else {
                throw unexpected(pos, expected: "',' or '}' in object")
            }
        }
        var object = [String: JSONValue](minimumCapacity: memberStack.count - stackStart)
        for i in stackStart..<memberStack.count {
            let member = memberStack[i]
            if object.updateValue(member.value, forKey: member.key) != nil {
                throw fail(member.offset, "duplicate object key \(Self.quoted(member.key))")
            }
        }
        memberStack.removeSubrange(stackStart...)
        depth -= 1
        return .object(object)
    }

    @inline(never)
    static func quoted(_ key: String) -> String {
        JSONValue.string(key).serialized()
    }

    // MARK: Strings

    /// Parses a string starting at the opening quote at `pos`; leaves `pos` after the closing quote.
    mutating func parseString() throws(JSONParseError) -> String {
        pos += 1  // opening quote
        let start = pos
        switch try scanString(contentStart: start) {
        case .plain(let closingQuote):
            pos = closingQuote + 1
            return String(decoding: UnsafeBufferPointer(start: base + start, count: closingQuote - start), as: UTF8.self)
        case .escaped(let firstEscape):
            return try parseEscapedString(start: start, firstEscape: firstEscape)
        }
    }

    /// Where a string's content ends: at its closing quote, or at its first backslash.
    enum StringScan {
        case plain(closingQuote: Int)
        case escaped(firstEscape: Int)
    }

    /// Scans a string's content from `start` (just after the opening quote) up to its closing
    /// quote or first backslash, validating control characters and UTF-8 on the way.
    @inline(__always)
    func scanString(contentStart start: Int) throws(JSONParseError) -> StringScan {
        var p = start
        while true {
            #if _endian(little)
            // SWAR scan: skip 8 plain ASCII bytes at a time.
            while p &+ 8 <= end {
                let w = UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self)
                let mask = Self.specialByteMask(w)
                if mask != 0 {
                    p &+= mask.trailingZeroBitCount >> 3
                    break
                }
                p &+= 8
            }
            #endif
            guard p < end else {
                throw fail(start - 1, "unterminated string")
            }
            let b = base[p]
            if b == _ASCII.quote {
                return .plain(closingQuote: p)
            } else if b == _ASCII.backslash {
                return .escaped(firstEscape: p)
            } else if b < 0x20 {
                throw fail(p, "unescaped control character 0x\(Self.hex2(b)) in string")
            } else if b < 0x80 {
                p += 1
            } else {
                p = try validateUTF8Sequence(at: p)
            }
        }
    }

    /// High bit set in every byte lane that is `"`, `\`, < 0x20 or >= 0x80 (lowest lane is exact).
    @inline(__always)
    static func specialByteMask(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let q = w ^ (ones &* 0x22)
        let s = w ^ (ones &* 0x5C)
        let hasQuote = (q &- ones) & ~q
        let hasSlash = (s &- ones) & ~s
        let hasControl = (w &- (ones &* 0x20)) & ~w
        return (hasQuote | hasSlash | hasControl | w) & high
    }

    @inline(never)
    static func hex2(_ b: UInt8) -> String {
        let hex = String(b, radix: 16, uppercase: true)
        return hex.count == 1 ? "0" + hex : hex
    }

    /// Validates one multi-byte UTF-8 sequence whose lead byte (>= 0x80) is at `p`.
    /// Returns the offset just past it.
    @inline(__always)
    func validateUTF8Sequence(at p: Int) throws(JSONParseError) -> Int {
        let lead = base[p]
        let length: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upper = 0x9F
        case 0xF0: length = 4; lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upper = 0x8F
        default:
            throw fail(p, "invalid UTF-8 lead byte 0x\(Self.hex2(lead)) in string")
        }
        guard p + length <= end else {
            throw fail(p, "truncated UTF-8 sequence in string")
        }
        let second = base[p + 1]
        guard second >= lower && second <= upper else {
            throw fail(p + 1, "invalid UTF-8 continuation byte 0x\(Self.hex2(second)) in string")
        }
        var i = 2
        while i < length {
            let c = base[p + i]
            guard c & 0xC0 == 0x80 else {
                throw fail(p + i, "invalid UTF-8 continuation byte 0x\(Self.hex2(c)) in string")
            }
            i += 1
        }
        return p + length
    }

    /// Slow path for strings containing escapes; decodes into `scratch`.
    @inline(never)
    mutating func parseEscapedString(start: Int, firstEscape: Int) throws(JSONParseError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(start: base + start, count: firstEscape - start))
        var p = firstEscape
        while true {
            guard p < end else { throw fail(start - 1, "unterminated string") }
            let b = base[p]
            if b == _ASCII.quote {
                pos = p + 1
                return String(decoding: scratch, as: UTF8.self)
            } else if b == _ASCII.backslash {
                guard p + 1 < end else { throw fail(start - 1, "unterminated string") }
                let e = base[p + 1]
                switch e {
                case _ASCII.quote, _ASCII.backslash, _ASCII.slash:
                    scratch.append(e)
                    p += 2
                case UInt8(ascii: "b"): scratch.append(0x08); p += 2
                case UInt8(ascii: "f"): scratch.append(0x0C); p += 2
                case UInt8(ascii: "n"): scratch.append(0x0A); p += 2
                case UInt8(ascii: "r"): scratch.append(0x0D); p += 2
                case UInt8(ascii: "t"): scratch.append(0x09); p += 2
                case UInt8(ascii: "u"):
                    var scalar = try readHex4(at: p + 2, escapeOffset: p)
                    p += 6
                    if scalar >= 0xD800 && scalar <= 0xDBFF {
                        guard p + 1 < end && base[p] == _ASCII.backslash && base[p + 1] == UInt8(ascii: "u") else {
                            throw fail(p - 6, "lone high surrogate \\u\(Self.hex4(scalar)) is not allowed")
                        }
                        let low = try readHex4(at: p + 2, escapeOffset: p)
                        guard low >= 0xDC00 && low <= 0xDFFF else {
                            throw fail(p - 6, "high surrogate \\u\(Self.hex4(scalar)) not followed by a low surrogate")
                        }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        p += 6
                    } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                        throw fail(p - 6, "lone low surrogate \\u\(Self.hex4(scalar)) is not allowed")
                    }
                    appendUTF8(scalar)
                default:
                    throw fail(p, "invalid escape sequence '\\\(describeByte(at: p + 1))'")
                }
            } else if b < 0x20 {
                throw fail(p, "unescaped control character 0x\(Self.hex2(b)) in string")
            } else if b < 0x80 {
                scratch.append(b)
                p += 1
            } else {
                let next = try validateUTF8Sequence(at: p)
                scratch.append(contentsOf: UnsafeBufferPointer(start: base + p, count: next - p))
                p = next
            }
        }
    }

    @inline(never)
    static func hex4(_ v: UInt32) -> String {
        let hex = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    func readHex4(at p: Int, escapeOffset: Int) throws(JSONParseError) -> UInt32 {
        guard p + 4 <= end else {
            throw fail(escapeOffset, "truncated \\u escape")
        }
        var value: UInt32 = 0
        for i in 0..<4 {
            let c = base[p + i]
            let digit: UInt8
            switch c {
            case 0x30...0x39: digit = c - 0x30
            case 0x41...0x46: digit = c - 0x41 + 10
            case 0x61...0x66: digit = c - 0x61 + 10
            default: throw fail(p + i, "invalid hex digit in \\u escape")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | (scalar >> 6)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | (scalar >> 12)))
            scratch.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            scratch.append(UInt8(0xF0 | (scalar >> 18)))
            scratch.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    // MARK: Numbers

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = pos
        var p = pos
        var negative = false
        if base[p] == _ASCII.minus {
            negative = true
            p += 1
        }
        guard p < end else { throw fail(p, "unexpected end of input, expected digit after '-'") }
        var mantissa: UInt64 = 0
        var significantOverflow = false
        let first = base[p]
        if first == _ASCII.zero {
            p += 1
            if p < end && base[p] &- _ASCII.zero < 10 {
                throw fail(start, "leading zeros are not allowed in numbers")
            }
        } else if first &- _ASCII.zero < 10 {
            while p < end {
                let d = base[p] &- _ASCII.zero
                if d >= 10 { break }
                if !significantOverflow {
                    let (m, o1) = mantissa.multipliedReportingOverflow(by: 10)
                    let (n, o2) = m.addingReportingOverflow(UInt64(d))
                    if o1 || o2 {
                        significantOverflow = true
                    } else {
                        mantissa = n
                    }
                }
                p += 1
            }
        } else {
            throw fail(p, "invalid number, expected digit after '-'")
        }

        var isInteger = true
        var fractionDigits = 0
        if p < end && base[p] == _ASCII.dot {
            isInteger = false
            p += 1
            guard p < end && base[p] &- _ASCII.zero < 10 else {
                throw fail(p, "invalid number, expected digit after decimal point")
            }
            while p < end {
                let d = base[p] &- _ASCII.zero
                if d >= 10 { break }
                if !significantOverflow {
                    let (m, o1) = mantissa.multipliedReportingOverflow(by: 10)
                    let (n, o2) = m.addingReportingOverflow(UInt64(d))
                    if o1 || o2 {
                        significantOverflow = true
                    } else {
                        mantissa = n
                        fractionDigits += 1
                    }
                }
                p += 1
            }
        }

        var exponent = 0
        if p < end && (base[p] | 0x20) == UInt8(ascii: "e") {
            isInteger = false
            p += 1
            var exponentNegative = false
            if p < end && (base[p] == _ASCII.plus || base[p] == _ASCII.minus) {
                exponentNegative = base[p] == _ASCII.minus
                p += 1
            }
            guard p < end && base[p] &- _ASCII.zero < 10 else {
                throw fail(p, "invalid number, expected digit in exponent")
            }
            while p < end {
                let d = base[p] &- _ASCII.zero
                if d >= 10 { break }
                if exponent < 1_000_000 { exponent = exponent * 10 + Int(d) }
                p += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        pos = p

        if isInteger && !significantOverflow {
            if negative {
                if mantissa <= UInt64(Int64.max) {
                    return .int(-Int64(mantissa))
                } else if mantissa == UInt64(Int64.max) + 1 {
                    return .int(Int64.min)
                }
            } else if mantissa <= UInt64(Int64.max) {
                return .int(Int64(mantissa))
            }
        }

        // Clinger's fast path: exact mantissa and exact power of ten => one correct rounding.
        if !significantOverflow && mantissa <= (1 << 53) {
            let e10 = exponent - fractionDigits
            if e10 >= -22 && e10 <= 22 {
                var d = Double(mantissa)
                if e10 < 0 {
                    d /= powersOfTen[-e10]
                } else {
                    d *= powersOfTen[e10]
                }
                return .double(negative ? -d : d)
            }
        }
        return .double(try slowDouble(start: start, end: p))
    }

    @inline(never)
    func slowDouble(start: Int, end stop: Int) throws(JSONParseError) -> Double {
        let text = String(decoding: UnsafeBufferPointer(start: base + start, count: stop - start), as: UTF8.self)
        guard let d = Double(text), d.isFinite else {
            throw fail(start, "number \(text.count > 40 ? String(text.prefix(40)) + "..." : text) is out of range for a Double")
        }
        return d
    }
}
