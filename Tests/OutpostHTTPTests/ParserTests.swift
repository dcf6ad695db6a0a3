import Testing
@testable import OutpostHTTP

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

private func parseAll(_ text: String, limits: HTTPRequestParser.Limits = .init()) throws -> [HTTPRequest] {
    var parser = HTTPRequestParser(limits: limits)
    parser.append(bytes(text))
    var requests: [HTTPRequest] = []
    while let request = try parser.nextRequest() { requests.append(request) }
    return requests
}

private func parseError(_ text: String, limits: HTTPRequestParser.Limits = .init()) -> HTTPParseError? {
    do {
        _ = try parseAll(text, limits: limits)
        return nil
    } catch let error as HTTPParseError {
        return error
    } catch {
        return nil
    }
}

@Suite("HTTPRequestParser")
struct ParserTests {
    static let pipelined =
        "POST /v1/records/a%20b?x=1&y=two+words&x=2 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nX-A:  padded \t\r\n\r\nhello"
        + "GET /second HTTP/1.1\r\nHost: h\r\n\r\n"

    @Test func requestLineHeadersAndBodyAreParsedWithDecodedPathAndQuery() throws {
        let requests = try parseAll(Self.pipelined)
        #expect(requests.count == 2)
        let first = requests[0]
        #expect(first.method == .post)
        #expect(first.target == "/v1/records/a%20b?x=1&y=two+words&x=2")
        #expect(first.rawPath == "/v1/records/a%20b")
        #expect(first.path == "/v1/records/a b")
        #expect(first.query == ["x": "1", "y": "two words"])
        #expect(first.queryItems.map(\.value) == ["1", "two words", "2"])
        #expect(first.rawQuery == "x=1&y=two+words&x=2")
        #expect(first.headers["x-a"] == "padded")
        #expect(first.bodyText == "hello")
        #expect(first.version == .http1_1)
        #expect(requests[1].path == "/second")
        #expect(requests[1].body.isEmpty)
    }

    @Test func feedingOneByteAtATimeYieldsTheSameRequests() throws {
        var parser = HTTPRequestParser()
        var requests: [HTTPRequest] = []
        for byte in bytes(Self.pipelined) {
            parser.append([byte])
            while let request = try parser.nextRequest() { requests.append(request) }
        }
        #expect(requests.map(\.path) == ["/v1/records/a b", "/second"])
        #expect(requests[0].bodyText == "hello")
        #expect(parser.isIdle)
    }

    @Test func splittingTheInputAtEveryOffsetYieldsTheSameRequests() throws {
        let all = bytes(Self.pipelined)
        for split in 0...all.count {
            var parser = HTTPRequestParser()
            var requests: [HTTPRequest] = []
            parser.append(all[0..<split])
            while let request = try parser.nextRequest() { requests.append(request) }
            parser.append(all[split...])
            while let request = try parser.nextRequest() { requests.append(request) }
            #expect(requests.map(\.path) == ["/v1/records/a b", "/second"], "split at \(split)")
            #expect(requests.first?.bodyText == "hello", "split at \(split)")
        }
    }

    @Test func headEventPrecedesTheBodyAndReportsExpectContinue() throws {
        var parser = HTTPRequestParser()
        parser.append(bytes("PUT /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"))
        guard case .head(let head)? = try parser.next() else { Issue.record("expected head"); return }
        #expect(head.expectsContinue)
        #expect(head.contentLength == 3)
        #expect(try parser.next() == nil)
        #expect(!parser.hasCompleteBody)
        parser.append(bytes("abc"))
        guard case .request(let request)? = try parser.next() else { Issue.record("expected request"); return }
        #expect(request.bodyText == "abc")
    }

    @Test func leadingEmptyLinesBeforeTheRequestLineAreIgnored() throws {
        #expect(try parseAll("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n").count == 1)
    }

    @Test func headerSectionLargerThanTheLimitIsRejectedWith431EvenBeforeItEnds() {
        let limits = HTTPRequestParser.Limits(maxHeaderBytes: 100)
        let big = "GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "a", count: 200)
        #expect(parseError(big, limits: limits) == .headerSectionTooLarge(limit: 100))
        #expect(parseError(big + "\r\n\r\n", limits: limits)?.status == .requestHeaderFieldsTooLarge)
        #expect(parseError("GET / HTTP/1.1\r\nHost: h\r\n\r\n", limits: limits) == nil)
    }

    @Test func bodyLargerThanTheLimitIsRejectedWith413AtTheHeadBeforeAnyBodyArrives() {
        let limits = HTTPRequestParser.Limits(maxBodyBytes: 10)
        let error = parseError("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", limits: limits)
        #expect(error == .bodyTooLarge(length: 11, limit: 10))
        #expect(error?.status == .contentTooLarge)
    }

    @Test func conflictingOrMalformedContentLengthIsRejectedWith400() {
        for value in ["5, 6", "abc", "-1", "+5", "", "1 2", "99999999999999999999"] {
            let text = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: \(value)\r\n\r\n"
            #expect(parseError(text) == .invalidContentLength, "Content-Length: \(value)")
        }
        #expect(parseError("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab") == .invalidContentLength)
    }

    @Test func repeatedIdenticalContentLengthValuesAreAccepted() throws {
        let requests = try parseAll("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nab")
        #expect(requests.first?.bodyText == "ab")
    }

    @Test func transferEncodingInRequestsIsRejectedWith501() {
        let error = parseError("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")
        #expect(error == .transferEncodingNotSupported)
        #expect(error?.status == .notImplemented)
    }

    @Test func obsoleteLineFoldingIsRejected() {
        #expect(parseError("GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n two\r\n\r\n") == .obsoleteLineFolding)
    }

    @Test func invalidHeaderNamesAndValuesAreRejected() {
        #expect(parseError("GET / HTTP/1.1\r\nHost: h\r\nX-A : v\r\n\r\n") == .invalidHeader)
        #expect(parseError("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n") == .invalidHeader)
        #expect(parseError("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\u{0}b\r\n\r\n") == .invalidHeader)
        #expect(parseError("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\nB: c\r\n\r\n") == .invalidHeader)
    }

    @Test func malformedRequestLinesAreRejectedWith400() {
        for line in ["GARBAGE", "GET /", "GET  / HTTP/1.1", "GET / HTTP/1.1 extra", "G(T / HTTP/1.1", "GET noslash HTTP/1.1", "GET / HTTQ/1.1"] {
            let error = parseError(line + "\r\nHost: h\r\n\r\n")
            #expect(error != nil, "\(line)")
            #expect(error?.status == .badRequest, "\(line)")
        }
        #expect(parseError("GET /a%zz HTTP/1.1\r\nHost: h\r\n\r\n") == .invalidTarget)
    }

    @Test func versionsOtherThan1_0And1_1AreRejectedWith505() {
        #expect(parseError("GET / HTTP/2.0\r\nHost: h\r\n\r\n")?.status == .httpVersionNotSupported)
    }

    @Test func http1_1RequiresExactlyOneHostButHttp1_0DoesNot() throws {
        #expect(parseError("GET / HTTP/1.1\r\n\r\n") == .invalidHost)
        #expect(parseError("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") == .invalidHost)
        #expect(try parseAll("GET / HTTP/1.0\r\n\r\n").first?.version == .http1_0)
    }

    @Test func expectationsOtherThan100ContinueAreRejectedWith417() {
        #expect(parseError("GET / HTTP/1.1\r\nHost: h\r\nExpect: teapot\r\n\r\n")?.status == .expectationFailed)
    }

    @Test func keepAliveIsTheDefaultFor1_1AndOptInFor1_0() throws {
        #expect(try parseAll("GET / HTTP/1.1\r\nHost: h\r\n\r\n")[0].wantsKeepAlive)
        #expect(try !parseAll("GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n")[0].wantsKeepAlive)
        #expect(try !parseAll("GET / HTTP/1.0\r\n\r\n")[0].wantsKeepAlive)
        #expect(try parseAll("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")[0].wantsKeepAlive)
    }

    @Test func absoluteFormTargetsAreReducedToTheirPath() throws {
        let request = try parseAll("GET http://example.com/a/b?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")[0]
        #expect(request.path == "/a/b")
        #expect(request.query["q"] == "1")
    }

    @Test(arguments: [
        "GET / HTTP/1.1\nHost: x\n\n",              // bare LF everywhere
        "GET / HTTP/1.1\nHost: x\r\n\r\n",          // bare LF after the request line
        "GET / HTTP/1.1\r\nHost: x\n\r\n",          // bare LF after a header
        "GET / HTTP/1.1\r\nHost: x\r\n\n",          // bare LF as the empty line
        "\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",      // bare LF as a leading empty line
    ])
    func bareLFLineEndingsAreRejectedWith400(_ text: String) {
        let error = parseError(text)
        #expect(error == .invalidRequestLine || error == .invalidHeader, "\(text.debugDescription) → \(String(describing: error))")
        #expect(error?.status == .badRequest)
        #expect(error?.errorCode == "bad_request")
    }

    @Test func bareLFIsRejectedAsSoonAsItArrivesWithoutWaitingForTheEndOfTheHead() {
        // Without the CRLF CRLF terminator the old scanner waited for more bytes forever.
        var parser = HTTPRequestParser()
        parser.append(bytes("GET / HTTP/1.1\nHost: x\n"))
        #expect(throws: HTTPParseError.invalidRequestLine) { try parser.next() }
        var byteWise = HTTPRequestParser()
        var thrown: HTTPParseError?
        for byte in bytes("GET / HTTP/1.1\r\nHost: x\nX: y") where thrown == nil {
            byteWise.append([byte])
            do { _ = try byteWise.next() } catch { thrown = error }
        }
        #expect(thrown == .invalidHeader)
    }

    @Test func bareLFInsideTheBodyIsJustData() throws {
        let request = try parseAll("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\na\nb")[0]
        #expect(request.bodyText == "a\nb")
    }
}
