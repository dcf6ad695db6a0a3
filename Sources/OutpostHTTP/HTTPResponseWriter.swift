/// Serializes responses: status line, headers, framing, body. Complete bodies become one
/// byte array the event loop sends; streamed bodies are written by the worker as produced.
enum HTTPResponseWriter {
    enum Framing {
        case contentLength(Int)
        case chunked
        /// Body delimited by closing the connection (streams to HTTP/1.0 clients).
        case untilClose
        /// No body allowed (1xx, 204, 304).
        case none
    }

    /// How a response goes out.
    enum Plan {
        /// The whole response, serialized; the connection stays open afterwards if `keepAlive`.
        case bytes([UInt8], keepAlive: Bool)
        /// A head followed by a body the producer writes while sending.
        case stream(head: [UInt8], producer: @Sendable (HTTPBodyWriter) throws -> Void, chunked: Bool, keepAlive: Bool)
    }

    /// Decides framing and serializes what can be serialized up front for a request with
    /// `version`/`method`. `keepAlive` in the plan may be false even if asked (close-delimited bodies).
    static func plan(
        _ response: HTTPResponse, requestVersion: HTTPVersion, requestMethod: HTTPMethod, keepAlive: Bool
    ) -> Plan {
        let sendsBody = requestMethod != .head && response.status.allowsBody
        switch response.body {
        case .bytes(let bytes):
            let framing: Framing = response.status.allowsBody ? .contentLength(bytes.count) : .none
            var out = head(response, framing: framing, keepAlive: keepAlive, requestVersion: requestVersion)
            if sendsBody { out.append(contentsOf: bytes) }
            return .bytes(out, keepAlive: keepAlive)

        case .deferred:
            // Resolved before planning (EventLoop.serve); an unresolved one is a programming error.
            preconditionFailure("a deferred response must be resolved before it is written")
        case .stream(let producer):
            guard response.status.allowsBody else {
                return .bytes(head(response, framing: .none, keepAlive: keepAlive, requestVersion: requestVersion), keepAlive: keepAlive)
            }
            let chunked = requestVersion == .http1_1
            let keepAlive = keepAlive && chunked
            let headBytes = head(response, framing: chunked ? .chunked : .untilClose, keepAlive: keepAlive, requestVersion: requestVersion)
            guard sendsBody else { return .bytes(headBytes, keepAlive: keepAlive) }
            return .stream(head: headBytes, producer: producer, chunked: chunked, keepAlive: keepAlive)
        }
    }

    /// Runs `producer` and writes its output, framed, to `socket` (blocking the calling worker
    /// up to `timeout` whenever the client does not read). Memory stays bounded by the body
    /// writer's buffer. Returns whether the connection may be reused.
    static func writeStream(
        _ producer: @Sendable (HTTPBodyWriter) throws -> Void, headBytes: [UInt8], chunked: Bool, keepAlive: Bool,
        requestVersion: HTTPVersion, to socket: Socket, timeout: Duration
    ) throws(SocketIOError) -> Bool {
        var headSent = false
        var socketError: SocketIOError?
        let writer = HTTPBodyWriter { bytes in
            var out: [UInt8] = headSent ? [] : headBytes
            if chunked {
                out.append(contentsOf: Array(String(bytes.count, radix: 16).utf8))
                out.append(contentsOf: crlf)
                out.append(contentsOf: bytes)
                out.append(contentsOf: crlf)
            } else {
                out.append(contentsOf: bytes)
            }
            headSent = true
            do throws(SocketIOError) { try socket.sendAll(out, timeout: timeout) } catch {
                socketError = error
                throw error
            }
        }
        do {
            try producer(writer)
            try writer.flush()
        } catch {
            if let socketError { throw socketError }
            if !headSent {
                // Nothing sent yet: report a clean 500 instead.
                let failure = HTTPResponse(error: error)
                try socket.sendAll(head(failure, framing: .contentLength(failure.bytesBody.count), keepAlive: false,
                                        requestVersion: requestVersion) + failure.bytesBody, timeout: timeout)
            }
            return false // truncated body: the client must see the connection drop
        }
        if let socketError { throw socketError }
        var tail: [UInt8] = headSent ? [] : headBytes
        if chunked { tail.append(contentsOf: Array("0\r\n\r\n".utf8)) }
        if !tail.isEmpty { try socket.sendAll(tail, timeout: timeout) }
        return keepAlive
    }

    private static let crlf: [UInt8] = [0x0D, 0x0A]

    /// The status line and header section, with framing, `Connection` and `Date` set by us.
    static func head(_ response: HTTPResponse, framing: Framing, keepAlive: Bool, requestVersion: HTTPVersion) -> [UInt8] {
        var text = "HTTP/1.1 \(response.status.code) \(sanitize(response.status.reasonPhrase))\r\n"
        var hasDate = false
        for field in response.headers {
            if HTTPHeaders.namesEqual(field.name, "Content-Length") || HTTPHeaders.namesEqual(field.name, "Transfer-Encoding")
                || HTTPHeaders.namesEqual(field.name, "Connection") { continue }
            guard !field.name.isEmpty, field.name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) else { continue }
            if HTTPHeaders.namesEqual(field.name, "Date") { hasDate = true }
            text += "\(field.name): \(sanitize(field.value))\r\n"
        }
        if !hasDate { text += "Date: \(HTTPDate.now())\r\n" }
        switch framing {
        case .contentLength(let length): text += "Content-Length: \(length)\r\n"
        case .chunked: text += "Transfer-Encoding: chunked\r\n"
        case .untilClose, .none: break
        }
        if !keepAlive {
            text += "Connection: close\r\n"
        } else if requestVersion == .http1_0 {
            text += "Connection: keep-alive\r\n"
        }
        text += "\r\n"
        return Array(text.utf8)
    }

    /// Replaces CR, LF and NUL so a header value cannot split the response.
    private static func sanitize(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else { return value }
        return String(value.map { $0 == "\r" || $0 == "\n" || $0 == "\0" || $0 == "\r\n" ? " " : $0 })
    }
}

extension HTTPResponse {
    /// The body bytes when the body is `.bytes`, else empty.
    var bytesBody: [UInt8] {
        if case .bytes(let bytes) = body { return bytes }
        return []
    }
}
