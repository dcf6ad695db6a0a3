import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel

/// Issue #10 end to end, with the real `outpost` and `outpost-server` executables on a loopback
/// port: a GBK spreadsheet with Chinese headers, bad rows and duplicates is imported, the bad
/// lines are named, the duplicates found and merged on one device while another device edits the
/// duplicate offline; after syncing both hold one customer with every edit.
@Suite("CSV import, duplicates and merge (real processes)")
struct ImportMergeTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func addUser(_ name: String, role: String, database: String) throws -> String {
        let added = try ServerProcess.run(["user", "add", name, "--role", role, "--branch", "BJ", "--db", database])
        try #require(added.status == 0, "\(added.output)")
        return try #require(added.output.split(separator: "\n").last.map(String.init))
    }

    func device(_ name: String) -> Device { Device(db: path("\(name).db"), home: path("home-\(name)")) }

    /// A real-looking customer sheet as Excel on a Chinese Windows saves it: GBK, CRLF, Chinese headers.
    static let customerSheet = [
        "客户编码,客户名称,客户类型,客户级别,统一社会信用代码,行业,备注,负责人,录入人",
        "C-001,北京华联有限公司,企业,核心,91350100M000100Y43,零售,\"老客户, 年框\",wang,张三",
        "C-002,上海东方贸易有限公司,enterprise,important,,贸易,,li,张三",
        "C-003,,企业,核心,,,,li,李四",                                   // line 4: no name
        "C-004,广州白云商行,企业,超级,,,,li,李四",                        // line 5: unknown tier
        "C-005,深圳南山科技,企业,一般,91350100M000100Y44,,,li,李四",      // line 6: wrong check character
        "C-006,北京华联（集团）,企业,重要,,零售,,li,王五",                // duplicate of C-001 by name
        "C-002,东方贸易,企业,一般,,,,li,王五",                           // line 8: code repeated
        "C-007,\"天津\"\"滨海\"\"物流\",企业,潜在,,物流,\"两行\n备注\",wang,王五",
    ].joined(separator: "\r\n") + "\r\n"

    @Test func aSpreadsheetIsImportedDeduplicatedAndMergedAcrossDevices() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = path("server.db")
        let wangToken = try addUser("wang", role: "manager", database: database)
        let liToken = try addUser("li", role: "sales", database: database)
        let server = try ServerProcess(database: database)
        defer { _ = server.terminate() }
        let wang = device("wang"), li = device("li")
        try await wang.execOK("init", "--server", server.baseURL, "--token", wangToken)
        try await li.execOK("init", "--server", server.baseURL, "--token", liToken)

        // Real GBK bytes: not UTF-8, 北京 as B1B1 BEA9.
        let gbk = try #require(TextDecoding.encodeGB18030(Self.customerSheet))
        #expect(String(validating: gbk, as: UTF8.self) == nil)
        #expect(gbk.firstRange(of: [0xB1, 0xB1, 0xBE, 0xA9]) != nil)
        let sheet = path("客户.csv")
        try Data(gbk).write(to: URL(fileURLWithPath: sheet))

        // A dry run names every bad line and its column, and stores nothing.
        let dry = try await wang.exec("import", "customers", sheet, "--dry-run")
        #expect(dry.status == 1)
        #expect(dry.out.contains("(gb18030)"))
        #expect(dry.out.contains("Line 4, column 客户名称 (name): empty, but name is required"))
        #expect(dry.out.contains("Line 5, column 客户级别 (tier)"))
        #expect(dry.out.contains("Line 6, column 统一社会信用代码 (creditCode)"))
        #expect(dry.out.contains("Line 8, column 客户编码 (code): C-002 is already on line 3"))
        #expect(dry.out.contains("Columns not imported: 录入人"))
        #expect(try await wang.execOK("customer", "list", "--json").json().arrayValue?.isEmpty == true)
        var chinese = wang
        chinese.environment["LANG"] = "zh_CN.UTF-8"
        let zhDry = try await chinese.exec("import", "customers", sheet, "--dry-run")
        #expect(zhDry.out.contains("第 4 行，列 客户名称（name）：为空，但 name 是必填项"))
        #expect(zhDry.out.contains("试运行，未保存"))

        // All or nothing: refused as a whole.
        let refused = try await wang.exec("import", "customers", sheet, "--all-or-nothing", "--json")
        #expect(refused.status == 1)
        #expect(try refused.json().objectValue?["stored"] == .bool(false))
        #expect(try await wang.execOK("customer", "list", "--json").json().arrayValue?.isEmpty == true)

        // The import stores the valid rows and leaves the bad ones out.
        let imported = try await wang.exec("import", "customers", sheet, "--json")
        #expect(imported.status == 1, "bad rows make the exit status 1")
        let report = try #require(try imported.json().objectValue)
        #expect(report["created"] == .int(4))
        #expect(report["badLines"] == .array([.int(4), .int(5), .int(6), .int(8)]))
        #expect(report["stored"] == .bool(true))
        let duplicates = try #require(report["duplicates"]?.arrayValue)
        #expect(duplicates.count == 1 && duplicates[0].objectValue?["code"] == .string("C-006"))
        let c007 = try await wang.execOK("customer", "show", "C-007", "--json").json().objectValue
        #expect(c007?["name"] == .string("天津\"滨海\"物流"))
        #expect(c007?["notes"] == .string("两行\n备注"))

        // Importing the same file again adds nothing.
        let again = try await wang.exec("import", "customers", sheet, "--json")
        #expect(try again.json().objectValue?["created"] == .int(0))
        #expect(try again.json().objectValue?["unchanged"] == .int(4))
        #expect(try await wang.execOK("customer", "list", "--json").json().arrayValue?.count == 4)

        // Contacts and visits, UTF-8 with BOM, matched to customers by code.
        let contacts = "\u{FEFF}客户编码,姓名,职务,电话\r\nC-006,赵六,采购经理,010-6512 3456; 13800138000\r\nC-404,无名,,\r\n"
        try Data(contacts.utf8).write(to: URL(fileURLWithPath: path("contacts.csv")))
        let contactImport = try await wang.exec("import", "contacts", path("contacts.csv"))
        #expect(contactImport.status == 1)
        #expect(contactImport.out.contains("Line 3, column 客户编码 (customer): no customer with code C-404"))
        let visits = "customer,actualAt,method,summary\nC-006,2026-11-20 10:00,上门,签了年框\n"
        try Data(visits.utf8).write(to: URL(fileURLWithPath: path("visits.csv")))
        try await wang.execOK("import", "visits", path("visits.csv"))

        // Adding a customer that looks like an existing one is refused unless forced.
        let dup = try await wang.exec("customer", "add", "--code", "C-100", "--name", "北京华联股份有限公司", "--kind", "enterprise", "--tier", "core")
        #expect(dup.status == 1)
        #expect(dup.err.contains("C-001") || dup.err.contains("C-006"))
        #expect(dup.err.contains("--force"))

        // The duplicates report finds C-001 and C-006.
        let groups = try await wang.execOK("customer", "duplicates", "--json").json().arrayValue ?? []
        #expect(groups.count == 1)
        let codes = Set(groups.first?.arrayValue?.compactMap { $0.objectValue?["code"]?.stringValue } ?? [])
        #expect(codes == ["C-001", "C-006"])

        // A salesperson's import makes the customers hers; naming another owner is refused per row.
        let mine = "code,name,kind,tier,owner\nL-1,李记小吃,individual,general,\nL-2,王记面馆,individual,general,wang\n"
        try Data(mine.utf8).write(to: URL(fileURLWithPath: path("li.csv")))
        let liImport = try await li.exec("import", "customers", path("li.csv"))
        #expect(liImport.status == 1 && liImport.out.contains("Line 3, column owner: a customer you import is yours (owner li)"))
        #expect(try await li.execOK("customer", "show", "L-1", "--json").json().objectValue?["owner"] == .string("li"))

        // Both devices hold everything; then li edits C-006 offline and adds a contact to it.
        try await wang.execOK("sync")
        // Headquarters sees the same group on the server, across devices.
        let serverReport = try ServerProcess.run(["duplicates", "--db", database, "--json"])
        #expect(serverReport.status == 0)
        let serverGroups = try JSONValue.parse(serverReport.output).arrayValue ?? []
        #expect(Set(serverGroups.first?.arrayValue?.compactMap { $0.objectValue?["code"]?.stringValue } ?? []) == ["C-001", "C-006"])
        try await li.execOK("sync")
        try await li.execOK("customer", "edit", "C-006", "--address", "北京市朝阳区建国路 1 号")
        try await li.execOK("contact", "add", "--customer", "C-006", "--name", "钱七")

        // A salesperson may not merge (not even two of her own customers); the manager merges on his device.
        #expect(try await li.execOK("customer", "list", "--json").json().arrayValue?.count == 3, "li sees her own customers")
        let salesMerge = try await li.exec("customer", "merge", "C-002", "C-006", "--yes")
        #expect(salesMerge.status == 1 && salesMerge.err.contains("sales"))
        let merge = try await wang.execOK("customer", "merge", "C-001", "C-006", "--yes")
        #expect(merge.out.contains("2 contacts, visits and complaints moved"))
        try await wang.execOK("sync")
        try await li.execOK("sync")
        try await wang.execOK("sync")

        // One customer, every edit kept, on both devices.
        for device in [wang, li] {
            let list = try await device.execOK("customer", "list", "--json").json().arrayValue ?? []
            #expect(!list.contains { $0.objectValue?["code"] == .string("C-006") })
            let keep = try await device.execOK("customer", "show", "C-001", "--json").json().objectValue
            #expect(keep?["address"] == .string("北京市朝阳区建国路 1 号"))
            #expect(keep?["contacts"] == .int(2))
            #expect(keep?["visits"] == .int(1))
            let names = Set(try await device.execOK("contact", "list", "--customer", "C-001", "--json").json().arrayValue?
                .compactMap { $0.objectValue?["name"]?.stringValue } ?? [])
            #expect(names == ["赵六", "钱七"])
        }
        // The merged duplicate is not edited any more; the message names the customer to edit.
        let late = try await li.exec("customer", "edit", "C-006", "--notes", "too late")
        #expect(late.status == 1 && late.err.contains("merged into customer C-001"))
        // The tombstone keeps li's late edit for review; it cannot be restored, the notice is cleared by deleting again.
        let conflicts = try await wang.execOK("conflicts").out
        #expect(conflicts.contains("merged into customer C-001"))
        let restore = try await wang.exec("resolve", "C-006", "--restore")
        #expect(restore.status == 1 && restore.err.contains("cannot be restored"))
        try await wang.execOK("resolve", "C-006", "--delete")
        try await wang.execOK("sync")
        try await li.execOK("sync")
        #expect(try await li.execOK("status", "--json").json().objectValue?["conflicts"] == .int(0))
        // C-001 is now shared with li (the duplicate's owner): both export the same line for it.
        let wangExport = try await wang.execOK("export", "customers").out
        let liExport = try await li.execOK("export", "customers").out
        let line = { (text: String) in text.split(separator: "\r\n").first { $0.hasPrefix("C-001,") }.map(String.init) }
        #expect(line(wangExport) != nil && line(wangExport) == line(liExport))
        #expect(line(liExport)?.contains(",wang,li,") == true)
        #expect(try await li.execOK("status", "--json").json().objectValue?["pendingChanges"] == .int(0))
    }

    @Test func exportWritesWhatImportReads() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = device("source"), copy = device("copy")
        try await source.execOK("customer", "add", "--code", "C-1", "--name", "Acme, \"Best\" Ltd", "--kind", "enterprise",
                                "--tier", "core", "--annual-purchase", "1250000.5", "--credit-code", "91350100M000100Y43")
        try await source.execOK("customer", "add", "--code", "C-2", "--name", "北京华联", "--kind", "individual", "--tier", "general",
                                "--notes", "line one\nline two")
        try await source.execOK("contact", "add", "--customer", "C-1", "--name", "Wang Li", "--phones", "010-12345678",
                                "--phones", "13800138000", "--decision-maker", "true")
        try await source.execOK("visit", "log", "--customer", "C-2", "--method", "phone", "--actual-at", "2026-11-24T09:30:00Z", "--satisfaction", "4")
        try await source.execOK("complaint", "open", "--customer", "C-1", "--channel", "phone", "--content", "Late, again",
                                "--category", "assist", "--received-at", "2026-11-24T10:00:00Z")
        // The same credit code is the same company: refused unless forced.
        let same = try await source.exec("customer", "add", "--code", "C-3", "--name", "Other name", "--kind", "enterprise",
                                         "--tier", "core", "--credit-code", "91350100m000100y43")
        #expect(same.status == 1 && same.err.contains("C-1") && same.err.contains("same credit code 91350100M000100Y43"))
        try await source.execOK("customer", "add", "--code", "C-3", "--name", "Other name", "--kind", "enterprise",
                                "--tier", "core", "--credit-code", "91350100M000100Y43", "--force")
        for (word, file) in [("customers", "c.csv"), ("contacts", "k.csv"), ("visits", "v.csv"), ("complaints", "x.csv")] {
            try await source.execOK("export", word, "--output", path(file))
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path(file)))
            #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF], "\(word) starts with a BOM")
        }
        #expect(try String(contentsOfFile: path("x.csv"), encoding: .utf8).contains("\"Late, again\""))
        // Not a terminal: no progress bar unless asked for.
        let quiet = try await device("dry").execOK("import", "customers", path("c.csv"), "--dry-run")
        #expect(!quiet.err.contains("%"))
        let imported = try await copy.execOK("import", "customers", path("c.csv"), "--progress")
        #expect(imported.err.contains("] 100%  3/3"))
        try await copy.execOK("import", "contacts", path("k.csv"))
        try await copy.execOK("import", "visits", path("v.csv"))
        for word in ["customers", "contacts", "visits"] {
            let a = try await source.execOK("export", word).out, b = try await copy.execOK("export", word).out
            #expect(a == b, "\(word) round trip")
        }
        // A second import of each changes nothing.
        for (word, file) in [("customers", "c.csv"), ("contacts", "k.csv"), ("visits", "v.csv")] {
            let again = try await copy.execOK("import", word, path(file), "--json").json().objectValue
            #expect(again?["created"] == .int(0) && again?["updated"] == .int(0), "\(word)")
        }
    }
}
