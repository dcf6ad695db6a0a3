import Foundation
import OutpostChildProcess
import OutpostTerminal
import OutpostTestSupport
import Testing
import OutpostClient
import OutpostJSON
import OutpostServer

/// The `outpost` executable in Chinese and English, in local time, with tables that line up.
/// Every test sets LANG (and TZ where times are checked) so the text is stable.
@Suite("outpost in Chinese and English, local time (real executable)")
struct LanguageAndTimeCLITests {
    static let chinese = ["LANG": "zh_CN.UTF-8", "TZ": "Asia/Shanghai"]
    static let english = ["LANG": "en_US.UTF-8", "TZ": "Asia/Shanghai"]

    /// A signed-in device with three customers, one with a Chinese name and one with an emoji.
    static func deviceWithCustomers(_ server: LoopbackServer) async throws -> Device {
        var device = try await server.signedIn("li")
        device.environment = english
        try await device.execOK("customer", "add", "--code", "C-1", "--name", "北京华联", "--kind", "enterprise", "--tier", "core")
        try await device.execOK("customer", "add", "--code", "C-2", "--name", "Acme Trading", "--kind", "enterprise", "--tier", "important")
        try await device.execOK("customer", "add", "--code", "C-3", "--name", "🚚 顺丰快运 Cafe\u{301}", "--kind", "channel-partner", "--tier", "general")
        return device
    }

    @Test func chineseCustomerTableLinesUpWithChineseAndEmojiNames() async throws {
        let server = try LoopbackServer()
        var device = try await Self.deviceWithCustomers(server)
        device.environment = Self.chinese
        let table = try await device.execOK("customer", "list").out
        let lines = table.split(separator: "\n")
        #expect(lines.first?.hasPrefix("ID        代码  名称") == true, "\(table)")
        #expect(table.contains("尚未拜访"))
        #expect(table.contains("北京华联"), "field values are never translated")
        let starts = lines.map(DisplayWidthTests.cellStarts)
        for column in 1...4 {
            let columnStarts = starts.map { $0.count > column ? $0[column] : -1 }
            #expect(Set(columnStarts).count == 1, "column \(column) starts at \(columnStarts):\n\(table)")
        }
    }

    @Test func jsonIsTheSameInEveryLanguage() async throws {
        let server = try LoopbackServer()
        var device = try await Self.deviceWithCustomers(server)
        let inEnglish = try await device.execOK("customer", "list", "--json").json()
        device.environment = Self.chinese
        let inChinese = try await device.execOK("customer", "list", "--json").json()
        #expect(inChinese == inEnglish)
        let names = inChinese.arrayValue?.compactMap { $0.objectValue?["name"]?.stringValue }
        #expect(names?.contains("北京华联") == true)
        let status = try await device.execOK("status", "--json").json()
        #expect(status.objectValue?["lastSync"] == .null)
        #expect(status.objectValue?["user"] == "li")
    }

    @Test func theLanguageComesFromLangThenTheSettingThenTheFlag() async throws {
        let server = try LoopbackServer()
        var device = try await server.signedIn("li")
        device.environment = Self.chinese
        let added = try await device.execOK("customer", "add", "--code", "C-1", "--name", "北京华联", "--kind", "enterprise", "--tier", "core")
        #expect(added.out.hasPrefix("已新增 客户 C-1“北京华联”"), "\(added.out)")
        #expect(try await device.execOK("customer", "show", "C-1", "--lang", "en").out.hasPrefix("Customer C-1 “北京华联”"))

        // The replica's setting beats the locale; --lang beats the setting.
        device.environment = Self.english
        let set = try await device.execOK("config", "set", "lang", "zh")
        #expect(set.out.contains("中文"), "\(set.out)")
        #expect(try await device.execOK("status").out.contains("待发送"))
        #expect(try await device.execOK("status", "--lang", "en").out.contains("Pending"))
        #expect(try await device.execOK("config", "get", "lang").out == "zh\n")
        try await device.execOK("config", "unset", "lang")
        #expect(try await device.execOK("status").out.contains("Pending"))

        let bad = try await device.exec("status", "--lang", "fr")
        #expect(bad.status == 64)
        #expect(bad.err.contains("zh"))
        let badSetting = try await device.exec("config", "set", "lang", "klingon")
        #expect(badSetting.status == 64)
    }

    @Test func errorsAndUsageErrorsAreTranslated() async throws {
        let server = try LoopbackServer()
        var device = try await server.signedIn("li")
        device.environment = Self.chinese
        let typo = try await device.exec("cusomer", "list")
        #expect(typo.status == 64)
        #expect(typo.err.hasPrefix("错误：'outpost' 没有子命令 'cusomer'；您是不是要输入 'customer'？"), "\(typo.err)")
        #expect(typo.err.contains("用法："))
        let missing = try await device.exec("customer", "show", "C-404")
        #expect(missing.status == 1)
        #expect(missing.err.contains("没有与 'C-404' 匹配的客户"), "\(missing.err)")
        let badValue = try await device.exec("customer", "add", "--code", "C-9", "--name", "天津", "--kind", "enterprise", "--tier", "gold")
        #expect(badValue.status == 1)
        #expect(badValue.err.contains("客户的字段 'tier' 应为以下之一：core, important, potential, general"), "\(badValue.err)")
    }

    @Test func helpIsTranslatedAndListsEveryVerb() async throws {
        let server = try LoopbackServer()
        var device = try await server.signedIn("li")
        device.environment = Self.chinese
        let root = try await device.execOK("--help").out
        #expect(root.contains("概述：离线优先的客户管理"))
        #expect(root.contains("子命令："))
        for verbs in ["customer   add edit list show delete restore", "contact    add edit list show delete restore",
                      "visit      log edit list show delete restore", "complaint  open edit list show delete restore"] {
            #expect(root.contains(verbs), "\(verbs)\n\(root)")
        }
        let visit = try await device.execOK("visit", "--help").out
        for verb in ["log", "edit", "list", "show", "delete", "restore"] {
            #expect(visit.contains("\n  \(verb) "), "\(verb)\n\(visit)")
        }
        #expect(visit.contains("计划和记录客户拜访"))
        let add = try await device.execOK("customer", "add", "--help").out
        #expect(add.contains("--name <text>"))
        #expect(add.contains("注册名称：文本（不超过 200 个字符）。"), "\(add)")
        device.environment = Self.english
        let english = try await device.execOK("complaint", "--help").out
        #expect(english.contains("OVERVIEW: Record complaints"))
    }

    @Test func timesAreTypedAndShownInTheBranchZoneAndStoredInUTC() async throws {
        let server = try LoopbackServer()
        var device = try await Self.deviceWithCustomers(server)
        // No TZ and no setting: the branch's zone (Asia/Shanghai, UTC+8).
        device.environment = ["LANG": "en_US.UTF-8", "TZ": "", "OUTPOST_NOW": "2026-11-23T12:00:00Z"]
        let planned = try await device.execOK("visit", "log", "--customer", "C-1", "--method", "onsite",
                                              "--planned-at", "2026-11-24 09:30", "--json").json()
        #expect(planned.objectValue?["plannedAt"] == "2026-11-24T01:30:00Z")
        let tomorrow = try await device.execOK("visit", "log", "--customer", "C-2", "--method", "phone",
                                               "--planned-at", "tomorrow 15:00", "--json").json()
        #expect(tomorrow.objectValue?["plannedAt"] == "2026-11-24T07:00:00Z")
        let short = try await device.execOK("visit", "log", "--customer", "C-3", "--method", "video",
                                            "--actual-at", "11-20 9:05", "--json").json()
        #expect(short.objectValue?["actualAt"] == "2026-11-20T01:05:00Z")
        let list = try await device.execOK("visit", "list").out
        #expect(list.contains("2026-11-24 09:30"), "\(list)")
        #expect(list.contains("2026-11-24 15:00"), "\(list)")
        #expect(list.contains("2026-11-20 09:05"), "\(list)")
        let status = try await device.execOK("status").out
        #expect(status.contains("Asia/Shanghai"))
        // $TZ wins over the branch's zone.
        device.environment["TZ"] = "UTC"
        #expect(try await device.execOK("visit", "list").out.contains("2026-11-24 01:30"))
        let unreadable = try await device.exec("visit", "log", "--customer", "C-1", "--method", "onsite", "--planned-at", "soon")
        #expect(unreadable.status == 1)
        #expect(unreadable.err.contains("tomorrow 9:30"), "\(unreadable.err)")
    }

    @Test func aBranchAbroadSetsItsZoneAndDaylightSavingIsFollowed() async throws {
        let server = try LoopbackServer()
        var device = try await Self.deviceWithCustomers(server)
        device.environment = ["LANG": "en_US.UTF-8", "TZ": "Asia/Shanghai", "OUTPOST_NOW": "2026-03-28T12:00:00Z"]
        try await device.execOK("config", "set", "tz", "Europe/Berlin")
        let winter = try await device.execOK("visit", "log", "--customer", "C-1", "--method", "onsite",
                                             "--planned-at", "today 9:30", "--json").json()
        #expect(winter.objectValue?["plannedAt"] == "2026-03-28T08:30:00Z")
        let summer = try await device.execOK("visit", "log", "--customer", "C-1", "--method", "onsite",
                                             "--planned-at", "tomorrow 9:30", "--json").json()
        #expect(summer.objectValue?["plannedAt"] == "2026-03-29T07:30:00Z")
        let list = try await device.execOK("visit", "list").out
        #expect(list.contains("2026-03-28 09:30") && list.contains("2026-03-29 09:30"), "\(list)")
        let skipped = try await device.exec("visit", "log", "--customer", "C-1", "--method", "onsite", "--planned-at", "2026-03-29 02:30")
        #expect(skipped.status == 1)
        #expect(skipped.err.contains("does not exist in Europe/Berlin"), "\(skipped.err)")
        device.environment["LANG"] = "zh_CN.UTF-8"
        let skippedZh = try await device.exec("visit", "log", "--customer", "C-1", "--method", "onsite", "--planned-at", "2026-03-29 02:30")
        #expect(skippedZh.err.contains("Europe/Berlin 没有这个时间"), "\(skippedZh.err)")
        let badZone = try await device.exec("config", "set", "tz", "Europe/Atlantis")
        #expect(badZone.status == 64)
    }

    @Test func syncConflictsAndResolveSpeakChinese() async throws {
        let server = try LoopbackServer()
        var li = try await server.signedIn("li")
        var wang = try await server.signedIn("wang")
        li.environment = Self.chinese
        wang.environment = Self.chinese
        try await li.execOK("customer", "add", "--code", "C-1", "--name", "北京华联", "--kind", "enterprise", "--tier", "core")
        #expect(try await li.execOK("sync").out == "已发送 1 条，已接收 1 条。\n")
        try await wang.execOK("sync")
        try await li.execOK("customer", "edit", "C-1", "--name", "北京华联集团")
        try await wang.execOK("customer", "edit", "C-1", "--name", "华联商厦")
        try await li.execOK("sync")
        let pushed = try await wang.execOK("sync")
        #expect(pushed.out.contains("1 条记录有冲突 — 运行 `outpost conflicts`。"), "\(pushed.out)")
        let conflicts = try await wang.execOK("conflicts").out
        #expect(conflicts.contains("name: 2 个不同的值"), "\(conflicts)")
        #expect(conflicts.contains("（当前值）"))
        #expect(conflicts.contains("wang（本机）") || conflicts.contains("本机"), "\(conflicts)")
        #expect(conflicts.contains("（或 --value 文本）"))
        let resolved = try await wang.execOK("resolve", "C-1", "--field", "name", "--value", "华联")
        #expect(resolved.out.hasPrefix("已解决 客户 C-1"), "\(resolved.out)")
        #expect(resolved.out.contains("“华联”"))
    }

    @Test func networkErrorsSpeakChineseAndKeepTheEdits() async throws {
        let server = try LoopbackServer()
        var device = try await server.signedIn("li")
        device.environment = Self.chinese
        try await device.execOK("customer", "add", "--code", "C-1", "--name", "北京华联", "--kind", "enterprise", "--tier", "core")
        server.stop()
        let failed = try await device.exec("sync")
        #expect(failed.status == 1)
        #expect(failed.err.contains("\n错误：无法连接服务器 \(server.url)"), "\(failed.err)")
        #expect(failed.err.contains("1 条本地修改已保留，下次同步时发送。"), "\(failed.err)")
        let verbose = try await device.exec("sync", "--verbose")
        #expect(verbose.err.contains("  详情："), "\(verbose.err)")
    }

    /// Runs bash completion for the words typed so far (the last one is being completed).
    static func bashComplete(_ script: String, _ words: [String]) throws -> [String] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-completion-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("outpost.bash")
        try script.write(to: file, atomically: true, encoding: .utf8)
        let quoted = words.map { "'\($0)'" }.joined(separator: " ")
        let script = "source '\(file.path)'; COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1); _outpost; printf '%s\\n' \"${COMPREPLY[@]}\""
        return try ChildProcess.output(of: "/bin/bash", ["--norc", "--noprofile", "-c", script]).text
            .split(separator: "\n").map(String.init)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/bash")))
    func bashCompletionFollowsTheCommandTree() async throws {
        let device = LoopbackServer.standalone()
        let script = try await device.execOK("completion", "bash").out
        #expect(try Self.bashComplete(script, ["outpost", "vis"]) == ["visit"])
        #expect(Set(try Self.bashComplete(script, ["outpost", "visit", ""]))
            .isSuperset(of: ["log", "edit", "list", "show", "delete", "restore"]))
        #expect(try Self.bashComplete(script, ["outpost", "--db", "x.db", "complaint", "op"]) == ["open"])
        #expect(try Self.bashComplete(script, ["outpost", "complaint", "list", "--ov"]) == ["--overdue"])
        #expect(Set(try Self.bashComplete(script, ["outpost", "status", "--lang", ""])) == ["zh", "en"])
        #expect(try Self.bashComplete(script, ["outpost", "config", "s"]) == ["set"])
    }

    @Test func zshCompletionDescribesCommandsInTheUsersLanguage() async throws {
        var device = LoopbackServer.standalone()
        device.environment = Self.chinese
        let script = try await device.execOK("completion", "zsh").out
        #expect(script.hasPrefix("#compdef outpost\n"))
        #expect(script.contains("'log:记录一次拜访"), "\(script)")
        #expect(script.contains("--lang) compadd -- en zh; return ;;") || script.contains("--lang) compadd -- zh en; return ;;"))
        #expect(script.contains("\"outpost visit\") cmdpath=\"outpost visit\""))
        let unknown = try await device.exec("completion", "fish")
        #expect(unknown.status == 64)
    }

    /// Runs the zsh completion function for the words typed so far, with zsh's completion
    /// builtins replaced by functions that print what would be offered.
    static func zshComplete(_ script: String, _ words: [String]) throws -> [String] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-completion-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("_outpost")
        try script.write(to: file, atomically: true, encoding: .utf8)
        let quoted = words.map { "'\($0)'" }.joined(separator: " ")
        let driver = """
            compdef() { :; }
            _describe() { local name=$4; print -l -- "${(@P)name}"; }
            compadd() { shift; print -l -- "$@"; }
            _files() { print FILES; }
            _message() { print "MESSAGE $*"; }
            source '\(file.path)'
            words=(\(quoted)); CURRENT=\(words.count); _outpost
            """
        return try ChildProcess.output(of: "/usr/bin/zsh", ["-f", "-c", driver]).text.split(separator: "\n").map(String.init)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/zsh")))
    func zshCompletionFollowsTheCommandTree() async throws {
        var device = LoopbackServer.standalone()
        device.environment = Self.english
        let script = try await device.execOK("completion", "zsh").out
        let visit = try Self.zshComplete(script, ["outpost", "visit", ""])
        #expect(visit.map { $0.split(separator: ":").first.map(String.init) ?? "" } == ["log", "edit", "list", "show", "delete", "restore"])
        #expect(visit.first == "log:Log a visit (now by default) or plan one with --planned-at.")
        let options = try Self.zshComplete(script, ["outpost", "--db", "x.db", "complaint", "list", "--"])
        #expect(options.contains { $0.hasPrefix("--overdue:") } && options.contains { $0.hasPrefix("--lang:") }, "\(options)")
        #expect(Set(try Self.zshComplete(script, ["outpost", "status", "--lang", ""])) == ["zh", "en"])
        #expect(try Self.zshComplete(script, ["outpost", "--db", ""]) == ["FILES"])
    }

    @Test func userAddPrintsJSONForScripts() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-admin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("server.db").path
        let added = try ServerProcess.run(["user", "add", "li", "--role", "sales", "--branch", "BJ", "--json", "--db", database])
        #expect(added.status == 0)
        let object = try JSONValue.parse(added.output).objectValue
        #expect(object?["user"] == "li")
        #expect(object?["role"] == "sales")
        #expect(object?["branch"] == "BJ")
        let token = try #require(object?["token"]?.stringValue)
        #expect(try ServerDatabase(path: database).authenticate(token: token)?.name == "li")
    }
}

extension LoopbackServer {
    /// A device that is not signed in (commands that need no server).
    static func standalone() -> Device {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-standalone-\(UUID().uuidString)")
        return Device(db: directory.appendingPathComponent("replica.db").path, home: directory.path)
    }
}
