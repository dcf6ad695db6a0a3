/// The Prometheus text exposition format, version 0.0.4: what `GET /metrics` answers.
///
/// ```text
/// # HELP outpost_http_requests_total Requests answered, by method, route pattern and status.
/// # TYPE outpost_http_requests_total counter
/// outpost_http_requests_total{method="GET",route="/v1/pull",status="200"} 3
/// ```
///
/// Spec: https://prometheus.io/docs/instrumenting/exposition_formats/ (text format 0.0.4).
/// HELP text escapes `\` and line feeds; label values escape `\`, `"` and line feeds;
/// values are Go-style floats (`+Inf`, `-Inf`, `NaN`).
public enum PrometheusText {
    /// The `Content-Type` of an exposition.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// A label value as written between the quotes: `\` → `\\`, `"` → `\"`, line feed → `\n`.
    ///
    /// ```swift
    /// PrometheusText.escapeLabelValue("a\"b")   // a\"b with the quote escaped
    /// ```
    public static func escapeLabelValue(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for character in value.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// HELP text as written after the metric name: `\` → `\\`, line feed → `\n`.
    public static func escapeHelp(_ text: String) -> String {
        var out = ""
        for character in text.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// A sample value: whole numbers without a fraction (`3`), others in the shortest form
    /// that reads back exactly (`0.25`), and `+Inf`, `-Inf`, `NaN`.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// `{a="1",b="2"}` for the given pairs in order, or nothing when there are none.
    public static func labelSet(_ labels: [(name: String, value: String)]) -> String {
        guard !labels.isEmpty else { return "" }
        return "{" + labels.map { "\($0.name)=\"\(escapeLabelValue($0.value))\"" }.joined(separator: ",") + "}"
    }

    /// Whether `name` is a valid metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    public static func isValidMetricName(_ name: String) -> Bool {
        isName(name, extra: UInt8(ascii: ":"))
    }

    /// Whether `name` is a valid label name: `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`.
    public static func isValidLabelName(_ name: String) -> Bool {
        isName(name, extra: nil) && !name.hasPrefix("__")
    }

    private static func isName(_ name: String, extra: UInt8?) -> Bool {
        guard let first = name.utf8.first else { return false }
        func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte == UInt8(ascii: "_") || byte == extra }
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        return isLetter(first) && name.utf8.allSatisfy { isLetter($0) || isDigit($0) }
    }
}
