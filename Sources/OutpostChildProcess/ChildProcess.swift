import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process for tests, started with `posix_spawn` directly.
///
/// Foundation's `Process.run()` on Linux lists `/proc/self/fd` to close inherited descriptors and,
/// when the test process holds many descriptors (over ~1,300, as the load tests' sockets and the
/// replicas of parallel suites can add up to), reads past the end of that listing and crashes the
/// whole test process. `ChildProcess` has the small part of `Process`'s API the tests use, and
/// closes descriptors above 2 in the child with `posix_spawn_file_actions_addclosefrom_np` where
/// the C library has it (glibc ≥ 2.34).
///
/// ```swift
/// let child = ChildProcess()
/// child.executableURL = URL(fileURLWithPath: "/bin/echo")
/// child.arguments = ["hello"]
/// try child.run()
/// child.waitUntilExit()
/// child.terminationStatus   // 0
/// ```
public final class ChildProcess: @unchecked Sendable {
    // Safety: the configuration is set before `run()` on one thread; the state after it is
    // guarded by `lock`.

    /// How the child ended.
    public enum TerminationReason: Sendable { case exit, uncaughtSignal }

    /// Why a child could not be started.
    public struct SpawnError: Error, CustomStringConvertible {
        /// The `errno` of `posix_spawn`.
        public let code: Int32
        /// The program.
        public let path: String
        public var description: String { "cannot start \(path): \(String(cString: strerror(code)))" }
    }

    /// The program to run.
    public var executableURL: URL?
    /// Its arguments (without the program name).
    public var arguments: [String] = []
    /// Its environment; `nil` inherits this process's.
    public var environment: [String: String]?
    /// Standard input, output and error: a `FileHandle`, a `Pipe`, or `nil` to inherit.
    public var standardInput: Any?
    public var standardOutput: Any?
    public var standardError: Any?
    /// Called once on a background thread when the child has ended.
    public var terminationHandler: (@Sendable (ChildProcess) -> Void)?

    private let lock = NSCondition()
    private var pid: pid_t = 0
    private var ended = false
    private var status: Int32 = 0
    private var reason = TerminationReason.exit

    public init() {}

    /// The child's process id (0 before `run()`).
    public var processIdentifier: Int32 { lock.withLock { pid } }
    /// `true` between `run()` and the child's end.
    public var isRunning: Bool { lock.withLock { pid != 0 && !ended } }
    /// The exit status, or the signal number when the child was killed.
    public var terminationStatus: Int32 { lock.withLock { status } }
    /// Whether the child exited or was killed by a signal.
    public var terminationReason: TerminationReason { lock.withLock { reason } }

    /// Starts the child.
    public func run() throws {
        guard let path = executableURL?.path else { throw SpawnError(code: ENOENT, path: "(no program)") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (target, stream) in [(Int32(0), standardInput), (1, standardOutput), (2, standardError)] {
            guard let fd = Self.descriptor(of: stream, reading: target == 0) else { continue }
            posix_spawn_file_actions_adddup2(&actions, fd, target)
        }
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in env { free(pointer) }
        }
        // Every signal back to its default action and none blocked, as `Process` does: this test
        // process ignores or blocks some (SIGPIPE, and SIGTERM while a server handles it), and a
        // child would otherwise inherit that.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var child: pid_t = 0
        let result = posix_spawn(&child, path, &actions, &attributes, argv, env)
        guard result == 0 else { throw SpawnError(code: result, path: path) }
        let spawned = child
        lock.withLock { pid = spawned }
        // The parent's copies of pipe ends handed to the child are closed, as Process does.
        for (stream, reading) in [(standardInput, false), (standardOutput, true), (standardError, true)] {
            if let pipe = stream as? Pipe { try? (reading ? pipe.fileHandleForWriting : pipe.fileHandleForReading).close() }
        }
        let waiter = Thread { [self] in
            var raw: Int32 = 0
            while waitpid(spawned, &raw, 0) == -1 && errno == EINTR {}
            lock.withLock {
                let signal = raw & 0x7f
                if signal == 0 {
                    status = (raw >> 8) & 0xff
                    reason = .exit
                } else {
                    status = signal
                    reason = .uncaughtSignal
                }
                ended = true
                lock.broadcast()
            }
            terminationHandler?(self)
        }
        waiter.start()
    }

    /// Runs `executable` with `arguments` to its end and returns its exit status and what it wrote
    /// to standard output (and standard error too when `mergingErrors`).
    public static func output(of executable: String, _ arguments: [String], environment: [String: String]? = nil,
                              mergingErrors: Bool = false) throws -> (status: Int32, text: String) {
        let child = ChildProcess()
        child.executableURL = URL(fileURLWithPath: executable)
        child.arguments = arguments
        child.environment = environment
        let pipe = Pipe()
        child.standardOutput = pipe
        if mergingErrors { child.standardError = pipe }
        try child.run()
        var data = Data()
        while true {
            let count = pipe.fileHandleForReading.readChunk(into: &data)
            if count <= 0 { break }
        }
        child.waitUntilExit()
        return (child.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Blocks until the child has ended.
    public func waitUntilExit() {
        lock.withLock { while !ended { lock.wait() } }
    }

    /// Sends SIGTERM.
    public func terminate() { signal(SIGTERM) }

    /// Sends SIGINT.
    public func interrupt() { signal(SIGINT) }

    private func signal(_ number: Int32) {
        let target = lock.withLock { ended ? 0 : pid }
        if target != 0 { kill(target, number) }
    }

    /// The descriptor the child gets for a stream given as a `FileHandle` or a `Pipe`.
    private static func descriptor(of stream: Any?, reading: Bool) -> Int32? {
        if let handle = stream as? FileHandle { return handle.fileDescriptor }
        if let pipe = stream as? Pipe {
            return reading ? pipe.fileHandleForReading.fileDescriptor : pipe.fileHandleForWriting.fileDescriptor
        }
        return nil
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// `posix_spawn_file_actions_addclosefrom_np`, where the C library has it.
    private static let addCloseFrom: AddCloseFrom? = {
        guard let program = dlopen(nil, RTLD_NOW),
            let symbol = dlsym(program, "posix_spawn_file_actions_addclosefrom_np")
        else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()
}

extension FileHandle {
    /// Appends one read's worth of bytes to `data`, retrying reads a signal interrupted; the count
    /// read, 0 at end of file, -1 on another error.
    fileprivate func readChunk(into data: inout Data) -> Int {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { systemRead(fileDescriptor, $0.baseAddress, $0.count) }
            if count > 0 { data.append(contentsOf: buffer[0..<count]) }
            if count >= 0 || errno != EINTR { return count }
        }
    }
}

#if canImport(Glibc)
private let systemRead = Glibc.read
#elseif canImport(Darwin)
private let systemRead = Darwin.read
#endif
