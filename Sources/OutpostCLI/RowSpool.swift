import Foundation

/// The formatted rows of a long table, kept between measuring the column widths and printing the
/// lines, so each record is read and decoded once. Rows stay in memory up to `memoryLimit` bytes;
/// beyond, they go to a temporary file that is removed as soon as it is created (only this process
/// can read it, and nothing is left behind if the process dies), so memory stays bounded however
/// long the list.
///
/// ```swift
/// let spool = RowSpool()
/// try spool.append(["C-1", "Acme"])
/// try spool.forEach { row in print(row) }
/// ```
final class RowSpool {
    private var buffer: [UInt8] = []
    private var file: Int32 = -1
    private let memoryLimit: Int

    /// Why rows could not be kept.
    struct SpoolError: Error, CustomStringConvertible {
        var description: String
    }

    /// A spool keeping up to `memoryLimit` bytes of rows in memory.
    init(memoryLimit: Int = 1 << 20) {
        self.memoryLimit = max(1, memoryLimit)
    }

    deinit {
        if file >= 0 { close(file) }
    }

    /// Adds a row.
    func append(_ row: [String]) throws {
        Self.put(UInt32(row.count), into: &buffer)
        for cell in row {
            Self.put(UInt32(cell.utf8.count), into: &buffer)
            buffer.append(contentsOf: cell.utf8)
        }
        if buffer.count >= memoryLimit { try spill() }
    }

    /// Calls `body` with every row, in the order added.
    func forEach(_ body: ([String]) throws -> Void) throws {
        guard file >= 0 else {
            var offset = 0
            while let row = Self.row(in: buffer, at: &offset) { try body(row) }
            return
        }
        try spill()
        guard lseek(file, 0, SEEK_SET) == 0 else { throw SpoolError(description: "cannot rewind the list's temporary file") }
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(file, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw SpoolError(description: "cannot read the list's temporary file (errno \(errno))") }
            if count == 0 { break }
            pending.append(contentsOf: chunk[0..<count])
            var offset = 0
            while let row = Self.row(in: pending, at: &offset) { try body(row) }
            pending.removeFirst(offset)
        }
        guard pending.isEmpty else { throw SpoolError(description: "the list's temporary file ended in the middle of a row") }
    }

    private func spill() throws {
        if file < 0 { file = try Self.temporaryFile() }
        var written = 0
        while written < buffer.count {
            let count = buffer.withUnsafeBytes { write(file, $0.baseAddress! + written, $0.count - written) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw SpoolError(description: "cannot write the list's temporary file (errno \(errno))") }
            written += count
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private static func temporaryFile() throws -> Int32 {
        var template = Array((NSTemporaryDirectory() + "/outpost-list-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw SpoolError(description: "cannot create a temporary file in \(NSTemporaryDirectory()) (errno \(errno))") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return descriptor
    }

    private static func put(_ value: UInt32, into bytes: inout [UInt8]) {
        bytes.append(UInt8(truncatingIfNeeded: value))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
    }

    private static func number(in bytes: [UInt8], at offset: Int) -> Int? {
        guard offset + 4 <= bytes.count else { return nil }
        return Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3]) << 24
    }

    /// The complete row at `offset` (advanced past it), or `nil` when the bytes end before it does.
    private static func row(in bytes: [UInt8], at offset: inout Int) -> [String]? {
        guard let count = number(in: bytes, at: offset) else { return nil }
        var position = offset + 4
        var row: [String] = []
        row.reserveCapacity(count)
        for _ in 0..<count {
            guard let length = number(in: bytes, at: position), position + 4 + length <= bytes.count else { return nil }
            row.append(String(decoding: bytes[(position + 4)..<(position + 4 + length)], as: UTF8.self))
            position += 4 + length
        }
        offset = position
        return row
    }
}
