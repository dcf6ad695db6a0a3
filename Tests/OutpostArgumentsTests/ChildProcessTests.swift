import Foundation
import OutpostChildProcess
import Testing

/// The test helper that replaces Foundation's `Process` (see ChildProcess.swift).
@Suite("ChildProcess")
struct ChildProcessTests {
    @Test func runsWithArgumentsEnvironmentAndRedirectedOutput() throws {
        let child = ChildProcess()
        child.executableURL = URL(fileURLWithPath: "/bin/sh")
        child.arguments = ["-c", "printf '%s|%s' \"$1\" \"$GREETING\"; exit 3", "sh", "argument one"]
        child.environment = ["GREETING": "你好"]
        let output = Pipe()
        child.standardOutput = output
        try child.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        #expect(text == "argument one|你好")
        #expect(child.terminationStatus == 3 && child.terminationReason == .exit)
    }

    @Test func descriptorsOfTheParentAreNotInherited() throws {
        let marker = Pipe()  // an open descriptor the child must not see
        let child = ChildProcess()
        child.executableURL = URL(fileURLWithPath: "/bin/sh")
        child.arguments = ["-c", "if [ -e /proc/self/fd/\(marker.fileHandleForWriting.fileDescriptor) ]; then echo inherited; else echo closed; fi"]
        let output = Pipe()
        child.standardOutput = output
        try child.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        #expect(text == "closed\n")
    }

    @Test func aKilledChildReportsItsSignal() throws {
        let ready = Pipe()
        let child = ChildProcess()
        child.executableURL = URL(fileURLWithPath: "/bin/sh")
        child.arguments = ["-c", "echo ready; exec sleep 30"]
        child.standardOutput = ready
        try child.run()
        _ = ready.fileHandleForReading.availableData  // the child runs before it is stopped
        child.terminate()
        child.waitUntilExit()
        #expect(child.terminationReason == .uncaughtSignal && child.terminationStatus == SIGTERM)
        #expect(!child.isRunning)
    }

    @Test func aMissingProgramThrows() {
        let child = ChildProcess()
        child.executableURL = URL(fileURLWithPath: "/nonexistent/program")
        #expect(throws: ChildProcess.SpawnError.self) { try child.run() }
    }
}
