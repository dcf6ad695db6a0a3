import Foundation

/// Where the `outpost` command writes its standard output or standard error.
///
/// ```swift
/// let buffer = TextBuffer()
/// let status = await OutpostCommand.run(["status"], environment: [:], standardOutput: buffer, standardError: buffer)
/// ```
public protocol TextOutput: Sendable {
    /// Writes `text` as is (callers add newlines).
    func write(_ text: String)
}

/// A process stream (stdout or stderr), written unbuffered.
public struct StandardStream: TextOutput {
    private let handle: FileHandle

    /// The process's standard output.
    public static var output: StandardStream { StandardStream(handle: .standardOutput) }
    /// The process's standard error.
    public static var error: StandardStream { StandardStream(handle: .standardError) }

    public func write(_ text: String) {
        handle.write(Data(text.utf8))
    }
}

/// Collects written text in memory (for tests and embedding).
public final class TextBuffer: TextOutput, @unchecked Sendable {
    private let lock = NSLock()
    private var storage = ""

    /// Creates an empty buffer.
    public init() {}

    public func write(_ text: String) {
        lock.lock()
        storage += text
        lock.unlock()
    }

    /// Everything written so far.
    public var text: String {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
