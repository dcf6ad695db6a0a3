/// RFC 4180 comma-separated values: reading (with the line each row starts on) and writing.
///
/// ```swift
/// let rows = try CSV.parse("code,name\r\nC-1,\"Acme, Inc.\"\r\n")
/// rows[1].fields   // ["C-1", "Acme, Inc."]; rows[1].line == 2
/// CSV.line(["C-1", "say \"hi\""])   // "C-1,\"say \"\"hi\"\"\"\r\n"
/// ```
public enum CSV {
    /// One record of a CSV file.
    public struct Row: Sendable, Hashable {
        /// The 1-based line of the file the row starts on (a quoted field may span lines).
        public var line: Int
        /// The field texts, unquoted.
        public var fields: [String]
    }

    /// Why a CSV text could not be read.
    public enum ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// A quoted field is never closed; it opens on `line`.
        case unterminatedQuote(line: Int)
        /// Text follows a closing quote inside a field, on `line`.
        case textAfterQuote(line: Int)

        public var description: String {
            switch self {
            case .unterminatedQuote(let line): return "Line \(line): a quoted field is never closed."
            case .textAfterQuote(let line): return "Line \(line): text follows a closing quote."
            }
        }
    }

    /// Reads every row of `text`: fields separated by commas, records by CRLF or LF; fields in
    /// double quotes may hold commas, quotes (doubled) and line breaks. Blank lines are skipped.
    public static func parse(_ text: String) throws(ParseError) -> [Row] {
        var rows: [Row] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1
        var rowLine = 1
        var inQuotes = false
        var quoteLine = 1
        var afterQuote = false
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            afterQuote = false
        }
        func endRow() {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) { rows.append(Row(line: rowLine, fields: fields)) }
            fields.removeAll(keepingCapacity: true)
        }
        var i = 0
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        while i < bytes.count {
            let byte = bytes[i]
            if inQuotes {
                if byte == quote {
                    if i + 1 < bytes.count && bytes[i + 1] == quote {
                        field.append(quote)
                        i += 2
                        continue
                    }
                    inQuotes = false
                    afterQuote = true
                } else {
                    if byte == lf { line += 1 }
                    field.append(byte)
                }
                i += 1
                continue
            }
            switch byte {
            case quote:
                if field.isEmpty && !afterQuote {
                    inQuotes = true
                    quoteLine = line
                } else {
                    throw .textAfterQuote(line: line)
                }
            case comma:
                endField()
            case cr where i + 1 < bytes.count && bytes[i + 1] == lf:
                break
            case cr, lf:
                endRow()
                line += 1
                rowLine = line
            default:
                if afterQuote { throw .textAfterQuote(line: line) }
                field.append(byte)
            }
            i += 1
        }
        if inQuotes { throw .unterminatedQuote(line: quoteLine) }
        if !field.isEmpty || !fields.isEmpty || afterQuote { endRow() }
        return rows
    }

    /// One CSV line (ending in CRLF): fields holding a comma, quote, CR or LF, or starting or
    /// ending with a space, are quoted, with quotes doubled.
    public static func line(_ fields: [String]) -> String {
        fields.map(quoted).joined(separator: ",") + "\r\n"
    }

    /// A field as written in CSV.
    public static func quoted(_ field: String) -> String {
        let needsQuotes = field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" })
            || field.first == " " || field.last == " "
        guard needsQuotes else { return field }
        var out = "\""
        for character in field {
            if character == "\"" { out += "\"\"" } else { out.append(character) }
        }
        return out + "\""
    }
}
