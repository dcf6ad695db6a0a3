import Foundation

/// Counters, gauges and histograms shared by every thread that handles requests, rendered in
/// the Prometheus text format on demand. Updates take one lock briefly; nothing allocates per
/// update once a label combination has been seen.
///
/// ```swift
/// let registry = MetricsRegistry()
/// let requests = registry.counter("app_requests_total", help: "Requests.", labels: ["route", "status"])
/// let latency = registry.histogram("app_request_duration_seconds", help: "Latency.", labels: ["route"])
/// requests.increment(["/v1/pull", "200"])
/// latency.observe(0.004, ["/v1/pull"])
/// registry.collect { [MetricFamily(name: "app_up", help: "Up.", type: .gauge, samples: [.init(labels: [], value: 1)])] }
/// print(registry.exposition())
/// ```
public final class MetricsRegistry: @unchecked Sendable {
    // Safety: `declared` and `collectors` are only touched with `lock` held.
    private let lock = NSLock()
    private var declared: [Family] = []
    private var collectors: [@Sendable () -> [MetricFamily]] = []

    /// Prometheus' default latency buckets, in seconds (5 ms to 10 s).
    public static let defaultBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// Creates an empty registry.
    public init() {}

    /// Declares a counter (a total that only goes up); names end in `_total` by convention.
    public func counter(_ name: String, help: String, labels: [String] = []) -> Counter {
        Counter(registry: self, index: declare(name, help: help, kind: .counter, labels: labels, buckets: []))
    }

    /// Declares a gauge (a value that goes up and down).
    public func gauge(_ name: String, help: String, labels: [String] = []) -> Gauge {
        Gauge(registry: self, index: declare(name, help: help, kind: .gauge, labels: labels, buckets: []))
    }

    /// Declares a histogram with the given upper bounds (ascending; `+Inf` is added).
    public func histogram(_ name: String, help: String, labels: [String] = [],
                          buckets: [Double] = MetricsRegistry.defaultBuckets) -> Histogram {
        precondition(zip(buckets, buckets.dropFirst()).allSatisfy { $0 < $1 }, "Histogram buckets must ascend")
        precondition(!labels.contains("le"), "'le' is reserved for histogram buckets")
        return Histogram(registry: self, index: declare(name, help: help, kind: .histogram, labels: labels,
                                                        buckets: buckets.filter { $0 != .infinity }))
    }

    /// Adds families computed at each exposition (e.g. a database size read when scraped).
    public func collect(_ collector: @escaping @Sendable () -> [MetricFamily]) {
        lock.withLock { collectors.append(collector) }
    }

    /// Every family, declared ones first (series sorted by label values), then collected ones.
    public func families() -> [MetricFamily] {
        let (snapshots, collectors) = lock.withLock { (declared.map(\.snapshot), self.collectors) }
        // Collectors run outside the lock: they may do I/O.
        return snapshots + collectors.flatMap { $0() }
    }

    /// The exposition text served at `GET /metrics`.
    public func exposition() -> String {
        families().map(\.exposition).joined()
    }

    // MARK: storage

    fileprivate struct Series {
        var value: Double = 0
        var bucketCounts: [UInt64] = []
        var count: UInt64 = 0
    }

    private struct Family {
        var name: String
        var help: String
        var kind: MetricFamily.Kind
        var labels: [String]
        var buckets: [Double]
        var series: [[String]: Series] = [:]

        var snapshot: MetricFamily {
            var samples: [MetricFamily.Sample] = []
            for (values, series) in series.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
                let labelPairs = zip(labels, values).map { MetricFamily.Label($0, $1) }
                switch kind {
                case .counter, .gauge:
                    samples.append(.init(labels: labelPairs, value: series.value))
                case .histogram:
                    var cumulative: UInt64 = 0
                    for (bound, count) in zip(buckets, series.bucketCounts) {
                        cumulative += count
                        samples.append(.init(suffix: "_bucket", labels: labelPairs + [.init("le", PrometheusText.format(bound))],
                                             value: Double(cumulative)))
                    }
                    samples.append(.init(suffix: "_bucket", labels: labelPairs + [.init("le", "+Inf")], value: Double(series.count)))
                    samples.append(.init(suffix: "_sum", labels: labelPairs, value: series.value))
                    samples.append(.init(suffix: "_count", labels: labelPairs, value: Double(series.count)))
                }
            }
            return MetricFamily(name: name, help: help, type: kind, samples: samples)
        }
    }

    private func declare(_ name: String, help: String, kind: MetricFamily.Kind, labels: [String], buckets: [Double]) -> Int {
        precondition(PrometheusText.isValidMetricName(name), "'\(name)' is not a valid metric name")
        precondition(labels.allSatisfy(PrometheusText.isValidLabelName), "Invalid label name in \(labels)")
        return lock.withLock {
            precondition(!declared.contains { $0.name == name }, "Metric \(name) declared twice")
            var family = Family(name: name, help: help, kind: kind, labels: labels, buckets: buckets)
            // A metric without labels has its one series from the start, so it reads 0 before anything happened.
            if labels.isEmpty { family.series[[]] = Series(bucketCounts: Array(repeating: 0, count: buckets.count)) }
            declared.append(family)
            return declared.count - 1
        }
    }

    fileprivate func update(_ index: Int, _ labelValues: [String], _ body: (inout Series, [Double]) -> Void) {
        lock.withLock {
            precondition(labelValues.count == declared[index].labels.count,
                         "\(declared[index].name) takes labels \(declared[index].labels)")
            let buckets = declared[index].buckets
            var series = declared[index].series[labelValues]
                ?? Series(bucketCounts: Array(repeating: 0, count: buckets.count))
            body(&series, buckets)
            declared[index].series[labelValues] = series
        }
    }
}

/// A declared counter; `requests.increment(["/health", "200"])`.
public struct Counter: Sendable {
    fileprivate let registry: MetricsRegistry
    fileprivate let index: Int

    /// Adds `amount` (0 or more) to the series with these label values (in declaration order).
    public func increment(_ labelValues: [String] = [], by amount: Double = 1) {
        precondition(amount >= 0, "Counters only go up")
        registry.update(index, labelValues) { series, _ in series.value += amount }
    }
}

/// A declared gauge; `open.set(12)`.
public struct Gauge: Sendable {
    fileprivate let registry: MetricsRegistry
    fileprivate let index: Int

    /// Sets the series with these label values to `value`.
    public func set(_ value: Double, _ labelValues: [String] = []) {
        registry.update(index, labelValues) { series, _ in series.value = value }
    }

    /// Adds `amount` (may be negative) to the series with these label values.
    public func add(_ amount: Double, _ labelValues: [String] = []) {
        registry.update(index, labelValues) { series, _ in series.value += amount }
    }
}

/// A declared histogram; `latency.observe(0.012, ["/v1/push"])`.
public struct Histogram: Sendable {
    fileprivate let registry: MetricsRegistry
    fileprivate let index: Int

    /// Counts one observation of `value` in the series with these label values.
    public func observe(_ value: Double, _ labelValues: [String] = []) {
        registry.update(index, labelValues) { series, buckets in
            if let bucket = buckets.firstIndex(where: { value <= $0 }) { series.bucketCounts[bucket] += 1 }
            series.count += 1
            series.value += value
        }
    }
}
