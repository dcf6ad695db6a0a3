import Foundation
import OutpostJSON
import OutpostModel
import OutpostServer

#if canImport(Glibc)
import Glibc
#endif

// Load mode: N devices, each on its own thread and its own keep-alive connection, push a few
// edits then pull, over and over for T seconds, against an in-process server on loopback.
// Devices speak raw HTTP/1.1 over blocking sockets so a thousand of them do not need a thousand
// URLSessions; the requests are the ones SyncAPI sends (same paths, headers and bodies).

/// A blocking HTTP/1.1 keep-alive connection to 127.0.0.1:`port`.
final class LoopbackConnection {
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw BenchError("connect() failed: errno \(errno)")
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(fd) }

    /// Sends a request and reads the whole response (Content-Length or chunked).
    func send(method: String, target: String, headers: [String: String], body: [UInt8] = []) throws -> (status: Int, body: [UInt8]) {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try writeAll(Array(head.utf8) + body)
        let headerEnd = try readUntil([13, 10, 13, 10])
        let headerText = String(decoding: buffer[..<headerEnd], as: UTF8.self)
        buffer.removeFirst(headerEnd + 4)
        let lines = headerText.split(separator: "\r\n")
        guard let statusLine = lines.first, statusLine.split(separator: " ").count >= 2,
            let status = Int(statusLine.split(separator: " ")[1])
        else { throw BenchError("bad status line") }
        var length: Int?
        var chunked = false
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-length" { length = Int(value) }
            if name == "transfer-encoding", value.lowercased().contains("chunked") { chunked = true }
        }
        var responseBody: [UInt8] = []
        if chunked {
            while true {
                let lineEnd = try readUntil([13, 10])
                let sizeText = String(decoding: buffer[..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
                buffer.removeFirst(lineEnd + 2)
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { throw BenchError("bad chunk") }
                try fill(size + 2)
                responseBody += buffer[..<size]
                buffer.removeFirst(size + 2)
                if size == 0 { break }
            }
        } else {
            let count = length ?? 0
            try fill(count)
            responseBody = Array(buffer[..<count])
            buffer.removeFirst(count)
        }
        return (status, responseBody)
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw BenchError("send() failed: errno \(errno)") }
            offset += written
        }
    }

    private func readMore() throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { throw BenchError(count == 0 ? "connection closed by the server" : "recv() failed: errno \(errno)") }
        buffer += chunk[..<count]
    }

    private func fill(_ count: Int) throws {
        while buffer.count < count { try readMore() }
    }

    private func readUntil(_ marker: [UInt8]) throws -> Int {
        var searchFrom = 0
        while true {
            if buffer.count >= marker.count {
                var index = searchFrom
                while index + marker.count <= buffer.count {
                    if buffer[index] == marker[0] && Array(buffer[index..<index + marker.count]) == marker { return index }
                    index += 1
                }
                searchFrom = max(0, buffer.count - marker.count + 1)
            }
            try readMore()
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Latencies (ms) and counts gathered by the device threads.
final class LoadStats: @unchecked Sendable {
    private let lock = NSLock()
    var push: [Double] = []
    var pull: [Double] = []
    var errors: [String] = []
    var roundsPerDevice: [Int] = []

    func record(push: [Double], pull: [Double], errors: [String], rounds: Int) {
        lock.withLock {
            self.push += push
            self.pull += pull
            self.errors += errors
            roundsPerDevice.append(rounds)
        }
    }
}

func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
}

func nowMillis() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e6 }

/// Runs `devices` device threads for `seconds` and prints throughput, p50/p99 and errors.
/// `pushGroupSize` 1 commits every push on its own (no group commit), for comparison.
func runLoad(devices: Int, seconds: Double, editsPerRound: Int, idleConnections: Int, pushGroupSize: Int, directory: URL) throws {
    let database = try ServerDatabase(path: directory.appendingPathComponent("load.db").path, pushGroupSize: pushGroupSize)
    // One user per branch, ten devices per branch: a device pulls its branch's changes.
    var tokens: [String] = []
    var branches: [String] = []
    for group in 0..<max(1, (devices + 9) / 10) {
        let branch = "B\(group)"
        branches.append(branch)
        tokens.append(try database.addUser(name: "load\(group)", role: .manager, branch: branch))
    }
    let server = SyncServer(database: database, port: 0)
    try server.start()
    defer { server.shutdown() }
    let port = server.port
    say("load: \(devices) devices for \(Int(seconds)) s, \(editsPerRound) edits per push, then a pull; in-process server on 127.0.0.1:\(port); up to \(pushGroupSize) pushes per commit")

    // /health with idle connections held open.
    if idleConnections > 0 {
        var idle: [LoopbackConnection] = []
        for _ in 0..<idleConnections { idle.append(try LoopbackConnection(port: port)) }
        let probe = try LoopbackConnection(port: port)
        var latencies: [Double] = []
        var failures = 0
        for _ in 0..<200 {
            let start = nowMillis()
            let status = (try? probe.send(method: "GET", target: "/health", headers: [:]).status) ?? 0
            latencies.append(nowMillis() - start)
            if status != 200 { failures += 1 }
        }
        latencies.sort()
        say(String(format: "/health with %d idle connections open: p50 %.2f ms  p99 %.2f ms  max %.2f ms  (%d failures)",
                   idleConnections, percentile(latencies, 0.5), percentile(latencies, 0.99), latencies.last ?? .nan, failures))
        withExtendedLifetime(idle) {}
    }

    let stats = LoadStats()
    let group = DispatchGroup()
    let start = Date()
    let deadline = start.addingTimeInterval(seconds)
    for device in 0..<devices {
        group.enter()
        let token = tokens[device / 10], branch = branches[device / 10]
        let thread = Thread {
            defer { group.leave() }
            var push: [Double] = [], pull: [Double] = [], errors: [String] = []
            var rounds = 0
            let node = NodeID.random()
            var clock = HybridClock()
            var lastBatch: BatchID?
            var cursor: String?
            let headers = ["Authorization": "Bearer \(token)", SyncProtocol.versionHeader: String(SyncProtocol.currentVersion),
                           "Accept": "application/json", "Content-Type": "application/json"]
            var ids: [RecordID] = (0..<editsPerRound).map { _ in RecordID.random() }
            var records: [RecordID: Record] = [:]
            do {
                let connection = try LoopbackConnection(port: port)
                while Date() < deadline {
                    // Push: new customers the first time, then edits of them.
                    var batch: [Record] = []
                    for id in ids {
                        let stamp = clock.now(wallMillis: Int64(Date().timeIntervalSince1970 * 1000))
                        if var record = records[id] {
                            try record.write(["notes": .string("round \(rounds) of device \(device)")], node: node, at: stamp)
                            records[id] = record
                            batch.append(record)
                        } else {
                            let record = Record.create(id: id, type: .customer, branch: branch, fields: [
                                "code": .string("L-\(device)-\(id.rawValue.prefix(6))"), "name": .string("Load customer \(device)"),
                                "kind": "enterprise", "tier": "core",
                            ], node: node, at: stamp)
                            records[id] = record
                            batch.append(record)
                        }
                    }
                    let request = PushRequest(batch: .random(), node: node, after: lastBatch, records: batch)
                    var t0 = nowMillis()
                    let pushed = try connection.send(method: "POST", target: "/v1/push", headers: headers, body: request.canonicalJSON())
                    push.append(nowMillis() - t0)
                    if pushed.status == 200 { lastBatch = request.batch }
                    if pushed.status != 200 { errors.append("push \(pushed.status): \(String(decoding: pushed.body.prefix(200), as: UTF8.self))") }
                    // Pull until caught up.
                    var more = true
                    while more {
                        var target = "/v1/pull?limit=500"
                        if let cursor { target += "&cursor=" + (cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? cursor) }
                        t0 = nowMillis()
                        let pulled = try connection.send(method: "GET", target: target, headers: headers)
                        pull.append(nowMillis() - t0)
                        guard pulled.status == 200 else {
                            errors.append("pull \(pulled.status)")
                            break
                        }
                        let page = try ReceivedPullPage.decode(bytes: pulled.body)
                        cursor = page.cursor
                        more = page.hasMore
                    }
                    rounds += 1
                    if rounds % 4 == 0 { ids = (0..<editsPerRound).map { _ in RecordID.random() } }
                }
            } catch {
                errors.append("\(error)")
            }
            stats.record(push: push, pull: pull, errors: errors, rounds: rounds)
        }
        thread.stackSize = 256 * 1024
        thread.start()
    }
    group.wait()
    let elapsed = Date().timeIntervalSince(start)
    let push = stats.push.sorted(), pull = stats.pull.sorted()
    let rounds = stats.roundsPerDevice.sorted()
    say(String(format: "  rounds (push + pull) %d in %.1f s: %.0f rounds/s, %.0f pushed records/s",
               rounds.reduce(0, +), elapsed, Double(rounds.reduce(0, +)) / elapsed, Double(push.count * editsPerRound) / elapsed))
    say(String(format: "  push latency  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  (%d requests)",
               percentile(push, 0.5), percentile(push, 0.99), push.last ?? .nan, push.count))
    say(String(format: "  pull latency  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  (%d requests)",
               percentile(pull, 0.5), percentile(pull, 0.99), pull.last ?? .nan, pull.count))
    say("  rounds per device: min \(rounds.first ?? 0), median \(rounds.isEmpty ? 0 : rounds[rounds.count / 2]), max \(rounds.last ?? 0); devices starved (0 rounds): \(rounds.filter { $0 == 0 }.count)")
    say("  errors: \(stats.errors.count)")
    for error in Set(stats.errors).prefix(5) { say("    \(error)") }
}
