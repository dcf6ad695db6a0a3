import Foundation
import OutpostChildProcess
import Testing
@testable import OutpostArguments

@Suite("Shell completion generated from the command tree")
struct CompletionTests {
    @Test func bashScriptKnowsEveryCommandPathAndItsWords() {
        let script = outpost.completionScript(for: .bash)
        #expect(script.contains("complete -o default -F _outpost outpost"))
        for path in ["outpost customer", "outpost customer add", "outpost customer list", "outpost import", "outpost sync status"] {
            #expect(script.contains("\"\(path)\") cmdpath=\"\(path)\" ;;"), "\(path)")
        }
        // Own and inherited options and flags, at the level where they apply.
        #expect(script.contains("\"outpost customer add\") words=\"--code --phone --tier --server --dry-run --json --verbose --help\" ;;"), "\(script)")
        #expect(script.contains("\"outpost\") words=\"customer import sync --server --profile --json --verbose --help\" ;;"))
        // Values of options are skipped when walking down the tree.
        #expect(script.contains("--server|--profile|--code|-c|--phone|-p|--tier|--limit) ((i++)); continue ;;"), "\(script)")
    }

    @Test func optionChoicesAreOffered() {
        var root = outpost
        var lang = OptionSpec("lang", help: "Language.", valueName: "code", isInherited: true)
        lang.choices = ["zh", "en"]
        root.options.append(lang)
        #expect(root.completionScript(for: .bash).contains("--lang) COMPREPLY=($(compgen -W \"zh en\" -- \"$cur\")); return ;;"))
        #expect(root.completionScript(for: .zsh).contains("--lang) compadd -- zh en; return ;;"))
    }

    @Test func zshScriptDescribesSubcommandsAndEscapesQuotesAndColons() {
        var root = outpost
        root.subcommands.append(CommandSpec(name: "odd", abstract: "It's a test: with colons."))
        let script = root.completionScript(for: .zsh)
        #expect(script.hasPrefix("#compdef outpost\n"))
        #expect(script.contains("'customer:Manage customers.'"))
        #expect(script.contains("'odd:It'\\''s a test: with colons.'"), "\(script)")
        #expect(script.contains("'--code:Unique customer code.'"))
        #expect(script.contains("compdef _outpost outpost"))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/bash")))
    func bashScriptIsValidBash() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("completion-\(UUID().uuidString).bash")
        try outpost.completionScript(for: .bash).write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-n", file.path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}

@Suite("Help and usage errors in another language")
struct HelpStringsTests {
    static var chinese: HelpStrings {
        var strings = HelpStrings()
        strings.overview = "概述："
        strings.usage = "用法："
        strings.options = "选项："
        strings.subcommands = "子命令："
        strings.helpFlag = "显示帮助信息。"
        strings.canBeRepeated = "可重复"
        strings.defaultValue = { "默认：\($0)" }
        strings.errorLabel = "错误："
        strings.usageLabel = "用法："
        strings.seeMoreInformation = { "运行 '\($0) --help' 查看更多信息。" }
        strings.describe = { error in
            if case .unknownOption(let name, _) = error { return "未知选项 '\(name)'" }
            return error.description
        }
        return strings
    }

    @Test func helpUsesTheGivenWords() {
        let text = outpost.helpText(for: ["customer", "add"], strings: Self.chinese)
        #expect(text.hasPrefix("概述：Add a customer."))
        #expect(text.contains("用法：outpost customer add"))
        #expect(text.contains("选项："))
        #expect(text.contains("(可重复)"))
        #expect(text.contains("(默认：core)"))
        #expect(text.contains("-h, --help"))
        #expect(text.contains("显示帮助信息。"))
        #expect(!text.contains("OPTIONS:"))
    }

    @Test func helpRequestedWhileParsingUsesTheGivenWords() {
        let tool = CommandLineTool(root: outpost, strings: Self.chinese)
        guard case .exit(0, let out, _) = tool.evaluate(["customer", "--help"]) else {
            Issue.record("help expected")
            return
        }
        #expect(out.contains("子命令："))
    }

    @Test func usageErrorsUseTheGivenWords() {
        let tool = CommandLineTool(root: outpost, strings: Self.chinese)
        guard case .exit(64, _, let err) = tool.evaluate(["customer", "list", "--limt", "3"]) else {
            Issue.record("usage error expected")
            return
        }
        #expect(err.hasPrefix("错误：未知选项 '--limt'\n用法：outpost customer list"), "\(err)")
        #expect(err.contains("运行 'outpost customer list --help' 查看更多信息。"))
    }

    @Test func englishStaysTheDefault() {
        #expect(outpost.helpText(for: []).hasPrefix("OVERVIEW: "))
        #expect(HelpStrings.labelled("USAGE:", "x") == "USAGE: x")
        #expect(HelpStrings.labelled("用法：", "x") == "用法：x")
    }
}
