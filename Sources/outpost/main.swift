import Foundation
import OutpostCLI
import OutpostTerminal

let status = await OutpostCommand.run(
    Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment,
    standardOutput: StandardStream.output, standardError: StandardStream.error)
exit(status)
