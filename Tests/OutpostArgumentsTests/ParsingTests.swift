import Testing
@testable import OutpostArguments

@Suite("Parsing")
struct ParsingTests {
    @Test func subcommandPathAndValuesAreReturned() throws {
        let parsed = try outpost.parse(["customer", "add", "--code", "C-001", "Acme"])
        #expect(parsed.path == ["outpost", "customer", "add"])
        #expect(parsed.command.name == "add")
        #expect(parsed.values.option("code") == "C-001")
        #expect(parsed.values.argument("name") == "Acme")
        #expect(parsed.values.argument("note") == nil)
    }

    @Test func optionValueMayBeSeparateOrJoinedWithEquals() throws {
        let separate = try outpost.parse(["customer", "add", "--code", "C-1", "Acme"])
        let joined = try outpost.parse(["customer", "add", "--code=C-1", "Acme"])
        #expect(separate.values == joined.values)
        let emptyJoined = try outpost.parse(["customer", "add", "--code=", "Acme"])
        #expect(emptyJoined.values.option("code") == "")
        let withEquals = try outpost.parse(["customer", "add", "--code=a=b", "Acme"])
        #expect(withEquals.values.option("code") == "a=b")
    }

    @Test func shortOptionsAcceptSeparateAttachedAndEqualsValues() throws {
        for words in [["-c", "C-9"], ["-cC-9"], ["-c=C-9"]] {
            let parsed = try outpost.parse(["customer", "add", "Acme"] + words)
            #expect(parsed.values.option("code") == "C-9", "\(words)")
        }
    }

    @Test func optionValueStartingWithDashNeedsTheEqualsForm() throws {
        let parsed = try outpost.parse(["customer", "add", "Acme", "--code=-x-"])
        #expect(parsed.values.option("code") == "-x-")
        #expect(throws: ArgumentError.missingValue(option: "--code", valueName: "code")) {
            try outpost.parse(["customer", "add", "Acme", "--code", "-x-"])
        }
    }

    @Test func negativeNumbersAndLoneDashAreValuesNotOptions() throws {
        let parsed = try outpost.parse(["customer", "list", "--limit", "-5"])
        #expect(try parsed.values.int("limit") == -5)
        let stdin = try outpost.parse(["import", "-"])
        #expect(stdin.values.arguments("files") == ["-"])
    }

    @Test func repeatableOptionKeepsEveryValueInOrder() throws {
        let parsed = try outpost.parse(["customer", "add", "-c", "C", "--phone", "1", "-p", "2", "--phone=3", "Acme"])
        #expect(parsed.values.options("phone") == ["1", "2", "3"])
        #expect(parsed.values.option("phone") == "3")
    }

    @Test func nonRepeatableOptionGivenTwiceKeepsTheLastValue() throws {
        let parsed = try outpost.parse(["customer", "add", "--code", "A", "--code", "B", "Acme"])
        #expect(parsed.values.options("code") == ["B"])
    }

    @Test func optionsMayFollowPositionals() throws {
        let parsed = try outpost.parse(["customer", "add", "Acme", "a note", "--code", "C-1", "-n"])
        #expect(parsed.values.argument("name") == "Acme")
        #expect(parsed.values.argument("note") == "a note")
        #expect(parsed.values.option("code") == "C-1")
        #expect(parsed.values.flag("dry-run"))
    }

    @Test func defaultValueAppliesOnlyWhenOptionIsAbsent() throws {
        let absent = try outpost.parse(["customer", "add", "-c", "C", "Acme"])
        #expect(absent.values.option("tier") == "core")
        let given = try outpost.parse(["customer", "add", "-c", "C", "--tier", "gold", "Acme"])
        #expect(given.values.option("tier") == "gold")
    }

    @Test func flagsAreFalseUnlessGivenAndShortFlagsGroupAndCount() throws {
        let plain = try outpost.parse(["customer", "list"])
        #expect(!plain.values.flag("json"))
        #expect(plain.values.flagCount("verbose") == 0)
        let grouped = try outpost.parse(["customer", "add", "-vnv", "-c", "C", "Acme", "-v"])
        #expect(grouped.values.flagCount("verbose") == 3)
        #expect(grouped.values.flag("dry-run"))
    }

    @Test func inheritedGlobalsAreAcceptedAtEveryDepth() throws {
        let before = try outpost.parse(["--json", "--server", "http://a", "customer", "list"])
        let middle = try outpost.parse(["customer", "--json", "--server=http://a", "list"])
        let after = try outpost.parse(["customer", "list", "--server", "http://a", "--json"])
        for parsed in [before, middle, after] {
            #expect(parsed.path == ["outpost", "customer", "list"])
            #expect(parsed.values.flag("json"))
            #expect(parsed.values.option("server") == "http://a")
        }
    }

    @Test func nonInheritedRootOptionIsRejectedBelowTheRoot() throws {
        let atRoot = try outpost.parse(["--profile", "work", "customer", "list"])
        #expect(atRoot.values.option("profile") == "work")
        #expect(throws: ArgumentError.unknownOption("--profile", suggestion: nil)) {
            try outpost.parse(["customer", "list", "--profile", "work"])
        }
    }

    @Test func doubleDashEndsOptionsSoLaterWordsArePositional() throws {
        let parsed = try outpost.parse(["import", "a.csv", "--", "--json", "-v", "--help", "customer"])
        #expect(parsed.values.arguments("files") == ["a.csv", "--json", "-v", "--help", "customer"])
        #expect(!parsed.values.flag("json"))
        let nameWithDash = try outpost.parse(["customer", "add", "-c", "C", "--", "-Acme-"])
        #expect(nameWithDash.values.argument("name") == "-Acme-")
    }

    @Test func variadicArgumentCollectsAllRemainingPositionals() throws {
        let parsed = try outpost.parse(["import", "a.csv", "b.csv", "--json", "c.csv"])
        #expect(parsed.values.arguments("files") == ["a.csv", "b.csv", "c.csv"])
        #expect(parsed.values.argument("files") == "a.csv")
    }

    @Test func commandWithRunsWithoutSubcommandMayBeInvokedAlone() throws {
        let alone = try outpost.parse(["sync"])
        #expect(alone.path == ["outpost", "sync"])
        let sub = try outpost.parse(["sync", "status"])
        #expect(sub.path == ["outpost", "sync", "status"])
    }

    @Test func requireReturnsValueOrThrowsMissingRequired() throws {
        let parsed = try outpost.parse(["customer", "list", "--limit", "5"])
        #expect(try parsed.values.require("limit") == "5")
        #expect(throws: ArgumentError.missingRequiredOption(option: "--server", valueName: "url")) {
            try parsed.values.require("server")
        }
        let imported = try outpost.parse(["import", "x"])
        #expect(try imported.values.require("files") == "x")
    }

    @Test func intParsesOrThrowsInvalidValueNamingTheOption() throws {
        let good = try outpost.parse(["customer", "list", "--limit", "25"])
        #expect(try good.values.int("limit") == 25)
        let absent = try outpost.parse(["customer", "list"])
        #expect(try absent.values.int("limit") == nil)
        let bad = try outpost.parse(["customer", "list", "--limit", "ten"])
        #expect(throws: ArgumentError.invalidValue(name: "--limit", value: "ten", reason: "expected an integer")) {
            try bad.values.int("limit")
        }
        #expect(throws: ArgumentError.invalidValue(name: "--limit", value: "ten", reason: "expected a number")) {
            try bad.values.value("limit", as: Double.self)
        }
    }

    @Test func wellFormedTreeHasNoValidationProblems() {
        #expect(outpost.validationProblems.isEmpty)
    }

    @Test func validationReportsDeclarationMistakes() {
        let broken = CommandSpec(
            name: "tool", abstract: "",
            arguments: [
                ArgumentSpec("rest", isVariadic: true),
                ArgumentSpec("maybe", isOptional: true),
                ArgumentSpec("needed"),
            ],
            options: [OptionSpec("x", short: "h"), OptionSpec("x")],
            flags: [FlagSpec("help")]
        )
        let problems = broken.validationProblems
        #expect(problems.contains { $0.contains("'-h' is reserved") })
        #expect(problems.contains { $0.contains("'--help' is reserved") })
        #expect(problems.contains { $0.contains("'--x' is declared twice") })
        #expect(problems.contains { $0.contains("<rest> must be the last") })
        #expect(problems.contains { $0.contains("<needed> follows an optional") })
    }
}
