/// An ordered list of header fields with case-insensitive name lookup.
/// Field order and repeated fields are preserved.
///
/// ```swift
/// var headers: HTTPHeaders = ["Content-Type": "application/json"]
/// headers.add(name: "Set-Cookie", value: "a=1")
/// headers["content-type"]          // "application/json"
/// headers.values(for: "set-cookie") // ["a=1"]
/// ```
public struct HTTPHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// One header field, as received or to be sent.
    public struct Field: Sendable, Hashable {
        /// The field name with its original spelling.
        public var name: String
        /// The field value, without surrounding whitespace.
        public var value: String

        /// Creates a field; `HTTPHeaders.Field(name: "Accept", value: "*/*")`.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The fields in order.
    public private(set) var fields: [Field]

    /// Creates an empty header list, or one holding `fields` in order.
    ///
    /// ```swift
    /// let headers = HTTPHeaders([.init(name: "Accept", value: "*/*")])
    /// ```
    public init(_ fields: [Field] = []) {
        self.fields = fields
    }

    /// Creates headers from a literal; `["Accept": "*/*"]`.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    /// The first value for `name` (case-insensitive), or `nil`. Assigning replaces all
    /// fields of that name; assigning `nil` removes them.
    ///
    /// ```swift
    /// headers["Cache-Control"] = "no-store"
    /// ```
    public subscript(name: String) -> String? {
        get { fields.first(where: { HTTPHeaders.namesEqual($0.name, name) })?.value }
        set {
            if let newValue { set(name: name, value: newValue) } else { remove(name: name) }
        }
    }

    /// Appends a field, keeping any existing fields of the same name.
    ///
    /// ```swift
    /// headers.add(name: "Vary", value: "Accept")
    /// ```
    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces all fields named `name` with a single field (kept at the first one's position).
    ///
    /// ```swift
    /// headers.set(name: "Content-Type", value: "text/plain")
    /// ```
    public mutating func set(name: String, value: String) {
        if let index = fields.firstIndex(where: { HTTPHeaders.namesEqual($0.name, name) }) {
            fields[index] = Field(name: name, value: value)
            var next = index + 1
            while next < fields.count {
                if HTTPHeaders.namesEqual(fields[next].name, name) { fields.remove(at: next) } else { next += 1 }
            }
        } else {
            fields.append(Field(name: name, value: value))
        }
    }

    /// Removes every field named `name`; `headers.remove(name: "Content-Length")`.
    public mutating func remove(name: String) {
        fields.removeAll(where: { HTTPHeaders.namesEqual($0.name, name) })
    }

    /// All values for `name` in order; `headers.values(for: "Set-Cookie")`.
    public func values(for name: String) -> [String] {
        fields.filter { HTTPHeaders.namesEqual($0.name, name) }.map(\.value)
    }

    /// Whether any field is named `name`; `headers.contains("Authorization")`.
    public func contains(_ name: String) -> Bool {
        fields.contains(where: { HTTPHeaders.namesEqual($0.name, name) })
    }

    /// The comma-separated tokens of all fields named `name`, lower-cased and trimmed,
    /// e.g. `["keep-alive", "upgrade"]` for `Connection`.
    ///
    /// ```swift
    /// headers.tokens(for: "Connection").contains("close")
    /// ```
    public func tokens(for name: String) -> [String] {
        values(for: name).flatMap { value in
            value.split(separator: ",").map { $0.trimmingASCIIWhitespace().lowercased() }.filter { !$0.isEmpty }
        }
    }

    /// The number of fields.
    public var count: Int { fields.count }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    public var description: String { fields.map { "\($0.name): \($0.value)" }.joined(separator: "\n") }

    /// ASCII case-insensitive name comparison.
    static func namesEqual(_ a: String, _ b: String) -> Bool {
        let a = a.utf8, b = b.utf8
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where x != y {
            if asciiLower(x) != asciiLower(y) { return false }
        }
        return true
    }

    @inline(__always) static func asciiLower(_ byte: UInt8) -> UInt8 {
        (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
    }
}

extension Substring {
    func trimmingASCIIWhitespace() -> Substring {
        var s = self
        while let first = s.first, first == " " || first == "\t" { s = s.dropFirst() }
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        return s
    }
}
