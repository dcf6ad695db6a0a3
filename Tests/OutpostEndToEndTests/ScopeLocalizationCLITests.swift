import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostServer

/// The scope commands and the server's refusals in Chinese, through the real `outpost` executable.
@Suite("Scope commands and server refusals in Chinese (real executable)")
struct ScopeLocalizationCLITests {
    static let chinese = ["LANG": "zh_CN.UTF-8", "TZ": "Asia/Shanghai"]

    @Test func setAsideAndUserHelpAreChinese() async throws {
        let server = try LoopbackServer()
        var device = try await server.signedIn("li")
        device.environment = Self.chinese
        let setAside = try await device.execOK("set-aside", "list", "--help").out
        #expect(setAside.contains("列出被搁置的记录及搁置原因。"), "\(setAside)")
        #expect(!setAside.contains("List the set-aside records"), "\(setAside)")
        let users = try await device.execOK("user", "list", "--help").out
        #expect(users.contains("列出你管理的账号及其状态和最近同步时间。"), "\(users)")
        #expect(users.contains("只列出这么多天内未同步的账号"), "\(users)")
        let group = try await device.execOK("user", "--help").out
        #expect(group.contains("冻结账号，直到解冻"), "\(group)")
        let reassign = try await device.execOK("customer", "reassign", "--help").out
        #expect(reassign.contains("新负责人（用户名）。"), "\(reassign)")
        #expect(try await device.execOK("set-aside", "list").out == "没有被搁置的记录。\n")
    }

    /// A device that still believes its user is a manager deletes a customer after the server made
    /// the user a salesperson: the server refuses the deletion (`forbidden`). `status` says so in
    /// Chinese, chosen by the code; the server's own English message appears only with --verbose.
    @Test func aRefusedEditIsExplainedInChineseAndTheServerMessageIsInVerbose() async throws {
        let server = try LoopbackServer()
        var device = try await server.signedIn("li", role: .manager)
        device.environment = Self.chinese
        try await device.execOK("customer", "add", "--code", "D-1", "--name", "北京华联", "--kind", "tenant", "--tier", "general")
        try await device.execOK("sync")
        _ = try server.support.database.setUser(name: "li", role: .sales, branch: nil)
        try await device.execOK("customer", "delete", "D-1")
        let synced = try await device.execOK("sync")
        #expect(synced.out.contains("outpost status"), "\(synced.out)")

        let refused = try #require(try await device.execOK("status", "--json").json().objectValue?["refused"]?.arrayValue?.first?.objectValue)
        #expect(refused["code"] == "forbidden")
        let serverMessage = try #require(refused["message"]?.stringValue)
        #expect(!serverMessage.isEmpty)

        let status = try await device.execOK("status").out
        #expect(status.contains("服务器拒绝：你的账号无权这样做"), "\(status)")
        #expect(!status.contains(serverMessage), "the server's English message is technical detail:\n\(status)")
        let verbose = try await device.execOK("status", "--verbose").out
        #expect(verbose.contains("服务器拒绝：你的账号无权这样做"), "\(verbose)")
        #expect(verbose.contains(serverMessage), "\(verbose)")
        #expect(verbose.contains("详情：forbidden"), "\(verbose)")
    }

    /// A request the server refuses outright (a salesperson may not administer accounts): the error
    /// is a Chinese sentence chosen by the code; --verbose adds the server's message.
    @Test func aRefusedRequestIsChineseWithTheServerMessageUnderVerbose() async throws {
        let server = try LoopbackServer()
        var device = try await server.signedIn("li", role: .sales)
        device.environment = Self.chinese
        let plain = try await device.exec("user", "freeze", "wang")
        #expect(plain.status == 1)
        #expect(plain.err.hasPrefix("错误："), "\(plain.err)")
        #expect(plain.err.contains("服务器"), "\(plain.err)")
        #expect(!plain.err.contains("详情："), "\(plain.err)")
        let verbose = try await device.exec("user", "freeze", "wang", "--verbose")
        #expect(verbose.status == 1)
        #expect(verbose.err.hasPrefix(plain.err), "\(verbose.err)")
        #expect(verbose.err.contains("详情：403"), "\(verbose.err)")
    }
}
