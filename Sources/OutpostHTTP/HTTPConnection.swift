/// Serves one accepted connection on the calling thread until it closes:
/// keep-alive, pipelining, `100 Continue`, timeouts and graceful-shutdown behaviour.
struct HTTPConnection {
    let socket: Socket
    let configuration: HTTPServer.Configuration
    let responder: any HTTPResponder
    /// Becomes readable when the server starts shutting down.
    let wakeFD: Int32
    let isStopping: @Sendable () -> Bool

    func run() {
        var parser = HTTPRequestParser(limits: configuration.parserLimits)
        var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
        var requestDeadline: ContinuousClock.Instant?
        while true {
            let event: HTTPRequestParser.Event?
            do {
                event = try parser.next()
            } catch {
                sendAndClose(error.makeResponse())
                return
            }
            switch event {
            case .head(let head):
                if head.expectsContinue && head.contentLength > 0 && !parser.hasCompleteBody {
                    do { try socket.sendAll(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) } catch { return }
                }
            case .request(let request):
                guard serve(request) else { return }
                requestDeadline = parser.isIdle ? nil : ContinuousClock.now.advanced(by: configuration.readTimeout)
            case nil:
                let idle = parser.isIdle
                if idle && isStopping() { return }
                let deadline = idle
                    ? ContinuousClock.now.advanced(by: configuration.idleTimeout)
                    : (requestDeadline ?? ContinuousClock.now.advanced(by: configuration.readTimeout))
                switch socket.waitReadable(until: deadline, wakeFD: idle ? wakeFD : nil) {
                case .woken:
                    return
                case .timedOut:
                    if !idle {
                        sendAndClose(HTTPError(.requestTimeout, code: "request_timeout",
                                               message: "The request was not received in time").makeResponse())
                    }
                    return
                case .readable:
                    let count = socket.receive(into: &readBuffer)
                    if count <= 0 { return }
                    if idle { requestDeadline = ContinuousClock.now.advanced(by: configuration.readTimeout) }
                    parser.append(readBuffer[0..<count])
                }
            }
        }
    }

    /// Responds to one request; returns whether the connection stays open.
    private func serve(_ request: HTTPRequest) -> Bool {
        let response = withDefaultHeaders(responder.respond(to: request))
        let keepAlive = request.wantsKeepAlive && !isStopping()
            && !response.headers.tokens(for: "Connection").contains("close")
        do {
            return try HTTPResponseWriter.write(
                response, requestVersion: request.version, requestMethod: request.method,
                keepAlive: keepAlive, to: socket
            )
        } catch {
            return false
        }
    }

    /// Sends an error response with `Connection: close` and closes gracefully.
    private func sendAndClose(_ response: HTTPResponse) {
        do {
            _ = try HTTPResponseWriter.write(withDefaultHeaders(response), requestVersion: .http1_1, requestMethod: .get, keepAlive: false, to: socket)
        } catch {
            return
        }
        socket.lingeringClose()
    }

    /// Adds the configured default headers the response does not set itself.
    private func withDefaultHeaders(_ response: HTTPResponse) -> HTTPResponse {
        guard !configuration.defaultHeaders.fields.isEmpty else { return response }
        var response = response
        for field in configuration.defaultHeaders where !response.headers.contains(field.name) {
            response.headers.add(name: field.name, value: field.value)
        }
        return response
    }
}
