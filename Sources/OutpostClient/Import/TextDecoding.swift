#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The character encodings a spreadsheet export arrives in.
public enum TextEncoding: String, Sendable, Hashable {
    /// UTF-8 with a byte-order mark (Excel's "CSV UTF-8").
    case utf8BOM = "utf-8-bom"
    /// UTF-8 without a byte-order mark.
    case utf8 = "utf-8"
    /// GB18030, a superset of GBK and GB2312 (Excel's "CSV" on a Chinese Windows).
    case gb18030 = "gb18030"
}

/// Why a file's bytes could not be read as text.
public enum TextDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The bytes are neither UTF-8 nor GB18030/GBK; `offset` is the first byte that fails.
    case undecodable(offset: Int)
    /// The bytes are not UTF-8, and this system offers no GB18030 converter (iconv).
    case gb18030Unavailable

    public var description: String {
        switch self {
        case .undecodable(let offset): return "The file is neither UTF-8 nor GBK/GB18030 text (byte \(offset))."
        case .gb18030Unavailable: return "The file is not UTF-8 and this system cannot convert GBK/GB18030; save it as CSV UTF-8."
        }
    }
}

/// Decodes the bytes of a text file: UTF-8 with or without BOM, otherwise GB18030 (which reads
/// GBK and GB2312 too) through the C library's iconv, available with glibc and on macOS.
///
/// ```swift
/// let (text, encoding) = try TextDecoding.decode([0xB1, 0xB1, 0xBE, 0xA9])   // ("北京", .gb18030)
/// ```
public enum TextDecoding {
    /// The text and the encoding it was found in.
    public static func decode(_ bytes: [UInt8]) throws(TextDecodingError) -> (text: String, encoding: TextEncoding) {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            if let text = String(validating: bytes.dropFirst(3), as: UTF8.self) { return (text, .utf8BOM) }
        } else if let text = String(validating: bytes, as: UTF8.self) {
            return (text, .utf8)
        }
        return (try gb18030(bytes), .gb18030)
    }

    /// GB18030 (GBK, GB2312) bytes as text.
    public static func gb18030(_ bytes: [UInt8]) throws(TextDecodingError) -> String {
        let converter = iconv_open("UTF-8", "GB18030")
        guard converter != iconv_t(bitPattern: -1) else { throw .gb18030Unavailable }
        defer { iconv_close(converter) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: bytes.count * 2 + 16)  // a GB18030 character takes ≤ 4 bytes, its UTF-8 ≤ 4; 2 bytes ≤ 3
        var inLeft = input.count
        var outLeft = output.count
        let failed = input.withUnsafeMutableBytes { inBuffer in
            output.withUnsafeMutableBytes { outBuffer -> Bool in
                var inPointer = inBuffer.baseAddress?.assumingMemoryBound(to: CChar.self)
                var outPointer = outBuffer.baseAddress?.assumingMemoryBound(to: CChar.self)
                return iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft) == Int(bitPattern: UInt(bitPattern: -1))
            }
        }
        if failed || inLeft > 0 { throw .undecodable(offset: bytes.count - inLeft) }
        guard let text = String(validating: output[0..<(output.count - outLeft)], as: UTF8.self) else {
            throw .undecodable(offset: 0)
        }
        return text
    }

    /// Text as GB18030 bytes (for tests and for users who ask for GBK output); `nil` without a converter
    /// or for text GB18030 cannot hold.
    public static func encodeGB18030(_ text: String) -> [UInt8]? {
        let converter = iconv_open("GB18030", "UTF-8")
        guard converter != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(converter) }
        var input = Array(text.utf8)
        var output = [UInt8](repeating: 0, count: input.count * 2 + 16)
        var inLeft = input.count
        var outLeft = output.count
        let failed = input.withUnsafeMutableBytes { inBuffer in
            output.withUnsafeMutableBytes { outBuffer -> Bool in
                var inPointer = inBuffer.baseAddress?.assumingMemoryBound(to: CChar.self)
                var outPointer = outBuffer.baseAddress?.assumingMemoryBound(to: CChar.self)
                return iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft) == Int(bitPattern: UInt(bitPattern: -1))
            }
        }
        return failed || inLeft > 0 ? nil : Array(output[0..<(output.count - outLeft)])
    }
}
