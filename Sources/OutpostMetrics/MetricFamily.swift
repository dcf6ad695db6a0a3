/// One metric as exposed: its name, help, type and current samples.
///
/// ```swift
/// let family = MetricFamily(name: "outpost_database_size_bytes", help: "Size of the database.",
///                           type: .gauge, samples: [.init(labels: [], value: 81920)])
/// print(family.exposition, terminator: "")
/// ```
public struct MetricFamily: Sendable, Hashable {
    /// The kind of metric, written on its `# TYPE` line.
    public enum Kind: String, Sendable, Hashable {
        case counter, gauge, histogram
    }

    /// One line of the family: a suffix for histogram parts (`_bucket`, `_sum`, `_count`), labels and value.
    public struct Sample: Sendable, Hashable {
        /// Appended to the family name, e.g. `_bucket`; empty for counters and gauges.
        public var suffix: String
        /// Label pairs in the order written.
        public var labels: [Label]
        /// The value.
        public var value: Double

        /// A sample; `Sample(labels: [Label("route", "/health")], value: 1)`.
        public init(suffix: String = "", labels: [Label], value: Double) {
            self.suffix = suffix
            self.labels = labels
            self.value = value
        }
    }

    /// A label name and value.
    public struct Label: Sendable, Hashable {
        public var name: String
        public var value: String
        /// `Label("route", "/v1/pull")`.
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public var name: String
    public var help: String
    public var type: Kind
    public var samples: [Sample]

    /// A family with its samples; the name must be a valid metric name.
    public init(name: String, help: String, type: Kind, samples: [Sample]) {
        precondition(PrometheusText.isValidMetricName(name), "'\(name)' is not a valid metric name")
        self.name = name
        self.help = help
        self.type = type
        self.samples = samples
    }

    /// The family in the text format: `# HELP`, `# TYPE`, then one line per sample, each ending in a line feed.
    public var exposition: String {
        var text = "# HELP \(name) \(PrometheusText.escapeHelp(help))\n# TYPE \(name) \(type.rawValue)\n"
        for sample in samples {
            text += name + sample.suffix + PrometheusText.labelSet(sample.labels.map { ($0.name, $0.value) })
                + " " + PrometheusText.format(sample.value) + "\n"
        }
        return text
    }
}
