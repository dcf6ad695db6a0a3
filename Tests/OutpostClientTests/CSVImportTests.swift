import Foundation
import Testing
import OutpostClient
import OutpostJSON
import OutpostModel

/// CSV reading and writing, text decoding (real GBK bytes) and the import's validation report.
@Suite("CSV import and export")
struct CSVImportTests {
    static let local = LocalTime(identifier: "Asia/Shanghai")!
    static let now = Timestamps.parse("2026-12-01T00:00:00Z")!
    var options: ImportOptions { ImportOptions(local: Self.local, now: Self.now) }

    @Test func parsesRFC4180QuotingLineBreaksAndLineNumbers() throws {
        let rows = try CSV.parse("a,b,c\r\n1,\"x, \"\"y\"\"\",\"two\nlines\"\n\n3,,\r\nlast,no,newline")
        #expect(rows.map(\.line) == [1, 2, 5, 6])
        #expect(rows[1].fields == ["1", "x, \"y\"", "two\nlines"])
        #expect(rows[2].fields == ["3", "", ""])
        #expect(rows[3].fields == ["last", "no", "newline"])
        #expect(throws: CSV.ParseError.unterminatedQuote(line: 2)) { try CSV.parse("a\n\"open\nstill") }
        #expect(throws: CSV.ParseError.textAfterQuote(line: 1)) { try CSV.parse("\"a\"b,c") }
    }

    @Test func writesWhatItReads() throws {
        let fields = ["plain", "comma, inside", "quote \"q\"", "line\nbreak", " padded ", "北京", ""]
        let text = CSV.line(fields) + CSV.line(["2"])
        #expect(text.hasPrefix("plain,\"comma, inside\",\"quote \"\"q\"\"\",\"line\nbreak\",\" padded \",北京,\r\n"))
        #expect(try CSV.parse(text).map(\.fields) == [fields, ["2"]])
    }

    @Test func decodesUTF8WithAndWithoutBOMAndRealGBKBytes() throws {
        // 北京华联,核心 saved by Excel on a Chinese Windows (GBK).
        let gbk: [UInt8] = [0xB1, 0xB1, 0xBE, 0xA9, 0xBB, 0xAA, 0xC1, 0xAA, 0x2C, 0xBA, 0xCB, 0xD0, 0xC4]
        let decoded = try TextDecoding.decode(gbk)
        #expect(decoded.text == "北京华联,核心" && decoded.encoding == .gb18030)
        #expect(try TextDecoding.decode(Array("北京".utf8)).encoding == .utf8)
        let bom = try TextDecoding.decode([0xEF, 0xBB, 0xBF] + Array("北京".utf8))
        #expect(bom.text == "北京" && bom.encoding == .utf8BOM)
        #expect(TextDecoding.encodeGB18030("北京华联,核心") == gbk)
        // 0x81 0x20: a lead byte followed by a space is neither UTF-8 nor GB18030.
        #expect(throws: TextDecodingError.self) { try TextDecoding.decode([0x41, 0x81, 0x20]) }
    }

    @Test func mapsEnglishOptionAndChineseHeaders() {
        #expect(CSVColumns.field(forHeader: "客户名称", type: .customer) == "name")
        #expect(CSVColumns.field(forHeader: "Annual Purchase", type: .customer) == "annualPurchase")
        #expect(CSVColumns.field(forHeader: "annual-purchase", type: .customer) == "annualPurchase")
        #expect(CSVColumns.field(forHeader: "*客户编码", type: .customer) == "code")
        #expect(CSVColumns.field(forHeader: "统一社会信用代码", type: .customer) == "creditCode")
        #expect(CSVColumns.field(forHeader: "客户编码", type: .visit) == "customer")
        #expect(CSVColumns.field(forHeader: "录入人", type: .customer) == nil)
        #expect(CSVColumns.field(forHeader: "mergedInto", type: .customer) == nil)
    }

    @Test func reportsEveryBadRowWithLineAndColumnAndStoresTheRest() throws {
        let replica = try Replica(path: ":memory:")
        let file = """
            code,name,kind,tier,annualPurchase,creditCode
            C-1,Acme,enterprise,core,"1,250,000.50",
            C-2,,enterprise,core,,
            C-3,Beta,enterprise,gold,abc,91350100M000100Y44
            C-1,Again,enterprise,core,,
            C-4,Gamma,个人,一般,,91350100m000100y43

            """
        let report = try replica.importCSV(.customer, bytes: Array(file.utf8), options: options)
        #expect(report.rows == 5 && report.created == 2 && report.stored)
        #expect(report.issues.map { "\($0.line) \($0.field ?? "")" } == ["3 name", "4 annualPurchase", "4 creditCode", "4 tier", "5 code"])
        #expect(report.issues[0].problem == .missing)
        #expect(report.issues[4].problem == .repeatedCode(code: "C-1", firstLine: 2))
        let gamma = try #require(try replica.find("C-4", type: .customer).first)
        #expect(gamma.value(of: "kind") == "individual" && gamma.value(of: "tier") == "general")
        #expect(gamma.value(of: "creditCode") == "91350100M000100Y43")
        #expect(try replica.find("C-1", type: .customer).first?.value(of: "annualPurchase") == .double(1_250_000.5))
        #expect(try replica.pendingChangeCount() == 2)

        // The same file again adds and changes nothing; an edited row updates its customer.
        let again = try replica.importCSV(.customer, bytes: Array(file.utf8), options: options)
        #expect(again.created == 0 && again.updated == 0 && again.unchanged == 2)
        let edited = "客户编码,客户名称,客户类型,客户级别\nC-1,Acme Trading,enterprise,core\n"
        let update = try replica.importCSV(.customer, bytes: Array(edited.utf8), options: options)
        #expect(update.updated == 1 && update.created == 0)
        #expect(try replica.records(.customer).count == 2)
    }

    @Test func dryRunAndAllOrNothingStoreNothing() throws {
        let replica = try Replica(path: ":memory:")
        let file = Array("code,name,kind,tier\nC-1,Acme,enterprise,core\nC-2,Beta,enterprise,bad\n".utf8)
        var dry = options
        dry.dryRun = true
        let dryReport = try replica.importCSV(.customer, bytes: file, options: dry)
        #expect(dryReport.created == 1 && dryReport.badLines == [3] && !dryReport.stored)
        var strict = options
        strict.allOrNothing = true
        #expect(try !replica.importCSV(.customer, bytes: file, options: strict).stored)
        #expect(try replica.records(.customer).isEmpty && replica.pendingChangeCount() == 0)
    }

    @Test func refusesFilesWithoutRequiredColumnsOrInUnknownEncodings() throws {
        let replica = try Replica(path: ":memory:")
        #expect(throws: ImportError.missingColumn(field: "tier")) {
            try replica.importCSV(.customer, bytes: Array("code,name,kind\nC-1,A,enterprise\n".utf8), options: options)
        }
        #expect(throws: ImportError.empty) { try replica.importCSV(.customer, bytes: [], options: options) }
        #expect(throws: ImportError.unsupportedType(.complaint)) { try replica.importCSV(.complaint, bytes: [], options: options) }
    }

    @Test func importsContactsAndVisitsByCustomerCodeInLocalTime() throws {
        let replica = try Replica(path: ":memory:")
        let customer = try replica.create(.customer, fields: ["code": "C-1", "name": "Acme", "kind": "enterprise", "tier": "core"])
        let contacts = "客户编码,姓名,电话,决策人\nC-1,王丽,010-1234 5678；13800138000,是\nC-9,无名,,\nC-1,王丽,,\n"
        let report = try replica.importCSV(.contact, bytes: Array(contacts.utf8), options: options)
        #expect(report.created == 1 && report.issues.map(\.line) == [3, 4])
        #expect(report.issues.first?.problem == .unknownCustomer(code: "C-9"))
        #expect(report.issues.last?.problem == .repeatedCode(code: "王丽", firstLine: 2) && report.issues.last?.column == "姓名")
        let contact = try #require(try replica.records(.contact, customer: customer.id).first)
        #expect(contact.value(of: "phones") == .array(["010-1234 5678", "13800138000"]))
        #expect(contact.value(of: "decisionMaker") == .bool(true))
        let visits = "customer,actualAt,method\nC-1,2026/11/24 09:30,上门\n"
        try replica.importCSV(.visit, bytes: Array(visits.utf8), options: options)
        let visit = try #require(try replica.records(.visit, customer: customer.id).first)
        #expect(visit.value(of: "actualAt") == "2026-11-24T01:30:00Z")
        #expect(visit.value(of: "method") == "onsite")
        #expect(try replica.importCSV(.visit, bytes: Array(visits.utf8), options: options).unchanged == 1)
    }

    @Test func exportStartsWithABOMAndQuotesAsRFC4180() throws {
        let replica = try Replica(path: ":memory:")
        try replica.create(.customer, fields: ["code": "C-1", "name": "Acme, \"Best\"", "kind": "enterprise", "tier": "core",
                                               "annualPurchase": .double(12.5)])
        var text = ""
        #expect(try replica.exportCSV(.customer) { text += $0 } == 1)
        #expect(text.hasPrefix("\u{FEFF}code,name,kind,tier,"))
        let header = CSVColumns.exportHeader(.customer)
        let cells = header.map { ["code": "C-1", "name": "\"Acme, \"\"Best\"\"\"", "kind": "enterprise", "tier": "core", "annualPurchase": "12.5"][$0] ?? "" }
        #expect(text.contains(cells.joined(separator: ",") + "\r\n"))
    }
}
