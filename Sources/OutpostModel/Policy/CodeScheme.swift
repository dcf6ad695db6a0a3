import OutpostJSON

/// A customer code pattern such as `{branch}-{yyyy}-{seq:05}`: literal letters, digits, `-`, `_`
/// and `.`, and the placeholders `{branch}`, `{yyyy}`, `{yy}` and `{seq}` / `{seq:0N}` (exactly one `{seq}`).
///
/// ```swift
/// let scheme = try CodeScheme("{branch}-{yyyy}-{seq:05}")
/// scheme.code(branch: "SH", year: 2026, seq: 42)      // "SH-2026-00042"
/// ```
public struct CodeScheme: Sendable, Hashable {
    enum Part: Sendable, Hashable {
        case literal(String)
        case branch
        case year4
        case year2
        case seq(width: Int)
    }

    /// The pattern text.
    public let pattern: String
    let parts: [Part]

    /// Parses a pattern.
    /// - Throws: ``PolicyError/invalidCodeScheme(_:reason:)``.
    public init(_ pattern: String) throws(PolicyError) {
        self.pattern = pattern
        var parts: [Part] = []
        var rest = Substring(pattern)
        while !rest.isEmpty {
            if rest.first == "{" {
                guard let close = rest.firstIndex(of: "}") else { throw .invalidCodeScheme(pattern, reason: "a '{' is not closed") }
                let name = rest[rest.index(after: rest.startIndex)..<close]
                switch name {
                case "branch": parts.append(.branch)
                case "yyyy": parts.append(.year4)
                case "yy": parts.append(.year2)
                case "seq": parts.append(.seq(width: 1))
                default:
                    guard name.hasPrefix("seq:"), let width = Int(name.dropFirst(4)), (1...12).contains(width) else {
                        throw .invalidCodeScheme(pattern, reason: "unknown placeholder {\(name)}; use {branch}, {yyyy}, {yy} or {seq:05}")
                    }
                    parts.append(.seq(width: width))
                }
                rest = rest[rest.index(after: close)...]
            } else {
                let end = rest.firstIndex(of: "{") ?? rest.endIndex
                let literal = rest[..<end]
                guard literal.utf8.allSatisfy({ byte in
                    (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 45 || byte == 95 || byte == 46
                }) else { throw .invalidCodeScheme(pattern, reason: "codes may only hold letters, digits, '-', '_' and '.'") }
                parts.append(.literal(String(literal)))
                rest = rest[end...]
            }
        }
        guard parts.filter({ if case .seq = $0 { return true } else { return false } }).count == 1 else {
            throw .invalidCodeScheme(pattern, reason: "it needs exactly one {seq} placeholder")
        }
        self.parts = parts
    }

    /// `true` when codes restart each year (the pattern has `{yyyy}` or `{yy}`).
    public var isYearly: Bool { parts.contains(.year4) || parts.contains(.year2) }

    /// The code for a sequence number.
    public func code(branch: String, year: Int, seq: Int64) -> String {
        parts.map { part in
            switch part {
            case .literal(let text): return text
            case .branch: return branch
            case .year4: return String(year)
            case .year2: return String(String(year).suffix(2))
            case .seq(let width):
                let digits = String(seq)
                return String(repeating: "0", count: max(0, width - digits.count)) + digits
            }
        }.joined()
    }

    /// The sequence number of `code` when the scheme produces it for `branch` and `year`, else `nil`
    /// (used to skip numbers already taken by hand-typed codes).
    public func sequence(of code: String, branch: String, year: Int) -> Int64? {
        var rest = Substring(code)
        var seq: Int64?
        for (index, part) in parts.enumerated() {
            switch part {
            case .seq:
                // The digits run up to the next literal (or the end).
                var digits = Substring("")
                if index + 1 < parts.count {
                    let tail = CodeScheme.render(parts[(index + 1)...], branch: branch, year: year)
                    guard rest.hasSuffix(tail) else { return nil }
                    digits = rest.dropLast(tail.count)
                    rest = rest.suffix(tail.count)
                } else {
                    digits = rest
                    rest = ""
                }
                guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(digits) else { return nil }
                seq = value
                return rest == Substring(CodeScheme.render(parts[(index + 1)...], branch: branch, year: year)) ? seq : nil
            default:
                let text = CodeScheme.render(parts[index...index], branch: branch, year: year)
                guard rest.hasPrefix(text) else { return nil }
                rest = rest.dropFirst(text.count)
            }
        }
        return seq
    }

    /// `true` when `code` has this scheme's shape for `branch` (any year, any sequence number):
    /// `SH-2026-00042` matches `{branch}-{yyyy}-{seq:05}` for branch `SH`.
    public func matches(_ code: String, branch: String) -> Bool {
        var rest = Substring(code)
        /// Exactly `count` digits, or (`atLeast`) a run of at least `count`.
        func digits(_ count: Int, atLeast: Bool = false) -> Bool {
            let run = rest.prefix { $0.isASCII && $0.isNumber }
            guard run.count >= count else { return false }
            rest = rest.dropFirst(atLeast ? run.count : count)
            return true
        }
        for part in parts {
            switch part {
            case .literal(let text):
                guard rest.hasPrefix(text) else { return false }
                rest = rest.dropFirst(text.count)
            case .branch:
                guard rest.hasPrefix(branch) else { return false }
                rest = rest.dropFirst(branch.count)
            case .year4: guard digits(4) else { return false }
            case .year2: guard digits(2) else { return false }
            case .seq(let width): guard digits(width, atLeast: true) else { return false }
            }
        }
        return rest.isEmpty
    }

    static func render(_ parts: ArraySlice<Part>, branch: String, year: Int) -> String {
        parts.map { part in
            switch part {
            case .literal(let text): return text
            case .branch: return branch
            case .year4: return String(year)
            case .year2: return String(String(year).suffix(2))
            case .seq: return ""
            }
        }.joined()
    }

    /// The series a code belongs to: sequences are counted per branch, and per year when the pattern has a year.
    public func series(branch: String, year: Int) -> CodeSeries { CodeSeries(branch: branch, year: isYearly ? year : 0) }
}

/// A sequence of customer codes: one per branch (and year, for yearly schemes).
public struct CodeSeries: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Branch code.
    public var branch: String
    /// Year, or 0 when the scheme has no year.
    public var year: Int
    /// Creates a series.
    public init(branch: String, year: Int) {
        self.branch = branch
        self.year = year
    }
    public var description: String { year == 0 ? branch : "\(branch)/\(year)" }
    public static func < (a: CodeSeries, b: CodeSeries) -> Bool { (a.branch, a.year) < (b.branch, b.year) }
}

/// A block of sequence numbers the server leased to one device (SPEC §9.9): the device issues
/// `first…last` offline, and no other device ever receives any of them.
public struct CodeBlock: Sendable, Hashable {
    /// The lease's id (the client's request id, so a retried lease returns the same block).
    public var lease: String
    /// The series.
    public var series: CodeSeries
    /// First sequence number.
    public var first: Int64
    /// Last sequence number (inclusive).
    public var last: Int64
    /// The scheme the codes are formatted with (the one in force when leased).
    public var scheme: String

    /// Creates a block.
    public init(lease: String, series: CodeSeries, first: Int64, last: Int64, scheme: String) {
        self.lease = lease
        self.series = series
        self.first = first
        self.last = last
        self.scheme = scheme
    }

    /// The wire form: `{"lease","branch","year","first","last","scheme"}`.
    public var jsonValue: JSONValue {
        ["lease": .string(lease), "branch": .string(series.branch), "year": .int(Int64(series.year)), "first": .int(first),
         "last": .int(last), "scheme": .string(scheme)]
    }

    /// Reads the wire form.
    public init(json: JSONValue) throws(WireDecodingError) {
        guard let object = json.objectValue, let lease = object["lease"]?.stringValue, let branch = object["branch"]?.stringValue,
            let year = object["year"]?.intValue, let first = object["first"]?.intValue, let last = object["last"]?.intValue,
            let scheme = object["scheme"]?.stringValue, first >= 1, last >= first
        else { throw WireDecodingError(path: "$", reason: "expected a code block {lease, branch, year, first, last, scheme}") }
        self.init(lease: lease, series: CodeSeries(branch: branch, year: Int(year)), first: first, last: last, scheme: scheme)
    }
}

/// `POST /v1/codes/lease` request: `{"lease": <uuid>, "branch": "SH", "year": 2026}` (SPEC §9.9).
public struct CodeLeaseRequest: Sendable, Hashable {
    /// Client-chosen id; repeating it returns the same block (a retry after a lost answer leases nothing new).
    public var lease: String
    /// The branch codes are for.
    public var branch: String
    /// The year the codes are for (the device's local year in the branch calendar).
    public var year: Int

    /// Creates a request.
    public init(lease: String, branch: String, year: Int) {
        self.lease = lease
        self.branch = branch
        self.year = year
    }

    /// The wire form.
    public var jsonValue: JSONValue { ["lease": .string(lease), "branch": .string(branch), "year": .int(Int64(year))] }

    /// Reads the wire form strictly (unknown members refused).
    public init(json: JSONValue) throws(WireDecodingError) {
        guard let object = json.objectValue else { throw WireDecodingError(path: "$", reason: "expected an object") }
        for key in object.keys.sorted() where !["lease", "branch", "year"].contains(key) {
            throw WireDecodingError(path: "$.\(key)", reason: "unknown member")
        }
        guard let lease = object["lease"]?.stringValue, (try? RecordID(lease)) != nil else {
            throw WireDecodingError(path: "$.lease", reason: "expected a UUID")
        }
        guard let branch = object["branch"]?.stringValue, Branch.isValid(branch) else {
            throw WireDecodingError(path: "$.branch", reason: "expected a branch code")
        }
        guard case .int(let year)? = object["year"], (2000...9999).contains(year) else {
            throw WireDecodingError(path: "$.year", reason: "expected a year 2000–9999")
        }
        self.init(lease: lease.lowercased(), branch: branch, year: Int(year))
    }
}
