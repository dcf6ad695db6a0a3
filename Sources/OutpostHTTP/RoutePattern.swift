/// A parsed route pattern such as `/v1/records/:id`.
struct RoutePattern: Sendable {
    enum Segment: Sendable, Hashable {
        case literal(String)
        case parameter(String)
    }

    let segments: [Segment]

    /// Parses `pattern`; traps on empty or duplicated parameter names.
    init(_ pattern: String) {
        var names: Set<String> = []
        segments = pattern.split(separator: "/", omittingEmptySubsequences: true).map { part in
            if part.hasPrefix(":") {
                let name = String(part.dropFirst())
                precondition(!name.isEmpty, "Route pattern '\(pattern)' has an unnamed parameter")
                precondition(names.insert(name).inserted, "Route pattern '\(pattern)' repeats parameter '\(name)'")
                return .parameter(name)
            }
            return .literal(String(part))
        }
    }

    /// The pattern with parameter names erased, to detect duplicate registrations.
    var shape: [String?] {
        segments.map { if case .literal(let s) = $0 { return s } else { return nil } }
    }

    /// One flag per segment: `true` for a literal. Earlier literals make a route more specific.
    var specificity: [Bool] {
        segments.map { if case .literal = $0 { return true } else { return false } }
    }

    static func isMoreSpecific(_ a: [Bool], than b: [Bool]) -> Bool {
        for (x, y) in zip(a, b) where x != y { return x }
        return false
    }

    /// Splits a raw (still encoded) path into decoded segments; empty segments are dropped.
    static func segments(ofRawPath rawPath: String) -> [String] {
        rawPath.split(separator: "/", omittingEmptySubsequences: true).map { PercentDecoding.decodeLeniently($0) }
    }

    /// The captured parameters when `path` matches, else `nil`.
    func match(_ path: [String]) -> [String: String]? {
        guard path.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, value) in zip(segments, path) {
            switch segment {
            case .literal(let literal): if literal != value { return nil }
            case .parameter(let name): parameters[name] = value
            }
        }
        return parameters
    }
}
