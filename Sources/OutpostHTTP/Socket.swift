#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed socket write.
enum SocketIOError: Error {
    case failed(errno: Int32)
}

/// Thin blocking-socket helpers for one connected client.
struct Socket {
    let fd: Int32

    enum WaitResult {
        case readable
        case timedOut
        case woken
    }

    /// Waits until the socket is readable (or at EOF/error), `deadline` passes, or `wakeFD`
    /// becomes readable. Readable data on the socket wins over the wake signal.
    func waitReadable(until deadline: ContinuousClock.Instant, wakeFD: Int32?) -> WaitResult {
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero { return .timedOut }
            var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
            if let wakeFD { fds.append(pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)) }
            let rc = poll(&fds, nfds_t(fds.count), Socket.milliseconds(remaining))
            if rc < 0 {
                if errno == EINTR { continue }
                return .readable // let the following read report the error
            }
            if rc == 0 { continue } // re-check the deadline
            if fds[0].revents != 0 { return .readable }
            if fds.count > 1 && fds[1].revents != 0 { return .woken }
        }
    }

    /// Reads available bytes into `buffer`; returns the count, 0 at EOF, -1 on error.
    func receive(into buffer: inout [UInt8]) -> Int {
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            return n
        }
    }

    /// Sends all of `bytes` (retrying partial writes); never raises SIGPIPE.
    func sendAll(_ bytes: [UInt8]) throws(SocketIOError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw .failed(errno: errno)
            }
            offset += n
        }
    }

    /// Half-closes our side and discards what the client still sends (bounded), so that
    /// an error response is not destroyed by a TCP reset from unread request bytes.
    func lingeringClose(maxBytes: Int = 1 << 20, timeout: Duration = .seconds(2)) {
        shutdown(fd, Int32(SHUT_WR))
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var scratch = [UInt8](repeating: 0, count: 16 * 1024)
        var drained = 0
        while drained < maxBytes, case .readable = waitReadable(until: deadline, wakeFD: nil) {
            let n = receive(into: &scratch)
            if n <= 0 { break }
            drained += n
        }
    }

    /// Sets the send timeout, TCP_NODELAY and close-on-exec on an accepted socket.
    func configureAccepted(writeTimeout: Duration) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let ms = Socket.milliseconds(writeTimeout)
        var tv = timeval(tv_sec: time_t(ms / 1000), tv_usec: suseconds_t((ms % 1000) * 1000))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// `duration` in whole milliseconds, rounded up, clamped to `Int32`.
    static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        if seconds < 0 { return 0 }
        let ms = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: ms)
    }
}
