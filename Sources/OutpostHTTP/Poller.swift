#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a registered descriptor is watched for. A descriptor is watched for one direction
/// at a time: the event loop either waits for a request's bytes or flushes a response.
enum PollInterest: Equatable {
    case none
    case read
    case write
}

/// One readiness notification.
struct PollEvent {
    /// The token the descriptor was registered with.
    var token: UInt64
    /// Readable, writable, hung up or failed: in every case the owner should try its I/O,
    /// which then reports what happened.
    var ready: Bool
}

/// Readiness notification for many non-blocking descriptors: epoll on Linux, kqueue on
/// Darwin (level-triggered in both cases). Only the event-loop thread registers and waits;
/// any thread may call `wake()`.
final class Poller: @unchecked Sendable {
    // Safety: `register`/`wait` are only called from the event-loop thread. `wake()` only
    // writes one byte to a non-blocking pipe whose descriptors stay open until `deinit`,
    // which cannot run while another thread still holds a reference.

    /// The token reported for `wake()`.
    static let wakeToken: UInt64 = 0

    private let pollFD: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    #if os(Linux)
    private var events = [EpollEvent](repeating: EpollEvent(), count: 256)
    #else
    private var events = [kevent](repeating: kevent(), count: 256)
    #endif

    init() throws(HTTPServerError) {
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else { throw .socketFailed(operation: "pipe", errno: errno) }
        for fd in pipeFDs {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        wakeRead = pipeFDs[0]
        wakeWrite = pipeFDs[1]
        #if os(Linux)
        pollFD = Epoll.create(Epoll.cloexec)
        #else
        pollFD = kqueue()
        #endif
        guard pollFD >= 0 else {
            let code = errno
            close(wakeRead)
            close(wakeWrite)
            throw .socketFailed(operation: "epoll_create1/kqueue", errno: code)
        }
        #if canImport(Darwin)
        _ = fcntl(pollFD, F_SETFD, FD_CLOEXEC)
        #endif
        register(fd: wakeRead, token: Self.wakeToken, from: .none, to: .read)
    }

    deinit {
        close(pollFD)
        close(wakeRead)
        close(wakeWrite)
    }

    /// Makes a concurrent or future `wait` return. Callable from any thread.
    func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    /// Empties the wake pipe (after `wakeToken` was reported).
    func drainWake() {
        var scratch = [UInt8](repeating: 0, count: 256)
        while scratch.withUnsafeMutableBytes({ read(wakeRead, $0.baseAddress, $0.count) }) > 0 {}
    }

    /// Changes what `fd` is watched for. `old` must be what it is registered for now
    /// (`.none` when not registered); the caller keeps track.
    func register(fd: Int32, token: UInt64, from old: PollInterest, to new: PollInterest) {
        guard old != new else { return }
        #if os(Linux)
        if new == .none {
            _ = Epoll.control(pollFD, Epoll.delete, fd, nil)
            return
        }
        var event = EpollEvent(events: new == .read ? Epoll.input : Epoll.output, token: token)
        _ = Epoll.control(pollFD, old == .none ? Epoll.add : Epoll.modify, fd, &event)
        #else
        var changes: [kevent] = []
        let udata = UnsafeMutableRawPointer(bitPattern: UInt(token))
        func change(_ filter: Int32, _ flags: Int32) -> kevent {
            kevent(ident: UInt(fd), filter: Int16(filter), flags: UInt16(flags), fflags: 0, data: 0, udata: udata)
        }
        if old == .read { changes.append(change(EVFILT_READ, EV_DELETE)) }
        if old == .write { changes.append(change(EVFILT_WRITE, EV_DELETE)) }
        if new == .read { changes.append(change(EVFILT_READ, EV_ADD)) }
        if new == .write { changes.append(change(EVFILT_WRITE, EV_ADD)) }
        _ = kevent(pollFD, changes, Int32(changes.count), nil, 0, nil)
        #endif
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever) and calls `handle` for each ready descriptor.
    func wait(timeoutMilliseconds: Int32, _ handle: (PollEvent) -> Void) {
        #if os(Linux)
        let count = events.withUnsafeMutableBytes { raw in
            Epoll.wait(pollFD, raw.baseAddress, Int32(256), timeoutMilliseconds)
        }
        guard count > 0 else { return }
        for index in 0..<Int(count) {
            handle(PollEvent(token: events[index].token, ready: true))
        }
        #else
        var timeout = timespec(tv_sec: Int(timeoutMilliseconds / 1000), tv_nsec: Int(timeoutMilliseconds % 1000) * 1_000_000)
        let count = events.withUnsafeMutableBufferPointer { buffer -> Int32 in
            if timeoutMilliseconds < 0 {
                return kevent(pollFD, nil, 0, buffer.baseAddress, Int32(buffer.count), nil)
            }
            return kevent(pollFD, nil, 0, buffer.baseAddress, Int32(buffer.count), &timeout)
        }
        guard count > 0 else { return }
        for index in 0..<Int(count) {
            handle(PollEvent(token: UInt64(UInt(bitPattern: events[index].udata)), ready: true))
        }
        #endif
    }
}

#if os(Linux)
/// `struct epoll_event` as laid out by the kernel ABI: packed (12 bytes) on x86-64, naturally
/// aligned (16 bytes) elsewhere. Declared here because the Glibc module does not export
/// `<sys/epoll.h>`.
struct EpollEvent {
    #if arch(x86_64)
    var events: UInt32 = 0
    var low: UInt32 = 0
    var high: UInt32 = 0

    init() {}
    init(events: UInt32, token: UInt64) {
        self.events = events
        low = UInt32(truncatingIfNeeded: token)
        high = UInt32(truncatingIfNeeded: token >> 32)
    }

    var token: UInt64 { UInt64(low) | UInt64(high) << 32 }
    #else
    var events: UInt32 = 0
    var padding: UInt32 = 0
    var token: UInt64 = 0

    init() {}
    init(events: UInt32, token: UInt64) {
        self.events = events
        self.token = token
    }
    #endif
}

/// The epoll system calls, resolved from the C library at run time (the Glibc module does not
/// export `<sys/epoll.h>`), with the constants from the kernel ABI.
enum Epoll {
    static let cloexec: Int32 = 0o2000000
    static let add: Int32 = 1
    static let delete: Int32 = 2
    static let modify: Int32 = 3
    static let input: UInt32 = 0x001
    static let output: UInt32 = 0x004

    typealias CreateFunction = @convention(c) (Int32) -> Int32
    typealias ControlFunction = @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    typealias WaitFunction = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32

    private static func symbol<T>(_ name: String, as type: T.Type) -> T {
        guard let handle = dlopen(nil, RTLD_NOW), let pointer = dlsym(handle, name) else {
            fatalError("The C library has no \(name)")
        }
        return unsafeBitCast(pointer, to: type)
    }

    static let create = symbol("epoll_create1", as: CreateFunction.self)
    private static let controlFunction = symbol("epoll_ctl", as: ControlFunction.self)
    static let wait = symbol("epoll_wait", as: WaitFunction.self)

    static func control(_ epollFD: Int32, _ operation: Int32, _ fd: Int32, _ event: UnsafeMutablePointer<EpollEvent>?) -> Int32 {
        controlFunction(epollFD, operation, fd, UnsafeMutableRawPointer(event))
    }
}
#endif
