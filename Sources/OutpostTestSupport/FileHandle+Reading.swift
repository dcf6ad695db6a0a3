import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(Glibc)
private let systemRead = Glibc.read
#elseif canImport(Darwin)
private let systemRead = Darwin.read
#endif

extension FileHandle {
    /// Reads until end of file, retrying reads a signal interrupted (EINTR): child processes that
    /// tests start and stop deliver signals to the reading thread, and Foundation's
    /// `readDataToEndOfFile()` traps on such an error.
    public func readAllRetryingInterrupts() -> Data {
        var result = Data()
        while let chunk = readChunkRetryingInterrupts(), !chunk.isEmpty { result.append(chunk) }
        return result
    }

    /// Reads what is available (blocking until something is, or end of file: then empty), retrying
    /// reads a signal interrupted. `nil` on a read error other than EINTR.
    public func readChunkRetryingInterrupts(maximum: Int = 65_536) -> Data? {
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            let count = buffer.withUnsafeMutableBytes { systemRead(fileDescriptor, $0.baseAddress, maximum) }
            if count >= 0 { return Data(buffer[0..<count]) }
            if errno != EINTR { return nil }
        }
    }
}
