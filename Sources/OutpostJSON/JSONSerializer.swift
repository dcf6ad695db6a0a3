// Canonical JSON serializer writing UTF-8 straight into a byte buffer.
//
// Compact output is canonical: no whitespace, object keys sorted by their UTF-8
// bytes, minimal string escaping, plain decimal integers and shortest round-trip
// doubles (always containing '.' or an exponent so they parse back as doubles).

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension JSONValue {
    /// Serializes this value to a JSON string.
    ///
    /// Compact output (the default) is canonical: no whitespace, keys sorted by
    /// UTF-8 bytes, only `"`, `\` and control characters escaped, non-finite
    /// doubles written as `null`. Pretty output uses two-space indentation and
    /// `"key": value` with the same key order.
    ///
    /// ```swift
    /// let text = JSONValue.object(["b": 1, "a": [true, nil]]).serialized()  // {"a":[true,null],"b":1}
    /// ```
    public func serialized(pretty: Bool = false) -> String {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(64)
        if pretty {
            _JSONWriter.writePretty(self, indent: 0, into: &buffer)
        } else {
            _JSONWriter.write(self, into: &buffer)
        }
        return String(decoding: buffer, as: UTF8.self)
    }

    /// The canonical compact serialization as UTF-8 bytes (same text as `serialized()`).
    ///
    /// ```swift
    /// let bytes = JSONValue.array([1, 2]).serializedBytes()  // Array("[1,2]".utf8)
    /// ```
    public func serializedBytes() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(64)
        _JSONWriter.write(self, into: &buffer)
        return buffer
    }

    /// Appends the canonical compact serialization to `buffer` (no separator added).
    ///
    /// ```swift
    /// var out: [UInt8] = []
    /// for record in records { record.appendSerialized(to: &out); out.append(0x0A) }
    /// ```
    public func appendSerialized(to buffer: inout [UInt8]) {
        _JSONWriter.write(self, into: &buffer)
    }
}

package enum _JSONWriter {
    package static func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null:
            appendNull(&out)
        case .bool(let b):
            if b {
                out.append(contentsOf: [0x74, 0x72, 0x75, 0x65] as [UInt8])  // true
            } else {
                out.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65] as [UInt8])  // false
            }
        case .int(let i):
            writeInt(i, into: &out)
        case .double(let d):
            writeDouble(d, into: &out)
        case .string(let s):
            writeString(s, into: &out)
        case .array(let elements):
            out.append(_ASCII.openBracket)
            var first = true
            for element in elements {
                if !first { out.append(_ASCII.comma) }
                first = false
                write(element, into: &out)
            }
            out.append(_ASCII.closeBracket)
        case .object(let object):
            out.append(_ASCII.openBrace)
            withSortedIndices(object) { order in
                var first = true
                for (_, index) in order {
                    if !first { out.append(_ASCII.comma) }
                    first = false
                    let member = object[index]
                    writeString(member.key, into: &out)
                    out.append(_ASCII.colon)
                    write(member.value, into: &out)
                }
            }
            out.append(_ASCII.closeBrace)
        }
    }

    package static func writePretty(_ value: JSONValue, indent: Int, into out: inout [UInt8]) {
        switch value {
        case .array(let elements):
            if elements.isEmpty {
                out.append(contentsOf: [_ASCII.openBracket, _ASCII.closeBracket])
                return
            }
            out.append(_ASCII.openBracket)
            var first = true
            for element in elements {
                if !first { out.append(_ASCII.comma) }
                first = false
                newline(indent + 1, &out)
                writePretty(element, indent: indent + 1, into: &out)
            }
            newline(indent, &out)
            out.append(_ASCII.closeBracket)
        case .object(let object):
            if object.isEmpty {
                out.append(contentsOf: [_ASCII.openBrace, _ASCII.closeBrace])
                return
            }
            out.append(_ASCII.openBrace)
            withSortedIndices(object) { order in
                var first = true
                for (_, index) in order {
                    if !first { out.append(_ASCII.comma) }
                    first = false
                    let member = object[index]
                    newline(indent + 1, &out)
                    writeString(member.key, into: &out)
                    out.append(_ASCII.colon)
                    out.append(_ASCII.space)
                    writePretty(member.value, indent: indent + 1, into: &out)
                }
            }
            newline(indent, &out)
            out.append(_ASCII.closeBrace)
        default:
            write(value, into: &out)
        }
    }

    @inline(__always)
    package static func newline(_ indent: Int, _ out: inout [UInt8]) {
        out.append(_ASCII.newline)
        out.append(contentsOf: repeatElement(_ASCII.space, count: indent * 2))
    }

    @inline(__always)
    package static func appendNull(_ out: inout [UInt8]) {
        out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C] as [UInt8])
    }

    // MARK: Objects

    package typealias ObjectIndex = Dictionary<String, JSONValue>.Index

    /// Calls `body` with the object's indices ordered by the UTF-8 bytes of their keys.
    ///
    /// Sorting works on (8-byte big-endian key prefix, index) pairs in a temporary
    /// buffer, so most comparisons are a single integer compare and no reference
    /// counting happens while elements move.
    @inline(__always)
    package static func withSortedIndices(
        _ object: [String: JSONValue], _ body: (UnsafeMutableBufferPointer<(UInt64, ObjectIndex)>) -> Void
    ) {
        let count = object.count
        withUnsafeTemporaryAllocation(of: (UInt64, ObjectIndex).self, capacity: count) { buffer in
            var buffer = buffer
            var i = 0
            var index = object.startIndex
            while index != object.endIndex {
                (buffer.baseAddress! + i).initialize(to: (keyPrefix(object[index].key), index))
                i += 1
                object.formIndex(after: &index)
            }
            if count > 1 {
                buffer.sort { a, b in
                    if a.0 != b.0 { return a.0 < b.0 }
                    return utf8Less(object[a.1].key, object[b.1].key)
                }
            }
            body(buffer)
            _ = buffer.deinitialize()
        }
    }

    /// The first 8 UTF-8 bytes of `key`, big-endian, zero padded.
    @inline(__always)
    package static func keyPrefix(_ key: String) -> UInt64 {
        var key = key
        return key.withUTF8 { utf8 in
            var value: UInt64 = 0
            let n = min(8, utf8.count)
            var i = 0
            while i < n {
                value |= UInt64(utf8[i]) &<< UInt64(56 - 8 * i)
                i += 1
            }
            return value
        }
    }

    /// Byte-wise comparison of UTF-8 encodings (equivalent to code point order).
    @inline(__always)
    package static func utf8Less(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        return a.withUTF8 { ua in
            b.withUTF8 { ub in
                let n = min(ua.count, ub.count)
                if n > 0 {
                    let c = memcmp(ua.baseAddress!, ub.baseAddress!, n)
                    if c != 0 { return c < 0 }
                }
                return ua.count < ub.count
            }
        }
    }

    // MARK: Scalars

    package static func writeInt(_ value: Int64, into out: inout [UInt8]) {
        if value >= 0 && value < 10 {
            out.append(_ASCII.zero &+ UInt8(truncatingIfNeeded: value))
            return
        }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var i = 20
            repeat {
                let (q, r) = magnitude.quotientAndRemainder(dividingBy: 10)
                i -= 1
                digits[i] = _ASCII.zero &+ UInt8(truncatingIfNeeded: r)
                magnitude = q
            } while magnitude != 0
            if value < 0 { out.append(_ASCII.minus) }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[i..<20]))
        }
    }

    package static func writeDouble(_ value: Double, into out: inout [UInt8]) {
        guard value.isFinite else {
            appendNull(&out)
            return
        }
        var text = value.description  // shortest round-trip, e.g. "3.0", "1e-07", "1.5e+300"
        text.withUTF8 { utf8 in
            out.append(contentsOf: utf8)
            // Guarantee the text reads back as a double, never as an integer.
            var hasMarker = false
            for b in utf8 where b == _ASCII.dot || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
                hasMarker = true
                break
            }
            if !hasMarker {
                out.append(_ASCII.dot)
                out.append(_ASCII.zero)
            }
        }
    }

    // MARK: Strings

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    package static func writeString(_ string: String, into out: inout [UInt8]) {
        var string = string
        string.withUTF8 { utf8 in
            out.append(_ASCII.quote)
            let count = utf8.count
            guard let base = utf8.baseAddress, count > 0 else {
                out.append(_ASCII.quote)
                return
            }
            var runStart = 0
            var i = 0
            while i < count {
                let b = base[i]
                if b < 0x20 || b == _ASCII.quote || b == _ASCII.backslash {
                    if runStart < i {
                        out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: i - runStart))
                    }
                    writeEscape(b, into: &out)
                    runStart = i + 1
                }
                i += 1
            }
            if runStart < count {
                out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: count - runStart))
            }
            out.append(_ASCII.quote)
        }
    }

    @inline(never)
    package static func writeEscape(_ b: UInt8, into out: inout [UInt8]) {
        out.append(_ASCII.backslash)
        switch b {
        case _ASCII.quote: out.append(_ASCII.quote)
        case _ASCII.backslash: out.append(_ASCII.backslash)
        case 0x08: out.append(UInt8(ascii: "b"))
        case 0x0C: out.append(UInt8(ascii: "f"))
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "t"))
        default:
            out.append(UInt8(ascii: "u"))
            out.append(_ASCII.zero)
            out.append(_ASCII.zero)
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 0x0F)])
        }
    }
}
