#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@testable import OutpostHTTP

struct TestClientError: Error, CustomStringConvertible {
    var description: String
}

/// A response as read off the wire by `TestClient`.
struct ClientResponse {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]
    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// A tiny blocking HTTP/1.1 client over a raw loopback socket, for server tests.
/// Reads have a generous safety timeout (SO_RCVTIMEO) so a broken server fails the test
/// instead of hanging it; tests never rely on that timeout for synchronisation.
final class TestClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestClientError(description: "socket failed: \(errno)") }
        let rc = TestClient.connect(fd, port: port)
        guard rc == 0 else {
            close(fd)
            throw TestClientError(description: "connect failed: errno \(rc)")
        }
        var tv = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        self.fd = fd
    }

    deinit { close(fd) }

    /// Connects `fd` to 127.0.0.1:`port`; returns 0 or the errno.
    static func connect(_ fd: Int32, port: Int) -> Int32 {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return rc == 0 ? 0 : errno
    }

    /// The errno of a fresh connection attempt to `port` (0 when it connected).
    static func connectionError(port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        return connect(fd, port: port)
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw TestClientError(description: "send failed: errno \(errno)") }
            offset += n
        }
    }

    /// Reads more bytes into the buffer; false at EOF.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 {
            throw TestClientError(description: "recv failed: errno \(errno)")
        }
        if n == 0 { return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    private func readLine() throws -> String {
        var searched = 0
        while true {
            var i = max(0, searched - 1)
            while i + 1 < buffer.count {
                if buffer[i] == 13 && buffer[i + 1] == 10 {
                    let line = String(decoding: buffer[0..<i], as: UTF8.self)
                    buffer.removeFirst(i + 2)
                    return line
                }
                i += 1
            }
            searched = buffer.count
            guard try fill() else { throw TestClientError(description: "EOF while reading a line") }
        }
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        while buffer.count < count {
            guard try fill() else { throw TestClientError(description: "EOF with \(buffer.count)/\(count) body bytes") }
        }
        let bytes = Array(buffer[0..<count])
        buffer.removeFirst(count)
        return bytes
    }

    /// Reads one response (an interim `100 Continue` is returned as its own response).
    func readResponse(forHEAD: Bool = false) throws -> ClientResponse {
        let statusLine = try readLine()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw TestClientError(description: "bad status line: \(statusLine)")
        }
        var headers = HTTPHeaders()
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { throw TestClientError(description: "bad header: \(line)") }
            headers.add(name: String(line[..<colon]), value: String(line[line.index(after: colon)...].trimmingASCIIWhitespace()))
        }
        if status < 200 || status == 204 || status == 304 || forHEAD {
            return ClientResponse(status: status, headers: headers, body: [])
        }
        var body: [UInt8] = []
        if headers.tokens(for: "Transfer-Encoding").contains("chunked") {
            while true {
                let sizeLine = try readLine()
                guard let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16) else {
                    throw TestClientError(description: "bad chunk size: \(sizeLine)")
                }
                if size == 0 {
                    while try !readLine().isEmpty {}
                    break
                }
                body += try readExactly(size)
                guard try readLine().isEmpty else { throw TestClientError(description: "chunk not followed by CRLF") }
            }
        } else if let length = headers["Content-Length"].flatMap({ Int($0) }) {
            body = try readExactly(length)
        } else {
            body = try readToEOF()
        }
        return ClientResponse(status: status, headers: headers, body: body)
    }

    /// Reads until the server closes the connection; returns the bytes received meanwhile.
    func readToEOF() throws -> [UInt8] {
        while try fill() {}
        defer { buffer.removeAll() }
        return buffer
    }

    /// Sends a request with an optional body and reads the response.
    func request(_ method: String, _ target: String, headers: [String] = [], body: String? = nil) throws -> ClientResponse {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: localhost\r\n"
        for header in headers { text += header + "\r\n" }
        if let body { text += "Content-Length: \(body.utf8.count)\r\n" }
        text += "\r\n" + (body ?? "")
        try send(text)
        return try readResponse(forHEAD: method == "HEAD")
    }
}
