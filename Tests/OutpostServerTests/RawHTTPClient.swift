import OutpostJSON
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tiny blocking HTTP/1.1 client over a POSIX socket to 127.0.0.1, for checking wire framing.
/// Sends one request (with `Connection: close`) and reads until the server closes.
struct RawHTTPClient {
    struct Response {
        var status: Int
        /// Lowercased header names.
        var headers: [String: String]
        /// The body with chunked framing removed.
        var body: [UInt8]
        /// The body bytes as they arrived.
        var rawBody: [UInt8]
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let port: Int

    func send(method: String, target: String, headers: [String: String] = [:], body: [UInt8] = [],
              declaredLength: Int? = nil) throws -> Response {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(declaredLength ?? body.count)\r\n\r\n"
        let bytes = try exchange(Array(head.utf8) + body)
        return try Self.parse(bytes)
    }

    func exchange(_ request: [UInt8]) throws -> [UInt8] {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw Failure(description: "socket failed: \(errno)") }
        defer { close(fd) }
        // A safety net so a broken server fails the test instead of hanging it (not a timing assertion).
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect failed: \(errno)") }
        var sent = 0
        while sent < request.count {
            let count = request[sent...].withUnsafeBytes { socketSend(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { break }  // The server may close early (e.g. 413); read what it answered.
            sent += count
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += buffer[0..<count]
            } else if count == 0 || !received.isEmpty {
                break
            } else {
                throw Failure(description: "recv failed: \(errno)")
            }
        }
        return received
    }

    static func parse(_ bytes: [UInt8]) throws -> Response {
        let separator = Array("\r\n\r\n".utf8)
        guard let end = firstIndex(of: separator, in: bytes, from: 0) else { throw Failure(description: "no header end") }
        let headText = String(decoding: bytes[0..<end], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure(description: "bad status line") }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let rawBody = Array(bytes[(end + 4)...])
        var body = rawBody
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            body = try dechunk(rawBody)
        } else if let length = headers["content-length"].flatMap(Int.init) {
            guard rawBody.count >= length else { throw Failure(description: "short body") }
            body = Array(rawBody[0..<length])
        }
        return Response(status: status, headers: headers, body: body, rawBody: rawBody)
    }

    static func dechunk(_ bytes: [UInt8]) throws -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        let crlf = Array("\r\n".utf8)
        while true {
            guard let lineEnd = firstIndex(of: crlf, in: bytes, from: index) else { throw Failure(description: "chunk size line") }
            let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";")[0]
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw Failure(description: "chunk size '\(sizeText)'")
            }
            index = lineEnd + 2
            if size == 0 { return out }
            guard index + size + 2 <= bytes.count else { throw Failure(description: "short chunk") }
            out += bytes[index..<index + size]
            index += size + 2
        }
    }

    static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0] && Array(haystack[index..<index + needle.count]) == needle { return index }
            index += 1
        }
        return nil
    }
}

#if canImport(Glibc)
private let socketSend = Glibc.send
#else
private let socketSend = Darwin.send
#endif
