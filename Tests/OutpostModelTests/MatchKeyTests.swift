import Testing
import OutpostJSON

@testable import OutpostModel

@Suite("Duplicate-check match keys and credit codes")
struct MatchKeyTests {
    @Test(arguments: [
        ("北京华联（集团）有限公司", "北京华联"),
        ("北京华联股份有限公司", "北京 华联"),
        ("上海申通有限责任公司", "上海申通"),
        ("ＡＣＭＥ　Ｔｒａｄｉｎｇ", "acme trading"),
        ("ACME Trading Co., Ltd.", "Acme-Trading"),
        ("Acme Inc.", "ACME"),
    ])
    func namesWrittenDifferentlyShareAKey(_ pair: (String, String)) {
        #expect(MatchKeys.name(pair.0) == MatchKeys.name(pair.1))
        #expect(!MatchKeys.name(pair.0).isEmpty)
    }

    @Test func distinctNamesKeepDistinctKeys() {
        #expect(MatchKeys.name("Tesco") != MatchKeys.name("Tes"))
        #expect(MatchKeys.name("北京华联") != MatchKeys.name("北京华润"))
        #expect(MatchKeys.name("集团") == "集团", "a bare suffix is kept rather than emptied")
    }

    @Test(arguments: [
        ("+86 138-0013-8000", "13800138000"),
        ("0086 13800138000", "138 0013 8000"),
        ("8613800138000", "13800138000"),
        ("(010) 6234-5678", "010-62345678"),
        ("+86 10 6234 5678", "010 62345678"),
        ("０１０－６２３４５６７８", "01062345678"),
    ])
    func phonesWrittenDifferentlyMatch(_ pair: (String, String)) throws {
        let a = try #require(MatchKeys.phone(pair.0))
        let b = try #require(MatchKeys.phone(pair.1))
        #expect(a.matches(b) && b.matches(a))
    }

    @Test func aLandlineWithoutAreaCodeMatchesTheFullNumberOnly() throws {
        let local = try #require(MatchKeys.phone("6234 5678"))
        #expect(!local.hasAreaCode)
        #expect(local.matches(try #require(MatchKeys.phone("010-62345678"))))
        #expect(!local.matches(try #require(MatchKeys.phone("010-62345679"))))
        #expect(!(try #require(MatchKeys.phone("13800138000"))).matches(try #require(MatchKeys.phone("13800138001"))))
        #expect(MatchKeys.phone("12-34") == nil)
    }

    /// GB 32100-2015's own example and codes of listed companies (published).
    @Test(arguments: ["91350100M000100Y43", "91110000600037341L", "91440300708461136T", " 91350100m000100y43 "])
    func validCreditCodesAreAccepted(_ text: String) {
        #expect(CreditCode.validate(text) == nil)
        #expect(CreditCode(text)?.text == text.trimmingCharacters(in: .whitespaces).uppercased())
    }

    @Test func invalidCreditCodesSayWhatIsWrong() {
        #expect(CreditCode.validate("91350100M000100Y44") == .wrongCheckCharacter(expected: "3"))
        #expect(CreditCode.validate("91350100M000100Y4") == .wrongLength(17))
        #expect(CreditCode.validate("91350100M000I00Y43") == .invalidCharacter("I", position: 13))
        #expect(CreditCode("91350100M000100Y44") == nil)
    }
}

@Suite("The customer's creditCode field")
struct CreditCodeFieldTests {
    static func customer(creditCode: JSONValue) -> Record {
        Record.create(id: .random(), type: .customer, branch: "BJ",
                      fields: ["code": "C-1", "name": "Acme", "kind": "enterprise", "tier": "core", "creditCode": creditCode],
                      node: NodeID(unchecked: "n1"), at: HybridTimestamp(millis: 1))
    }

    @Test func aValidUpperCaseCodeIsAccepted() throws {
        try EntitySchema.customer.validate(Self.customer(creditCode: "91350100M000100Y43"))
        try EntitySchema.customer.validate(Self.customer(creditCode: .null))
    }

    @Test(arguments: ["91350100M000100Y44", "91350100m000100y43", "9135", ""])
    func aMistypedOrLowerCaseCodeIsRefusedNamingTheField(_ text: String) {
        #expect { try EntitySchema.customer.validate(Self.customer(creditCode: .string(text))) } throws: { error in
            (error as? ValidationError)?.field == "creditCode"
        }
    }
}

@Suite("Duplicate check")
struct DuplicateCheckTests {
    static let ids = (0..<6).map { RecordID(unchecked: "00000000-0000-4000-8000-00000000000\($0)") }

    @Test func aNewCustomerMatchesByCreditCodeNameAndPhoneWithEveryReason() {
        let existing = [
            (id: Self.ids[0], keys: CustomerMatchKeys(customer: ["name": "北京华联股份有限公司", "creditCode": "91350100M000100Y43"])),
            (id: Self.ids[1], keys: CustomerMatchKeys(customer: ["name": "Acme"], contactPhones: ["010-62345678"])),
            (id: Self.ids[2], keys: CustomerMatchKeys(customer: ["name": "Other"])),
        ]
        let candidate = CustomerMatchKeys(customer: ["name": "北京华联", "creditCode": "91350100M000100Y43"], contactPhones: ["6234 5678"])
        let matches = DuplicateCheck.matches(candidate, among: existing)
        #expect(matches == [
            DuplicateMatch(existing: Self.ids[0], reasons: [.sameCreditCode("91350100M000100Y43"), .sameName("北京华联")]),
            DuplicateMatch(existing: Self.ids[1], reasons: [.samePhone("62345678")]),
        ])
    }

    @Test func groupsAreTransitiveAndIndependentOfInputOrder() {
        let customers = [
            (id: Self.ids[3], keys: CustomerMatchKeys(customer: ["name": "Acme Co., Ltd."])),
            (id: Self.ids[1], keys: CustomerMatchKeys(customer: ["name": "ACME"], contactPhones: ["13800138000"])),
            (id: Self.ids[4], keys: CustomerMatchKeys(customer: ["name": "Different"], contactPhones: ["+86 138 0013 8000"])),
            (id: Self.ids[2], keys: CustomerMatchKeys(customer: ["name": "Alone"])),
            (id: Self.ids[5], keys: CustomerMatchKeys(customer: ["name": "Local"], contactPhones: ["62345678"])),
            (id: Self.ids[0], keys: CustomerMatchKeys(customer: ["name": "Area"], contactPhones: ["(010) 6234-5678"])),
        ]
        let expected = [[Self.ids[0], Self.ids[5]], [Self.ids[1], Self.ids[3], Self.ids[4]]]
        #expect(DuplicateCheck.groups(customers) == expected)
        #expect(DuplicateCheck.groups(customers.reversed()) == expected)
    }

    @Test func searchKeysFoldWidthCaseSpacesAndPunctuationButKeepSuffixes() {
        #expect(MatchKeys.searchKey("ＡＣＭＥ Trading Co., Ltd.") == "acmetradingcoltd")
        #expect(MatchKeys.searchKey("北京华联（集团）有限公司") == "北京华联集团有限公司")
        #expect(MatchKeys.searchKey("华联 集团") == "华联集团")
        #expect(MatchKeys.searchKey("A\u{10FFFF}b") == "ab", "noncharacters dropped: U+10FFFF bounds prefix ranges")
        // The ASCII fast path keeps exactly what the general path keeps: a non-ASCII letter
        // appended sends the same text through the general path.
        for byte in UInt8(0)..<128 {
            let text = "Ab\(Character(Unicode.Scalar(byte)))z9"
            #expect(MatchKeys.searchKey(text) + "é" == MatchKeys.searchKey(text + "é"), "byte \(byte)")
        }
    }
}
