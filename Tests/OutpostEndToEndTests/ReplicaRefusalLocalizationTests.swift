import Testing
import OutpostClient
import OutpostModel

/// The typed reasons of ``ReplicaError/notAllowed(_:)`` and ``ReplicaError/nothingToResolve(_:)``:
/// every case has a sentence in both catalogues with the placeholders it fills, and the CLI prints
/// it in the user's language.
@Suite("Replica refusals in both languages")
struct ReplicaRefusalLocalizationTests {
    typealias Reason = ReplicaError.NotAllowedReason
    typealias Problem = ReplicaError.ResolveProblem

    static let id = RecordID(unchecked: "0192d3a4-0000-7000-8000-000000000001")

    /// One value of every case (both forms of `ownsNoCustomers`). ``covers(_:)`` stops compiling
    /// when a case is added, so this list cannot silently fall behind.
    static let reasons: [Reason] = [
        .issuedCodeFixed(code: "BJ-2026-00001"), .invalidUserName("a b"), .alreadyOwned(by: "wu"),
        .reassignInBranch(role: .sales, branch: "BJ"), .ownsNoCustomers(user: "li", code: nil),
        .ownsNoCustomers(user: "li", code: "C-1"), .createdCustomerIsYours(user: "li"), .invalidBranch("b j"),
        .createInBranch(role: .auditor, branch: "SH"), .alreadyExists(id), .changeOwnership,
        .moveToAnotherCustomer(.visit), .changeInBranch(role: .manager, branch: "SH"), .deleteOrRestore(role: .sales),
    ]
    static let problems: [Problem] = [.noConflict(field: "phone", record: id), .choiceOutOfRange(field: "phone", choices: 2)]
    static let repairs: [ReplicaError.RepairProblem] = [.noReplicaFile(path: "li.db"), .cannotMoveAside(target: "li.db.damaged", detail: "Permission denied")]

    static func covers(_ reason: Reason) -> Bool {
        switch reason {
        case .issuedCodeFixed, .invalidUserName, .alreadyOwned, .reassignInBranch, .ownsNoCustomers, .createdCustomerIsYours,
             .invalidBranch, .createInBranch, .alreadyExists, .changeOwnership, .moveToAnotherCustomer, .changeInBranch,
             .deleteOrRestore:
            return true
        }
    }

    static func covers(_ problem: Problem) -> Bool {
        switch problem {
        case .noConflict, .choiceOutOfRange: return true
        }
    }

    static func covers(_ problem: ReplicaError.RepairProblem) -> Bool {
        switch problem {
        case .noReplicaFile, .cannotMoveAside: return true
        }
    }

    @Test func everyReasonHasASentenceInBothCataloguesWithItsPlaceholders() {
        let keyed = Self.reasons.filter(Self.covers).map { ($0.catalogueKey, Set($0.arguments.keys)) }
            + Self.problems.filter(Self.covers).map { ($0.catalogueKey, Set($0.arguments.keys)) }
            + Self.repairs.filter(Self.covers).map { ($0.catalogueKey, Set($0.arguments.keys)) }
        #expect(Set(keyed.map(\.0)).count == keyed.count, "each case (and form) has its own key")
        for (key, names) in keyed {
            let english = Catalogue.english[key], chinese = Catalogue.chinese[key]
            #expect(english != nil, "\(key) missing in English")
            #expect(chinese != nil, "\(key) missing in Chinese")
            #expect(english.map(Catalogue.placeholders(in:)) == names, "\(key): English placeholders")
            #expect(chinese.map(Catalogue.placeholders(in:)) == names, "\(key): Chinese placeholders")
        }
        for role in Role.allCases {
            #expect(Catalogue.english["reason.role.\(role.rawValue)"] != nil && Catalogue.chinese["reason.role.\(role.rawValue)"] != nil, "\(role)")
        }
    }

    /// The English catalogue sentence is the library's `description`, so CLI and library users read the same words.
    @Test func englishSentenceIsTheDescription() {
        let en = Localizer(.english)
        for reason in Self.reasons { #expect(reason.localized(en) == reason.description) }
        for problem in Self.problems { #expect(problem.localized(en) == problem.description) }
        #expect(ReplicaError.notAllowed(.changeOwnership).description == Reason.changeOwnership.description)
        let missing = ReplicaError.RepairProblem.noReplicaFile(path: "li.db")
        #expect(missing.localized(en) == ReplicaError.cannotRepair(missing).description)
        #expect(!ReplicaError.RepairProblem.cannotMoveAside(target: "t", detail: "Permission denied").localized(Localizer(.chinese)).contains("Permission denied"),
                "the file system's English explanation is detail, not the sentence")
    }

    @Test func chineseSentenceNamesTheDataAndTheRoleInChinese() {
        let zh = Localizer(.chinese)
        let text = Reason.reassignInBranch(role: .sales, branch: "BJ").localized(zh)
        #expect(text == "你的角色（销售）不能转交分公司 BJ 的客户；请找该分公司负责人。")
        #expect(Reason.moveToAnotherCustomer(.visit).localized(zh).hasPrefix(zh("entity.visit")))
        #expect(Problem.choiceOutOfRange(field: "phone", choices: 2).localized(zh) == "字段“phone”只有 2 个值可选。")
        for reason in Self.reasons {
            #expect(!reason.localized(zh).contains("{"), "\(reason.catalogueKey)")
        }
    }
}

/// A salesperson's refused actions through the real `outpost` executable under a Chinese locale.
@Suite("Replica refusals in Chinese (real executable)")
struct ReplicaRefusalCLITests {
    @Test func aSalespersonsRefusalsAreChinese() async throws {
        let server = try LoopbackServer()
        var device = try await server.signedIn("li", role: .sales)
        device.environment = ["LANG": "zh_CN.UTF-8", "TZ": "Asia/Shanghai"]
        try await device.execOK("customer", "add", "--code", "C-1", "--name", "北京华联", "--kind", "tenant", "--tier", "general")

        let reassign = try await device.exec("customer", "reassign", "--from", "li", "--to", "wu")
        #expect(reassign.status == 1)
        #expect(reassign.err.hasPrefix("错误："), "\(reassign.err)")
        #expect(reassign.err.contains("你的角色（销售）不能转交分公司 BJ 的客户；请找该分公司负责人。"), "\(reassign.err)")
        #expect(!reassign.err.contains("Your role"), "\(reassign.err)")

        let edit = try await device.exec("customer", "edit", "C-1", "--owner", "wu")
        #expect(edit.status == 1)
        #expect(edit.err.contains("只有分公司负责人、分公司管理员和总部可以更改客户的负责人或共享对象。"), "\(edit.err)")
        #expect(!edit.err.contains("Only managers"), "\(edit.err)")

        let delete = try await device.exec("customer", "delete", "C-1")
        #expect(delete.status == 1)
        #expect(delete.err.contains("你的角色（销售）不能删除或恢复记录。"), "\(delete.err)")

        // The same refusal in English is the library's sentence.
        device.environment = ["LANG": "en_US.UTF-8"]
        let english = try await device.exec("customer", "edit", "C-1", "--owner", "wu")
        #expect(english.err.contains(ReplicaError.NotAllowedReason.changeOwnership.description), "\(english.err)")
    }
}
