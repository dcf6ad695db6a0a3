/// The state of one accepted client connection.
///
/// The event loop owns a connection and drives it through its phases: reading (parsing
/// incrementally as bytes arrive), processing (a worker runs the responder), writing (the loop
/// flushes a serialized response without blocking) and lingering (after an error response,
/// unread request bytes are drained so the client sees the response instead of a reset).
final class HTTPConnection: @unchecked Sendable {
    // Safety: one thread at a time touches a connection. The event loop owns it, except in
    // phase `.processing`, when exactly one worker uses it (the loop does not touch it then:
    // it is not registered with the poller and has no deadline). The hand-over to the worker
    // goes through the worker pool's lock and the hand-back through the loop's completion-queue
    // lock, which order every access.

    enum Phase {
        case reading
        case processing
        case writing
        case lingering
    }

    /// What to do once `output` is flushed.
    enum AfterFlush {
        /// Keep receiving the current request (after `100 Continue`).
        case continueRequest
        /// The response is complete: wait for the next request on this keep-alive connection.
        case nextRequest
        /// Close the connection.
        case close
        /// Half-close, drain what the client still sends for a little while, then close.
        case linger
    }

    /// Unique for the server's lifetime (descriptor numbers are reused, ids are not).
    let id: UInt64
    let socket: Socket
    /// Whether the connection counts against `maxConnections` (rejected ones do not).
    let admitted: Bool
    var parser: HTTPRequestParser
    var phase: Phase = .reading
    /// What the poller currently watches the socket for.
    var interest: PollInterest = .none
    /// When the loop acts on the connection unless something happens first.
    var deadline: ContinuousClock.Instant?
    /// When the request being received must be complete (header or body deadline).
    var requestDeadline: ContinuousClock.Instant?
    /// When the connection, idle between requests, is closed.
    var idleDeadline: ContinuousClock.Instant
    var output: [UInt8] = []
    var outputOffset = 0
    var afterFlush: AfterFlush = .close
    var requestsServed = 0
    /// Body bytes of the current request counted against the server-wide body budget.
    var reservedBodyBytes = 0
    var lingeredBytes = 0
    /// Increases with each accept and each request dispatched; orders idle connections.
    var lastActivity: UInt64 = 0
    // Links in the loop's idle list (ordered by `lastActivity`, oldest first).
    var isListedIdle = false
    var idlePrevious: HTTPConnection?
    var idleNext: HTTPConnection?

    init(id: UInt64, socket: Socket, admitted: Bool, limits: HTTPRequestParser.Limits, idleDeadline: ContinuousClock.Instant) {
        self.id = id
        self.socket = socket
        self.admitted = admitted
        self.parser = HTTPRequestParser(limits: limits)
        self.idleDeadline = idleDeadline
    }

    /// Between requests with nothing received: may be closed to admit another connection.
    var isIdle: Bool { phase == .reading && parser.isIdle }
}

/// Connections idle between requests, oldest activity first, as an intrusive doubly-linked
/// list, so the loop finds the connection to close first in constant time.
struct IdleList {
    private(set) var first: HTTPConnection?
    private var last: HTTPConnection?
    private(set) var count = 0

    /// Inserts `connection` in `lastActivity` order (almost always at the end).
    mutating func insert(_ connection: HTTPConnection) {
        guard !connection.isListedIdle else { return }
        connection.isListedIdle = true
        count += 1
        var after = last
        while let candidate = after, candidate.lastActivity > connection.lastActivity { after = candidate.idlePrevious }
        connection.idlePrevious = after
        if let after {
            connection.idleNext = after.idleNext
            after.idleNext = connection
        } else {
            connection.idleNext = first
            first = connection
        }
        if let next = connection.idleNext { next.idlePrevious = connection } else { last = connection }
    }

    /// Removes `connection` if listed.
    mutating func remove(_ connection: HTTPConnection) {
        guard connection.isListedIdle else { return }
        connection.isListedIdle = false
        count -= 1
        if let previous = connection.idlePrevious { previous.idleNext = connection.idleNext } else { first = connection.idleNext }
        if let next = connection.idleNext { next.idlePrevious = connection.idlePrevious } else { last = connection.idlePrevious }
        connection.idlePrevious = nil
        connection.idleNext = nil
    }
}
