import Testing
@testable import OutpostArguments

@Suite("Errors")
struct ErrorTests {
    @Test func unknownLongOptionSuggestsClosestNameByEditDistance() {
        #expect(throws: ArgumentError.unknownOption("--cod", suggestion: "--code")) {
            try outpost.parse(["customer", "add", "--cod", "C", "Acme"])
        }
        #expect(throws: ArgumentError.unknownOption("--jsno", suggestion: "--json")) {
            try outpost.parse(["customer", "list", "--jsno"])
        }
        #expect(throws: ArgumentError.unknownOption("--zzzzzz", suggestion: nil)) {
            try outpost.parse(["customer", "list", "--zzzzzz"])
        }
    }

    @Test func unknownOptionMessageIsOneLineWithSuggestion() {
        let error = ArgumentError.unknownOption("--cod", suggestion: "--code")
        #expect(error.description == "unknown option '--cod'; did you mean '--code'?")
        #expect(!error.description.contains("\n"))
    }

    @Test func unknownShortOptionIsReported() {
        #expect(throws: ArgumentError.unknownOption("-x", suggestion: nil)) {
            try outpost.parse(["customer", "list", "-x"])
        }
        #expect(throws: ArgumentError.unknownOption("-x", suggestion: nil)) {
            try outpost.parse(["customer", "list", "-vx"])
        }
    }

    @Test func longNameWrittenWithOneDashSuggestsTheDoubleDashForm() {
        #expect(throws: ArgumentError.unknownOption("-json", suggestion: "--json")) {
            try outpost.parse(["customer", "list", "-json"])
        }
    }

    @Test func optionAtEndOfLineIsMissingItsValue() {
        #expect(throws: ArgumentError.missingValue(option: "--limit", valueName: "count")) {
            try outpost.parse(["customer", "list", "--limit"])
        }
        #expect(throws: ArgumentError.missingValue(option: "-c", valueName: "code")) {
            try outpost.parse(["customer", "add", "Acme", "-c"])
        }
    }

    @Test func optionFollowedByAnotherOptionIsMissingItsValue() {
        #expect(throws: ArgumentError.missingValue(option: "--limit", valueName: "count")) {
            try outpost.parse(["customer", "list", "--limit", "--json"])
        }
    }

    @Test func missingRequiredOptionIsReported() {
        #expect(throws: ArgumentError.missingRequiredOption(option: "--code", valueName: "code")) {
            try outpost.parse(["customer", "add", "Acme"])
        }
        #expect(ArgumentError.missingRequiredOption(option: "--code", valueName: "code").description
            == "missing required option '--code <code>'")
    }

    @Test func missingRequiredArgumentIsReported() {
        #expect(throws: ArgumentError.missingRequiredArgument("name")) {
            try outpost.parse(["customer", "add", "--code", "C"])
        }
        #expect(throws: ArgumentError.missingRequiredArgument("files")) {
            try outpost.parse(["import"])
        }
    }

    @Test func extraPositionalIsAnUnexpectedArgument() {
        #expect(throws: ArgumentError.unexpectedArgument("extra")) {
            try outpost.parse(["customer", "add", "-c", "C", "Acme", "note", "extra"])
        }
        #expect(throws: ArgumentError.unexpectedArgument("now")) {
            try outpost.parse(["sync", "--", "now"])
        }
    }

    @Test func unknownSubcommandSuggestsClosestName() {
        #expect(throws: ArgumentError.unknownSubcommand("ad", command: "outpost customer", suggestion: "add")) {
            try outpost.parse(["customer", "ad"])
        }
        #expect(throws: ArgumentError.unknownSubcommand("custmer", command: "outpost", suggestion: "customer")) {
            try outpost.parse(["custmer", "list"])
        }
        #expect(throws: ArgumentError.unknownSubcommand("frobnicate", command: "outpost", suggestion: nil)) {
            try outpost.parse(["frobnicate"])
        }
        #expect(ArgumentError.unknownSubcommand("ad", command: "outpost customer", suggestion: "add").description
            == "unknown subcommand 'ad' for 'outpost customer'; did you mean 'add'?")
    }

    @Test func groupCommandWithoutSubcommandIsMissingSubcommand() {
        #expect(throws: ArgumentError.missingSubcommand(command: "outpost customer", available: ["add", "list"])) {
            try outpost.parse(["customer"])
        }
        #expect(throws: ArgumentError.missingSubcommand(command: "outpost", available: ["customer", "import", "sync"])) {
            try outpost.parse(["--json"])
        }
    }

    @Test func flagWithInlineValueIsRejected() {
        #expect(throws: ArgumentError.flagDoesNotTakeValue("--json")) {
            try outpost.parse(["customer", "list", "--json=yes"])
        }
    }

    @Test func everyErrorDescriptionIsASingleLine() {
        let errors: [ArgumentError] = [
            .unknownOption("--x", suggestion: "--y"), .missingValue(option: "--x", valueName: "v"),
            .missingRequiredOption(option: "--x", valueName: "v"), .missingRequiredArgument("x"),
            .unexpectedArgument("x"), .unknownSubcommand("x", command: "outpost", suggestion: nil),
            .missingSubcommand(command: "outpost", available: ["a"]),
            .invalidValue(name: "--x", value: "y", reason: "expected an integer"), .flagDoesNotTakeValue("--x"),
        ]
        for error in errors {
            #expect(!error.description.isEmpty)
            #expect(!error.description.contains("\n"), "\(error)")
        }
    }

    @Test func editDistanceCountsInsertionsDeletionsSubstitutionsAndAdjacentSwaps() {
        #expect(editDistance("kitten", "sitting") == 3)
        #expect(editDistance("jsno", "json") == 1)
        #expect(editDistance("", "abc") == 3)
        #expect(editDistance("code", "code") == 0)
        #expect(suggestion(for: "lst", among: ["list", "add"]) == "list")
        #expect(suggestion(for: "qqqq", among: ["list", "add"]) == nil)
    }
}
