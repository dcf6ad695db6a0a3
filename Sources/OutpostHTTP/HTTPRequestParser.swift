/// An incremental HTTP/1.1 request parser, independent of sockets.
///
/// Feed bytes as they arrive with `append(_:)` and call `next()` until it returns `nil`
/// (more bytes needed). Each request yields `.head` (so a server can answer
/// `100 Continue` or reject early) and then `.request` with the complete body.
/// Bytes after one request stay buffered for the next (pipelining).
/// After an error the parser must be discarded.
///
/// ```swift
/// var parser = HTTPRequestParser()
/// parser.append(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
/// while let request = try parser.nextRequest() { print(request.path) }
/// ```
///
/// Rules: CRLF line endings (a bare LF in the head is a 400 at once); leading empty lines are skipped; header names are tokens and
/// values are VCHAR/obs-text/SP/HTAB; obs-fold is rejected; `Transfer-Encoding` is rejected
/// (501); several `Content-Length` values must agree; HTTP/1.1 needs exactly one `Host`.
public struct HTTPRequestParser: Sendable {
    /// Size limits enforced while parsing.
    public struct Limits: Sendable, Hashable {
        /// Maximum bytes of request line plus headers, including the final CRLF CRLF.
        public var maxHeaderBytes: Int
        /// Maximum `Content-Length`; larger bodies are rejected before being read.
        public var maxBodyBytes: Int

        /// Creates limits; `HTTPRequestParser.Limits(maxHeaderBytes: 8192, maxBodyBytes: 1 << 20)`.
        public init(maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 32 * 1024 * 1024) {
            self.maxHeaderBytes = maxHeaderBytes
            self.maxBodyBytes = maxBodyBytes
        }
    }

    /// The parsed head of a request whose body may still be arriving.
    public struct Head: Sendable {
        /// The request with headers but an empty body.
        public var request: HTTPRequest
        /// The declared body length (0 when absent).
        public var contentLength: Int
        /// Whether the client sent `Expect: 100-continue`.
        public var expectsContinue: Bool
    }

    /// Something the parser produced.
    public enum Event: Sendable {
        /// A request head was parsed; the body (if any) follows.
        case head(Head)
        /// A complete request, body included.
        case request(HTTPRequest)
    }

    private enum State: Sendable {
        case head
        case headEmitted(Head)
        case body(Head)
    }

    /// The limits in force.
    public let limits: Limits
    private var buffer: [UInt8] = []
    private var start = 0
    private var scanFrom = 0
    private var state: State = .head

    /// Creates a parser; `HTTPRequestParser(limits: .init(maxHeaderBytes: 8192))`.
    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Buffers received bytes; `parser.append(received)`.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            scanFrom -= start
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The number of received bytes not yet consumed by a request.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Whether the parser is between requests with nothing buffered (an idle connection).
    public var isIdle: Bool {
        if case .head = state { return bufferedByteCount == 0 }
        return false
    }

    /// Whether the body of the current request is complete in the buffer (false between requests).
    public var hasCompleteBody: Bool {
        switch state {
        case .head: return false
        case .headEmitted(let head), .body(let head): return bufferedByteCount >= head.contentLength
        }
    }

    /// The next event, or `nil` when more bytes are needed.
    ///
    /// ```swift
    /// while let event = try parser.next() { ... }
    /// ```
    public mutating func next() throws(HTTPParseError) -> Event? {
        switch state {
        case .head:
            guard let head = try parseHead() else { return nil }
            state = .headEmitted(head)
            return .head(head)
        case .headEmitted(let head), .body(let head):
            guard bufferedByteCount >= head.contentLength else {
                state = .body(head)
                return nil
            }
            var request = head.request
            request.body = Array(buffer[start..<(start + head.contentLength)])
            start += head.contentLength
            scanFrom = start
            state = .head
            return .request(request)
        }
    }

    /// The next complete request, skipping `.head` events; `nil` when more bytes are needed.
    ///
    /// ```swift
    /// while let request = try parser.nextRequest() { handle(request) }
    /// ```
    public mutating func nextRequest() throws(HTTPParseError) -> HTTPRequest? {
        while let event = try next() {
            if case .request(let request) = event { return request }
        }
        return nil
    }

    // MARK: - Head parsing

    private static let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

    private mutating func parseHead() throws(HTTPParseError) -> Head? {
        // Skip empty lines before the request line (RFC 9112 §2.2).
        while bufferedByteCount >= 2 && buffer[start] == Self.cr && buffer[start + 1] == Self.lf {
            start += 2
        }
        if bufferedByteCount == 1 && buffer[start] == Self.cr { return nil }
        scanFrom = max(scanFrom, start)
        // Find CRLF CRLF, rejecting a bare LF (one not preceded by CR) as soon as it arrives:
        // otherwise a head with LF-only line endings would never end and only time out.
        var end: Int?
        var i = scanFrom
        while i < buffer.count {
            if buffer[i] == Self.lf {
                guard i > start, buffer[i - 1] == Self.cr else { throw bareLineFeedError(at: i) }
                if i - start >= 3 && buffer[i - 2] == Self.lf && buffer[i - 3] == Self.cr {
                    end = i - 3
                    break
                }
            }
            i += 1
        }
        guard let end else {
            scanFrom = buffer.count
            if bufferedByteCount > limits.maxHeaderBytes { throw .headerSectionTooLarge(limit: limits.maxHeaderBytes) }
            return nil
        }
        let headLength = end + 4 - start
        if headLength > limits.maxHeaderBytes { throw .headerSectionTooLarge(limit: limits.maxHeaderBytes) }
        let head = try Self.parseHeadBytes(buffer[start..<end], limits: limits)
        start = end + 4
        scanFrom = start
        return head
    }

    /// The error for a bare LF at `index`: in the request line, or in a header line after it.
    private func bareLineFeedError(at index: Int) -> HTTPParseError {
        var i = start
        while i + 1 < index {
            if buffer[i] == Self.cr && buffer[i + 1] == Self.lf { return .invalidHeader }
            i += 1
        }
        return .invalidRequestLine
    }

    private static func parseHeadBytes(_ bytes: ArraySlice<UInt8>, limits: Limits) throws(HTTPParseError) -> Head {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = bytes.startIndex
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let byte = bytes[i]
            if byte == cr {
                guard i + 1 < bytes.endIndex, bytes[i + 1] == lf else { throw lines.isEmpty ? .invalidRequestLine : .invalidHeader }
                lines.append(bytes[lineStart..<i])
                i += 2
                lineStart = i
            } else if byte == lf {
                throw lines.isEmpty ? .invalidRequestLine : .invalidHeader
            } else {
                i += 1
            }
        }
        lines.append(bytes[lineStart..<bytes.endIndex])

        let (method, target, version) = try parseRequestLine(lines[0])
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            headers.add(try parseHeaderLine(line))
        }

        if headers.contains("Transfer-Encoding") { throw .transferEncodingNotSupported }
        var contentLength = 0
        let lengths = headers.values(for: "Content-Length")
        if !lengths.isEmpty {
            var seen: Int?
            for value in lengths {
                for part in value.split(separator: ",", omittingEmptySubsequences: false) {
                    let trimmed = part.trimmingASCIIWhitespace()
                    guard !trimmed.isEmpty, trimmed.utf8.count <= 18, trimmed.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                          let number = Int(trimmed) else { throw .invalidContentLength }
                    if let seen, seen != number { throw .invalidContentLength }
                    seen = number
                }
            }
            contentLength = seen ?? 0
        }
        if contentLength > limits.maxBodyBytes { throw .bodyTooLarge(length: contentLength, limit: limits.maxBodyBytes) }

        let hosts = headers.values(for: "Host")
        if hosts.count > 1 || (version == .http1_1 && hosts.isEmpty) { throw .invalidHost }

        var expectsContinue = false
        if let expect = headers["Expect"] {
            guard expect.lowercased() == "100-continue" else { throw .unsupportedExpectation }
            expectsContinue = version == .http1_1
        }

        guard let request = HTTPRequest(strictMethod: method, target: target, headers: headers, version: version) else {
            throw .invalidTarget
        }
        return Head(request: request, contentLength: contentLength, expectsContinue: expectsContinue)
    }

    private static func parseRequestLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (HTTPMethod, String, HTTPVersion) {
        let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .invalidRequestLine }
        let methodBytes = parts[0], targetBytes = parts[1], versionBytes = parts[2]
        guard !methodBytes.isEmpty, methodBytes.allSatisfy(isTokenByte) else { throw .invalidMethod }
        guard !targetBytes.isEmpty, targetBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw .invalidTarget }
        let target = String(decoding: targetBytes, as: UTF8.self)
        guard target.hasPrefix("/") || target == "*" || target.lowercased().hasPrefix("http://")
            || target.lowercased().hasPrefix("https://") else { throw .invalidTarget }

        let v = Array(versionBytes)
        guard v.count == 8, v[0...4].elementsEqual("HTTP/".utf8), v[6] == UInt8(ascii: "."),
              let major = digit(v[5]), let minor = digit(v[7]) else { throw .invalidRequestLine }
        guard major == 1, minor <= 1 else { throw .unsupportedVersion(String(decoding: v, as: UTF8.self)) }
        let method = HTTPMethod(String(decoding: methodBytes, as: UTF8.self))
        return (method, target, HTTPVersion(major: major, minor: minor))
    }

    private static func parseHeaderLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPHeaders.Field {
        guard let first = line.first else { throw .invalidHeader }
        if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { throw .obsoleteLineFolding }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw .invalidHeader }
        let name = line[line.startIndex..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenByte) else { throw .invalidHeader }
        var value = line[(colon + 1)...]
        while let b = value.first, b == 0x20 || b == 0x09 { value = value.dropFirst() }
        while let b = value.last, b == 0x20 || b == 0x09 { value = value.dropLast() }
        guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else { throw .invalidHeader }
        return HTTPHeaders.Field(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
    }

    private static func digit(_ byte: UInt8) -> Int? {
        (byte >= 0x30 && byte <= 0x39) ? Int(byte - 0x30) : nil
    }

    /// tchar per RFC 9110 §5.6.2.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

extension HTTPHeaders {
    mutating func add(_ field: Field) { add(name: field.name, value: field.value) }
}
