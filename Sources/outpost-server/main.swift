import Foundation
import OutpostServerCLI
import OutpostTerminal

let status = await ServerCommand.run(
    Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment,
    standardOutput: StandardStream.output, standardError: StandardStream.error)
exit(status)
