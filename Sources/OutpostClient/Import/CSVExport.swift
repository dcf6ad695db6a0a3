import OutpostJSON
import OutpostModel

extension Replica {
    /// Writes the live records of `type` as CSV (`outpost export`): UTF-8 with a byte-order mark
    /// (so Excel reads Chinese correctly), CRLF line ends, RFC 4180 quoting, a header of field
    /// names — exactly the columns ``importCSV(_:bytes:options:progress:)`` reads. A contact's,
    /// visit's or complaint's `customer` column holds the customer's code; phone numbers are joined
    /// with `; `; times are UTC RFC 3339. `write` receives the text in pieces.
    ///
    /// ```swift
    /// var text = ""
    /// let count = try replica.exportCSV(.customer) { text += $0 }
    /// ```
    ///
    /// - Returns: the number of records written.
    @discardableResult
    public func exportCSV(_ type: EntityType, write: (String) throws -> Void) throws -> Int {
        let columns = CSVColumns.exportHeader(type)
        var codes: [RecordID: String] = [:]
        if type != .customer {
            for customer in try records(.customer, includeDeleted: true) {
                codes[customer.id] = customer.value(of: "code")?.stringValue
            }
        }
        try write("\u{FEFF}" + CSV.line(columns))
        var buffer = ""
        var count = 0
        for record in try records(type) {
            let cells = columns.map { name -> String in
                guard let value = record.value(of: name) else { return "" }
                if name == "customer", let id = value.stringValue {
                    return codes[RecordID(unchecked: id)] ?? id
                }
                return Self.cellText(value)
            }
            buffer += CSV.line(cells)
            count += 1
            if buffer.utf8.count > 1 << 16 {
                try write(buffer)
                buffer = ""
            }
        }
        if !buffer.isEmpty { try write(buffer) }
        return count
    }

    /// A field value as a CSV cell.
    static func cellText(_ value: JSONValue) -> String {
        switch value {
        case .null: return ""
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number): return number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .string(let text): return text
        case .array(let items): return items.map(cellText).joined(separator: "; ")
        case .object: return SurveyScores.text(of: value)  // a visit's survey: "quality=4; service=5"
        }
    }
}
