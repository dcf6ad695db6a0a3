/// The sink a streaming response body writes into. Writes are buffered and emitted as
/// chunks of up to `bufferSize` bytes (64 KiB by default); the server frames each emitted
/// chunk with `Transfer-Encoding: chunked`.
///
/// ```swift
/// HTTPResponse.stream(contentType: "application/x-ndjson") { writer in
///     for line in lines { try writer.write(Array(line.utf8)) }
/// }
/// ```
///
/// A writer is only valid during the stream closure call and is not thread-safe.
public final class HTTPBodyWriter {
    /// The default amount buffered before a chunk is emitted (64 KiB).
    public static let defaultBufferSize = 64 * 1024

    private let bufferSize: Int
    private let emit: ([UInt8]) throws -> Void
    private var buffer: [UInt8] = []
    /// Total bytes accepted by `write` so far.
    public private(set) var bytesWritten = 0

    /// Creates a writer that hands each chunk of buffered bytes to `emit`.
    ///
    /// ```swift
    /// var collected: [UInt8] = []
    /// let writer = HTTPBodyWriter { collected += $0 }
    /// ```
    public init(bufferSize: Int = HTTPBodyWriter.defaultBufferSize, emit: @escaping ([UInt8]) throws -> Void) {
        self.bufferSize = max(1, bufferSize)
        self.emit = emit
        buffer.reserveCapacity(min(self.bufferSize, 64 * 1024))
    }

    /// Appends bytes to the body; emits a chunk whenever `bufferSize` bytes are buffered.
    /// Throws when the connection fails; stop producing output then.
    ///
    /// ```swift
    /// try writer.write(Array("{\"ok\":true}\n".utf8))
    /// ```
    public func write(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        bytesWritten += bytes.count
        if buffer.isEmpty && bytes.count >= bufferSize {
            try emit(bytes)
            return
        }
        buffer.append(contentsOf: bytes)
        if buffer.count >= bufferSize {
            let chunk = buffer
            buffer.removeAll(keepingCapacity: true)
            try emit(chunk)
        }
    }

    /// Appends the UTF-8 bytes of `text`; `try writer.write("line\n")`.
    public func write(_ text: String) throws {
        try write(Array(text.utf8))
    }

    /// Emits any buffered bytes now, e.g. to push a heartbeat to the client.
    ///
    /// ```swift
    /// try writer.flush()
    /// ```
    public func flush() throws {
        guard !buffer.isEmpty else { return }
        let chunk = buffer
        buffer.removeAll(keepingCapacity: true)
        try emit(chunk)
    }
}
