import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The write end of the relay's pipe, read by the C signal handler (async-signal-safe `write`).
nonisolated(unsafe) private var signalRelayWriteFD: Int32 = -1

/// Turns SIGTERM/SIGINT into calls on a normal thread.
///
/// The handler is installed with `sigaction` before `install` returns, so a signal sent the moment
/// after (for example right after the server printed that it is listening) is never lost — unlike
/// `signal(SIG_IGN)` plus a dispatch signal source, which is armed asynchronously. The handler only
/// writes the signal number into a pipe; a relay thread reads it and runs the registered actions.
final class SignalRelay: @unchecked Sendable {
    // Safety: `actions` is guarded by `lock`; the pipe descriptors are set once in `init`.
    static let shared = SignalRelay()

    private let lock = NSLock()
    private var actions: [Int32: [@Sendable () -> Void]] = [:]

    private init() {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        signalRelayWriteFD = fds[1]
        let readFD = fds[0]
        let thread = Thread { [self] in
            var byte: UInt8 = 0
            while true {
                let count = read(readFD, &byte, 1)
                if count < 0 && errno == EINTR { continue }
                guard count == 1 else { return }
                let number = Int32(byte)
                let pending = lock.withLock { actions[number] ?? [] }
                for action in pending { action() }
            }
        }
        thread.name = "outpost-signals"
        thread.start()
    }

    /// Runs `action` on the relay thread each time one of `signals` arrives.
    func install(_ signals: [Int32], action: @escaping @Sendable () -> Void) {
        lock.withLock {
            for number in signals { actions[number, default: []].append(action) }
        }
        for number in signals {
            var handler = sigaction()
            #if canImport(Glibc)
            handler.__sigaction_handler.sa_handler = { number in
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(signalRelayWriteFD, &byte, 1)
            }
            #else
            handler.__sigaction_u.__sa_handler = { number in
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(signalRelayWriteFD, &byte, 1)
            }
            #endif
            sigemptyset(&handler.sa_mask)
            handler.sa_flags = SA_RESTART
            sigaction(number, &handler, nil)
        }
    }
}
