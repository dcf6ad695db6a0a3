#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed socket write.
enum SocketIOError: Error {
    /// `send` failed with `errno`.
    case failed(errno: Int32)
    /// The peer did not accept more bytes within the write timeout.
    case timedOut
}

/// Helpers for one accepted, non-blocking client socket. The event loop uses the
/// non-blocking calls; a worker streaming a response body uses `sendAll`, which waits with
/// `poll` whenever the socket buffer is full.
struct Socket {
    let fd: Int32

    /// What a non-blocking call achieved.
    enum IOResult {
        /// `count` bytes were transferred (0 from `receive` means EOF).
        case done(Int)
        /// The call would block (`EAGAIN`).
        case wouldBlock
        /// The call failed with `errno`.
        case failed(Int32)
    }

    /// Reads available bytes into `buffer` without blocking.
    func receive(into buffer: inout [UInt8]) -> IOResult {
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n >= 0 { return .done(n) }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
            return .failed(code)
        }
    }

    /// Sends as much of `bytes[offset...]` as the socket takes without blocking; never raises SIGPIPE.
    func sendSome(_ bytes: [UInt8], from offset: Int) -> IOResult {
        while true {
            let n = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + offset, raw.count - offset, Socket.noSignal)
            }
            if n >= 0 { return .done(n) }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
            return .failed(code)
        }
    }

    /// Sends all of `bytes`, waiting up to `timeout` for the peer each time the socket
    /// buffer is full. Used on worker threads only (it blocks).
    func sendAll(_ bytes: [UInt8], timeout: Duration) throws(SocketIOError) {
        var offset = 0
        while offset < bytes.count {
            switch sendSome(bytes, from: offset) {
            case .done(let n):
                offset += n
            case .failed(let code):
                throw .failed(errno: code)
            case .wouldBlock:
                try waitWritable(timeout: timeout)
            }
        }
    }

    /// Waits until the socket is writable (or failed, which the next `send` reports).
    private func waitWritable(timeout: Duration) throws(SocketIOError) {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero { throw .timedOut }
            var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let rc = poll(&entry, 1, Socket.milliseconds(remaining))
            if rc < 0 && errno != EINTR { throw .failed(errno: errno) }
            if rc > 0 { return }
        }
    }

    /// Prepares an accepted socket: non-blocking, close-on-exec, `TCP_NODELAY`, and on Darwin
    /// `SO_NOSIGPIPE` (Linux writes use `MSG_NOSIGNAL`).
    func configureAccepted() {
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        #if canImport(Darwin)
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
    }

    /// Closes the sending side, so the peer sees EOF after what was sent.
    func shutdownWrite() {
        _ = shutdown(fd, Int32(SHUT_WR))
    }

    #if canImport(Darwin)
    static let noSignal: Int32 = 0
    #else
    static let noSignal = Int32(MSG_NOSIGNAL)
    #endif

    /// `duration` in whole milliseconds, rounded up, clamped to `Int32`.
    static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        if seconds < 0 { return 0 }
        let ms = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: ms)
    }
}
