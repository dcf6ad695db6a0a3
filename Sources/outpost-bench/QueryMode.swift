import Foundation
import OutpostClient
import OutpostModel
import OutpostStore

// Page queries on the cli-scale replica: 50-row pages through the typed query API
// (Replica.fetch: SQL, read, decode into models) side by side with raw SQLite running the same
// indexed SELECT (read id and state, no decoding).

/// One page query, run through the typed API and as its SQL.
struct PageQuery {
    var label: String
    var query: RecordQuery<Customer>
    /// Runs to time (a scan is timed a few times only).
    var runs: Int? = nil
}

/// Times each query `runs` times (after one warm-up) and prints the medians and the 99th percentile.
func runPageQueries(replica: Replica, path: String, customers: Int, now: Int64, runs: Int = 200) throws {
    let owner = "sales-16"  // customers 16, 216, 416…: tiers core and potential
    let queries: [PageQuery] = [
        PageQuery(label: "first page, list order", query: Customer.query.limit(50)),
        PageQuery(label: "page 100 (offset 4,950), list order", query: Customer.query.page(99, size: 50)),
        PageQuery(label: "owner = \(owner)", query: Customer.query.owner(owner).limit(50)),
        PageQuery(label: "owner and tier core", query: Customer.query.owner(owner).tier(.core).limit(50)),
        PageQuery(label: "tier core, status active", query: Customer.query.tier(.core).status(.active).limit(50)),
        PageQuery(label: "name prefix \"customer number 12\"", query: Customer.query.namePrefix("Customer number 12").limit(50)),
        PageQuery(label: "name prefix \"华联商贸 1234\"", query: Customer.query.namePrefix("华联商贸 1234").limit(50)),
        PageQuery(label: "code C-4242", query: Customer.query.code("C-4242")),
        PageQuery(label: "due for a visit, most overdue first", query: Customer.query.filter(.dueBy(now)).sorted(by: .dueTime).limit(50)),
        PageQuery(label: "name contains \"联商\" (a scan)", query: Customer.query.nameContains("联商").limit(50), runs: 5),
    ]
    var configuration = Configuration()
    configuration.readonly = true
    configuration.cacheSizeKiB = 32_768  // as the replica's connection
    let raw = try DatabaseQueue(path: path, configuration: configuration)
    func measure(runs: Int, _ body: () throws -> Int) throws -> (median: Double, p99: Double, rows: Int) {
        var rows = try body()
        var times: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            rows = try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        times.sort()
        return (times[times.count / 2], times[min(times.count - 1, times.count * 99 / 100)], rows)
    }
    say("  50-row page queries over \(customers) customers (median and p99 of \(runs) runs; typed: Replica.fetch into Customer models; raw: the same SELECT in SQLite, rows read, not decoded):")
    for query in queries {
        let typed = try measure(runs: query.runs ?? runs) { try replica.fetch(query.query).count }
        let sql = query.query.sql
        let plain = try measure(runs: query.runs ?? runs) {
            try raw.read { db in
                var rows = 0
                try db.cachedStatement(sql: sql.text).forEachRow(arguments: sql.arguments) { row in
                    rows += row.withUnsafeBlob(at: 1) { $0.count > 0 ? 1 : 0 }
                }
                return rows
            }
        }
        say(String(format: "    %@ typed %7.2f ms (p99 %7.2f)   raw SQLite %7.2f ms (p99 %7.2f)   %d rows",
                   query.label.padding(toLength: 40, withPad: " ", startingAt: 0) as NSString, typed.median, typed.p99, plain.median, plain.p99, typed.rows))
    }
    func timeCount(runs: Int, _ body: () throws -> Int) throws -> (median: Double, rows: Int) {
        var rows = 0
        var times: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            rows = try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return (median(times), rows)
    }
    let counts: [(String, RecordQuery<Customer>)] = [
        ("count owner = \(owner)", Customer.query.owner(owner)), ("count tier = core", Customer.query.tier(.core)),
        ("count due for a visit", Customer.query.filter(.dueBy(now))), ("count name contains \"联商\"", Customer.query.nameContains("联商")),
    ]
    for (label, query) in counts {
        let timing = try timeCount(runs: 5) { try replica.count(query) }
        say(String(format: "    %@ %9.2f ms   = %d", label.padding(toLength: 40, withPad: " ", startingAt: 0) as NSString, timing.median, timing.rows))
    }
}
