import Testing
@testable import OutpostArguments

@Suite("Help and CommandLineTool")
struct HelpTests {
    private func help(_ words: [String]) -> String? {
        do {
            _ = try outpost.parse(words)
            return nil
        } catch {
            if case .helpRequested(let text) = error { return text }
            return nil
        }
    }

    @Test func rootHelpListsOverviewUsageOptionsAndSubcommands() {
        let text = outpost.helpText(for: [])
        #expect(text.hasPrefix("OVERVIEW: Offline-first CRM client."))
        #expect(text.contains("Works without a network"))
        #expect(text.contains("USAGE: outpost [--server <url>] [--profile <profile>] [--json] [--verbose] <subcommand>"))
        #expect(text.contains("OPTIONS:\n  --server <url>       Server base URL.\n"))
        #expect(text.contains("  -v, --verbose        Say more; repeat for even more.\n"))
        #expect(text.contains("  -h, --help           Show help information."))
        #expect(text.contains("SUBCOMMANDS:\n  customer             Manage customers.\n  import               Import files.\n"))
        #expect(text.contains("See 'outpost help <subcommand>' for detailed help."))
        #expect(!text.contains("ARGUMENTS:"))
    }

    @Test func subcommandHelpShowsArgumentsOwnAndInheritedOptions() {
        let text = outpost.helpText(for: ["outpost", "customer", "add"])
        #expect(text.hasPrefix("OVERVIEW: Add a customer."))
        #expect(text.contains(
            "USAGE: outpost customer add <name> [<note>] --code <code> [--phone <phone> ...] [--tier <tier>]"
                + " [--server <url>] [--dry-run] [--json] [--verbose]"))
        #expect(text.contains("ARGUMENTS:\n  <name>               The customer's display name.\n  <note>"))
        #expect(text.contains("  -c, --code <code>    Unique customer code.\n"))
        #expect(text.contains("  -p, --phone <phone>  Phone number. (can be repeated)\n"))
        #expect(text.contains("  --tier <tier>        Pricing tier. (default: core)\n"))
        #expect(text.contains("  --server <url>       Server base URL.\n"))
        #expect(text.contains("  -h, --help           Show help information."))
        #expect(!text.contains("--profile"))
        #expect(!text.contains("SUBCOMMANDS:"))
    }

    @Test func helpPathMayOmitTheRootName() {
        #expect(outpost.helpText(for: ["customer", "add"]) == outpost.helpText(for: ["outpost", "customer", "add"]))
        #expect(outpost.usage(for: ["customer", "list"])
            == "outpost customer list [--limit <count>] [--server <url>] [--json] [--verbose]")
    }

    @Test func helpFlagRequestsHelpForTheDeepestSubcommandNamed() {
        let addHelp = outpost.helpText(for: ["customer", "add"])
        #expect(help(["customer", "add", "--help"]) == addHelp)
        #expect(help(["customer", "add", "-h"]) == addHelp)
        #expect(help(["--help", "customer", "add"]) == addHelp)
        #expect(help(["customer", "--help", "add"]) == addHelp)
        #expect(help(["-h"]) == outpost.helpText(for: []))
        #expect(help(["customer", "-h"]) == outpost.helpText(for: ["customer"]))
    }

    @Test func helpFlagWinsOverMissingRequiredValuesAndEarlierMistakes() {
        let addHelp = outpost.helpText(for: ["customer", "add"])
        #expect(help(["customer", "add", "--help"]) == addHelp)           // --code and <name> missing
        #expect(help(["customer", "add", "--bogus", "--help"]) == addHelp)
        #expect(help(["customer", "add", "--code", "--help"]) == addHelp)
    }

    @Test func helpAfterDoubleDashIsAPositional() throws {
        let parsed = try outpost.parse(["import", "--", "--help"])
        #expect(parsed.values.arguments("files") == ["--help"])
    }

    @Test func helpSubcommandWordShowsHelpForTheNamedPath() {
        #expect(help(["help"]) == outpost.helpText(for: []))
        #expect(help(["help", "customer", "add"]) == outpost.helpText(for: ["customer", "add"]))
        #expect(help(["customer", "help", "list"]) == outpost.helpText(for: ["customer", "list"]))
        #expect(throws: ArgumentError.unknownSubcommand("lst", command: "outpost customer", suggestion: "list")) {
            try outpost.parse(["help", "customer", "lst"])
        }
    }

    @Test func longLabelsPutHelpOnTheNextLine() {
        let spec = CommandSpec(
            name: "tool", abstract: "A tool.",
            options: [OptionSpec("an-extremely-long-option-name", help: "Long.", valueName: "value")])
        let text = spec.helpText(for: [])
        #expect(text.contains("  --an-extremely-long-option-name <value>\n" + String(repeating: " ", count: 32) + "Long."))
    }

    @Test func toolPrintsHelpToStandardOutputWithStatusZero() {
        let tool = CommandLineTool(root: outpost)
        guard case .exit(let status, let out, let err) = tool.evaluate(["customer", "--help"]) else {
            Issue.record("expected an exit outcome")
            return
        }
        #expect(status == 0)
        #expect(out == outpost.helpText(for: ["customer"]) + "\n")
        #expect(err.isEmpty)
    }

    @Test func toolPrintsErrorAndUsageOfTheFailingCommandToStandardErrorWithStatus64() {
        let tool = CommandLineTool(root: outpost)
        guard case .exit(let status, let out, let err) = tool.evaluate(["customer", "add", "--cod", "C"]) else {
            Issue.record("expected an exit outcome")
            return
        }
        #expect(status == 64)
        #expect(out.isEmpty)
        let lines = err.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0] == "Error: unknown option '--cod'; did you mean '--code'?")
        #expect(lines[1] == "Usage: " + outpost.usage(for: ["customer", "add"]))
        #expect(lines[2] == "  See 'outpost customer add --help' for more information.")
    }

    @Test func toolReportsMissingSubcommandAsUsageError() {
        guard case .exit(let status, _, let err) = CommandLineTool(root: outpost).evaluate(["customer"]) else {
            Issue.record("expected an exit outcome")
            return
        }
        #expect(status == CommandLineTool.usageErrorStatus)
        #expect(err.hasPrefix("Error: 'outpost customer' needs a subcommand: add, list\nUsage: outpost customer "))
    }

    @Test func toolRunsTheCommandWhenParsingSucceeds() {
        guard case .run(let parsed) = CommandLineTool(root: outpost).evaluate(["customer", "list", "--json"]) else {
            Issue.record("expected a run outcome")
            return
        }
        #expect(parsed.path == ["outpost", "customer", "list"])
        #expect(parsed.values.flag("json"))
    }

    @Test func toolReportsLaterConversionErrorsAgainstTheGivenPath() throws {
        let tool = CommandLineTool(root: outpost)
        let parsed = try outpost.parse(["customer", "list", "--limit", "ten"])
        do {
            _ = try parsed.values.int("limit")
            Issue.record("expected a conversion error")
        } catch {
            guard case .exit(let status, _, let err) = tool.report(error, path: parsed.path) else {
                Issue.record("expected an exit outcome")
                return
            }
            #expect(status == 64)
            #expect(err.hasPrefix("Error: invalid value 'ten' for --limit: expected an integer\nUsage: outpost customer list"))
        }
    }
}
