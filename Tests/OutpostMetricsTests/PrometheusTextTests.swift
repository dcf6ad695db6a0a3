import Testing
import OutpostMetrics

@Suite("Prometheus text exposition")
struct PrometheusTextTests {
    @Test func labelValuesEscapeBackslashQuoteAndLineFeedOnly() {
        #expect(PrometheusText.escapeLabelValue(#"C:\dir"#) == #"C:\\dir"#)
        #expect(PrometheusText.escapeLabelValue(#"say "hi""#) == #"say \"hi\""#)
        #expect(PrometheusText.escapeLabelValue("two\nlines") == #"two\nlines"#)
        #expect(PrometheusText.escapeLabelValue("tab\tand 汉字 stay") == "tab\tand 汉字 stay")
        #expect(PrometheusText.labelSet([("route", "/v1/users/:name/state"), ("odd", "a\"b\\c\n")])
            == #"{route="/v1/users/:name/state",odd="a\"b\\c\n"}"#)
    }

    @Test func helpTextEscapesBackslashAndLineFeedButNotQuotes() {
        #expect(PrometheusText.escapeHelp("a \"quoted\" \\ path\nnext") == #"a "quoted" \\ path\nnext"#)
    }

    @Test func valuesAreGoStyleFloats() {
        #expect(PrometheusText.format(3) == "3")
        #expect(PrometheusText.format(0.25) == "0.25")
        #expect(PrometheusText.format(-2) == "-2")
        #expect(PrometheusText.format(.infinity) == "+Inf")
        #expect(PrometheusText.format(-.infinity) == "-Inf")
        #expect(PrometheusText.format(.nan) == "NaN")
        #expect(Double(PrometheusText.format(0.000_080_38)) == 0.000_080_38)
    }

    @Test func namesFollowTheGrammar() {
        #expect(PrometheusText.isValidMetricName("outpost_http_requests_total"))
        #expect(PrometheusText.isValidMetricName("ns:rule_total"))
        #expect(!PrometheusText.isValidMetricName("9lives"))
        #expect(!PrometheusText.isValidMetricName("with-dash"))
        #expect(!PrometheusText.isValidMetricName(""))
        #expect(PrometheusText.isValidLabelName("route"))
        #expect(!PrometheusText.isValidLabelName("ns:route"))
        #expect(!PrometheusText.isValidLabelName("__reserved"))
    }

    @Test func familiesStartWithHelpAndTypeAndSeriesAreSorted() {
        let registry = MetricsRegistry()
        let requests = registry.counter("app_requests_total", help: "Requests.\nBy route.", labels: ["route", "status"])
        let idle = registry.counter("app_idle_total", help: "Never incremented.")
        _ = idle
        requests.increment(["/b", "200"])
        requests.increment(["/a", "404"], by: 2)
        requests.increment(["/b", "200"])
        #expect(registry.exposition() == """
            # HELP app_requests_total Requests.\\nBy route.
            # TYPE app_requests_total counter
            app_requests_total{route="/a",status="404"} 2
            app_requests_total{route="/b",status="200"} 2
            # HELP app_idle_total Never incremented.
            # TYPE app_idle_total counter
            app_idle_total 0

            """)
    }

    @Test func histogramBucketsAreCumulativeAndEndWithInfEqualToCount() {
        let registry = MetricsRegistry()
        let latency = registry.histogram("app_seconds", help: "Latency.", labels: ["route"], buckets: [0.1, 1])
        for value in [0.05, 0.1, 0.5, 3] { latency.observe(value, ["/x"]) }
        #expect(registry.exposition() == """
            # HELP app_seconds Latency.
            # TYPE app_seconds histogram
            app_seconds_bucket{route="/x",le="0.1"} 2
            app_seconds_bucket{route="/x",le="1"} 3
            app_seconds_bucket{route="/x",le="+Inf"} 4
            app_seconds_sum{route="/x"} 3.65
            app_seconds_count{route="/x"} 4

            """)
    }

    @Test func collectedFamiliesFollowDeclaredOnesAndGaugesGoBothWays() {
        let registry = MetricsRegistry()
        let gauge = registry.gauge("app_open", help: "Open.")
        gauge.add(3)
        gauge.add(-1)
        registry.collect { [MetricFamily(name: "app_size_bytes", help: "Size.", type: .gauge, samples: [.init(labels: [], value: 4096)])] }
        #expect(registry.exposition().hasSuffix("app_open 2\n# HELP app_size_bytes Size.\n# TYPE app_size_bytes gauge\napp_size_bytes 4096\n"))
    }

    @Test func concurrentIncrementsAreAllCounted() async {
        let registry = MetricsRegistry()
        let counter = registry.counter("app_total", help: "Total.", labels: ["worker"])
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask { for _ in 0..<1000 { counter.increment([String(worker % 2)]) } }
            }
        }
        #expect(registry.exposition().contains("app_total{worker=\"0\"} 4000\napp_total{worker=\"1\"} 4000\n"))
    }
}
