import Foundation

/// Reads Prometheus text exposition (format 0.0.4) back, strictly enough to catch format
/// mistakes: every sample belongs to a family announced by `# HELP` and `# TYPE` lines before
/// it, label values are unescaped, and values parse as Go floats.
struct Exposition {
    struct Sample: Hashable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    var types: [String: String] = [:]
    var helps: [String: String] = [:]
    var samples: [Sample] = []

    init(_ text: String) throws {
        guard text.hasSuffix("\n") else { throw Failure(description: "the exposition must end with a line feed") }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(parts[0]), rest = parts.count > 1 ? String(parts[1]) : ""
                if line.hasPrefix("# HELP ") {
                    guard helps[name] == nil else { throw Failure(description: "HELP twice for \(name)") }
                    helps[name] = rest
                } else {
                    guard ["counter", "gauge", "histogram", "summary", "untyped"].contains(rest), types[name] == nil else {
                        throw Failure(description: "bad TYPE line: \(line)")
                    }
                    guard !samples.contains(where: { Self.family(of: $0.name, in: [name: rest]) == name }) else {
                        throw Failure(description: "TYPE after samples for \(name)")
                    }
                    types[name] = rest
                }
                continue
            }
            guard !line.isEmpty, !line.hasPrefix("#") else { throw Failure(description: "unexpected line: \(line)") }
            let sample = try Self.parseSample(String(line))
            guard let family = Self.family(of: sample.name, in: types), helps[family] != nil else {
                throw Failure(description: "sample before its HELP and TYPE: \(line)")
            }
            samples.append(sample)
        }
    }

    /// The family a sample name belongs to (`x_bucket`, `x_sum`, `x_count` belong to histogram `x`).
    static func family(of name: String, in types: [String: String]) -> String? {
        if types[name] != nil { return name }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if types[base] == "histogram" { return base }
        }
        return nil
    }

    static func parseSample(_ line: String) throws -> Sample {
        var scalars = Array(line.unicodeScalars)[...]
        var name = ""
        while let first = scalars.first, first != "{", first != " " { name.unicodeScalars.append(first); scalars = scalars.dropFirst() }
        var labels: [String: String] = [:]
        if scalars.first == "{" {
            scalars = scalars.dropFirst()
            while scalars.first != "}" {
                var label = ""
                while let first = scalars.first, first != "=" { label.unicodeScalars.append(first); scalars = scalars.dropFirst() }
                guard scalars.dropFirst().first == "\"" else { throw Failure(description: "label without quotes: \(line)") }
                scalars = scalars.dropFirst(2)
                var value = ""
                while true {
                    guard let first = scalars.first else { throw Failure(description: "unterminated label value: \(line)") }
                    scalars = scalars.dropFirst()
                    if first == "\"" { break }
                    if first == "\\" {
                        guard let escaped = scalars.first else { throw Failure(description: "dangling escape: \(line)") }
                        scalars = scalars.dropFirst()
                        switch escaped {
                        case "\\": value += "\\"
                        case "\"": value += "\""
                        case "n": value += "\n"
                        default: throw Failure(description: "unknown escape \\\(escaped): \(line)")
                        }
                    } else {
                        value.unicodeScalars.append(first)
                    }
                }
                guard labels[label] == nil else { throw Failure(description: "label \(label) twice: \(line)") }
                labels[label] = value
                if scalars.first == "," { scalars = scalars.dropFirst() }
            }
            scalars = scalars.dropFirst()
        }
        guard scalars.first == " " else { throw Failure(description: "no value: \(line)") }
        let text = String(String.UnicodeScalarView(scalars.dropFirst()))
        let value: Double
        switch text {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default:
            guard let parsed = Double(text) else { throw Failure(description: "value '\(text)' is not a float: \(line)") }
            value = parsed
        }
        return Sample(name: name, labels: labels, value: value)
    }

    /// The value of the one sample with this name and exactly these labels (0 when absent).
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double {
        samples.first { $0.name == name && $0.labels == labels }?.value ?? 0
    }

    /// Every sample of `name`.
    func all(_ name: String) -> [Sample] { samples.filter { $0.name == name } }
}
