import Foundation
import Testing

/// The same vectors `ProtocolVectorTests` check against the Swift model, checked against the
/// independent Python implementation of SPEC.md (`Protocol/tools/check_vectors.py`): both sides
/// resolve every case — same dot with different content and equal clocks with different content
/// included — to the same result.
@Suite("Protocol vectors in the Python reference")
struct PythonVectorCheckTests {
    static let python: URL? = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        .split(separator: ":")
        .map { URL(fileURLWithPath: String($0)).appendingPathComponent("python3") }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }

    @Test(.enabled(if: python != nil, "needs python3 on the PATH"))
    func checkVectorsPassesInThePythonReference() throws {
        let script = ProtocolVectorTests.root + "/Protocol/tools/check_vectors.py"
        let process = Process()
        process.executableURL = Self.python
        process.arguments = [script]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.contains(" 0 failures"), "\(output)")
        let merges = try #require(output.firstMatch(of: /(\d+) merge cases/)).1
        #expect(Int(merges) ?? 0 >= 20, "\(output)")
    }
}
