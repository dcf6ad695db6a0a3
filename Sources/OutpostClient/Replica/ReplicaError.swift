import OutpostModel

/// Why a local operation on the replica was refused. Nothing is stored when one is thrown.
public enum ReplicaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No record has this id.
    case notFound(String)
    /// The data does not satisfy the entity schema.
    case invalid(ValidationError)
    /// Another live customer already uses this code.
    case duplicateCode(code: String, existing: RecordID)
    /// The record referenced by a `customer` field does not exist (or is deleted) on this device.
    case unknownCustomer(String)
    /// The record was deleted; restore it first.
    case deleted(RecordID)
    /// The signed-in role may not do this, or the action is not possible for this record.
    case notAllowed(NotAllowedReason)
    /// The field has no conflict to resolve, or the choice is out of range.
    case nothingToResolve(ResolveProblem)
    /// The local database is damaged or from an incompatible version.
    case corrupt(String)
    /// A damaged replica could not be rebuilt (see ``Replica/repair(path:wallClock:)``).
    case cannotRepair(RepairProblem)
    /// Signing in as another user was refused: the replica holds the records or unsent edits
    /// of `user`, which the new user may not be allowed to see or must not send as their own.
    case belongsToAnotherUser(user: String, records: Int, pendingChanges: Int)

    public var description: String {
        switch self {
        case .notFound(let id): return "No record with id \(id) on this device."
        case .invalid(let error): return error.description
        case .duplicateCode(let code, let existing):
            return "Customer code '\(code)' is already used by record \(existing). Customer codes must be unique."
        case .unknownCustomer(let id): return "No customer \(id) on this device. Sync first, or check the id."
        case .deleted(let id): return "Record \(id) has been deleted. Restore it before editing."
        case .notAllowed(let reason): return reason.description
        case .nothingToResolve(let problem): return problem.description
        case .corrupt(let reason): return "The local database is damaged: \(reason)"
        case .cannotRepair(let problem): return "The local database could not be rebuilt: \(problem)"
        case .belongsToAnotherUser(let user, let records, let pending):
            let unsent = pending == 0 ? "" : pending == 1 ? " and 1 unsent edit" : " and \(pending) unsent edits"
            return "This replica belongs to \(user) and holds \(records == 1 ? "1 record" : "\(records) records")\(unsent). "
                + "Use a separate replica for each user, or sync \(user)'s edits and remove this replica first."
        }
    }
}

extension ReplicaError {
    /// Why ``ReplicaError/notAllowed(_:)`` was thrown, with the data the sentence names.
    ///
    /// ``description`` is English for library users; ``localized(_:)`` gives the sentence from the
    /// catalogue (key ``catalogueKey``, placeholders ``arguments``) in any ``Language``.
    ///
    /// ```swift
    /// let reason = ReplicaError.NotAllowedReason.deleteOrRestore(role: .sales)
    /// reason.localized(Localizer(.chinese))   // "你的角色（销售）不能删除或恢复记录。请找负责人。"
    /// ```
    public enum NotAllowedReason: Sendable, Hashable, CustomStringConvertible {
        /// The customer code was issued by the branch's code scheme and may not be changed.
        case issuedCodeFixed(code: String)
        /// The name is not a valid user name.
        case invalidUserName(String)
        /// A reassignment names the same user as old and new owner.
        case alreadyOwned(by: String)
        /// The role may not reassign customers of this branch.
        case reassignInBranch(role: Role, branch: String)
        /// A reassignment matched no customer of `user` (with `code`, when given).
        case ownsNoCustomers(user: String, code: String?)
        /// A salesperson's new customer must be their own and not shared.
        case createdCustomerIsYours(user: String)
        /// The text is not a valid branch code.
        case invalidBranch(String)
        /// The role may not create records in this branch.
        case createInBranch(role: Role, branch: String)
        /// A record with this id already exists.
        case alreadyExists(RecordID)
        /// Only managers, branch administrators and headquarters change a customer's owner or sharing.
        case changeOwnership
        /// A record of this type may not be moved to another customer.
        case moveToAnotherCustomer(EntityType)
        /// The role may not change records of this branch.
        case changeInBranch(role: Role, branch: String)
        /// The role may not delete or restore records.
        case deleteOrRestore(role: Role)

        /// The English sentence.
        public var description: String {
            switch self {
            case .issuedCodeFixed(let code): return "Customer code \(code) was issued by the code scheme and is fixed."
            case .invalidUserName(let name): return "'\(name)' is not a valid user name."
            case .alreadyOwned(let user): return "The customers already belong to \(user)."
            case .reassignInBranch(let role, let branch):
                return "Your role (\(role.rawValue)) may not reassign customers of branch \(branch); ask the branch head."
            case .ownsNoCustomers(let user, let code?): return "\(user) owns no customer with code \(code) on this device."
            case .ownsNoCustomers(let user, nil): return "\(user) owns no customers on this device."
            case .createdCustomerIsYours(let user):
                return "A customer you create is yours (owner \(user)); a manager assigns customers to others or shares them."
            case .invalidBranch(let branch): return "'\(branch)' is not a valid branch code."
            case .createInBranch(let role, let branch): return "Your role (\(role.rawValue)) may not create records in branch \(branch)."
            case .alreadyExists(let id): return "Record \(id) already exists."
            case .changeOwnership:
                return "Only managers, branch administrators and headquarters change who owns a customer or whom it is shared with."
            case .moveToAnotherCustomer(let type): return "A \(type.rawValue) cannot be moved to another customer; create a new one."
            case .changeInBranch(let role, let branch): return "Your role (\(role.rawValue)) may not change records of branch \(branch)."
            case .deleteOrRestore(let role): return "Your role (\(role.rawValue)) may not delete or restore records. Ask a manager."
            }
        }

        /// The catalogue key of the sentence.
        public var catalogueKey: String {
            switch self {
            case .issuedCodeFixed: return "reason.notAllowed.issuedCodeFixed"
            case .invalidUserName: return "reason.notAllowed.invalidUserName"
            case .alreadyOwned: return "reason.notAllowed.alreadyOwned"
            case .reassignInBranch: return "reason.notAllowed.reassignInBranch"
            case .ownsNoCustomers(_, nil): return "reason.notAllowed.ownsNoCustomers"
            case .ownsNoCustomers: return "reason.notAllowed.ownsNoCustomerWithCode"
            case .createdCustomerIsYours: return "reason.notAllowed.createdCustomerIsYours"
            case .invalidBranch: return "reason.notAllowed.invalidBranch"
            case .createInBranch: return "reason.notAllowed.createInBranch"
            case .alreadyExists: return "reason.notAllowed.alreadyExists"
            case .changeOwnership: return "reason.notAllowed.changeOwnership"
            case .moveToAnotherCustomer: return "reason.notAllowed.moveToAnotherCustomer"
            case .changeInBranch: return "reason.notAllowed.changeInBranch"
            case .deleteOrRestore: return "reason.notAllowed.deleteOrRestore"
            }
        }

        /// The placeholder values of the sentence, by name. `role` holds the role's raw value and
        /// `thing` the entity type's; ``localized(_:)`` puts their names in the chosen language.
        public var arguments: [String: String] {
            switch self {
            case .issuedCodeFixed(let code): return ["code": code]
            case .invalidUserName(let name): return ["name": name]
            case .alreadyOwned(let user): return ["user": user]
            case .reassignInBranch(let role, let branch), .createInBranch(let role, let branch), .changeInBranch(let role, let branch):
                return ["role": role.rawValue, "branch": branch]
            case .ownsNoCustomers(let user, let code?): return ["user": user, "code": code]
            case .ownsNoCustomers(let user, nil): return ["user": user]
            case .createdCustomerIsYours(let user): return ["user": user]
            case .invalidBranch(let branch): return ["branch": branch]
            case .alreadyExists(let id): return ["id": id.rawValue]
            case .changeOwnership: return [:]
            case .moveToAnotherCustomer(let type): return ["thing": type.rawValue]
            case .deleteOrRestore(let role): return ["role": role.rawValue]
            }
        }

        /// The sentence in the language of `l`.
        public func localized(_ l: Localizer) -> String {
            var words = arguments
            if let role = words["role"] { words["role"] = l("reason.role.\(role)") }
            if let thing = words["thing"] { words["thing"] = l("entity.\(thing)") }
            return ReplicaError.render(catalogueKey, words, l)
        }
    }

    /// Why ``ReplicaError/nothingToResolve(_:)`` was thrown, with the field and record it names.
    ///
    /// ```swift
    /// ReplicaError.ResolveProblem.choiceOutOfRange(field: "phone", choices: 2).localized(Localizer(.english))
    /// // "Field 'phone' has only 2 values to choose from."
    /// ```
    public enum ResolveProblem: Sendable, Hashable, CustomStringConvertible {
        /// The field of the record is not in conflict.
        case noConflict(field: String, record: RecordID)
        /// The chosen value index is beyond the `choices` values in conflict.
        case choiceOutOfRange(field: String, choices: Int)

        /// The English sentence.
        public var description: String {
            switch self {
            case .noConflict(let field, let record): return "Field '\(field)' of record \(record) has no conflict."
            case .choiceOutOfRange(let field, let choices): return "Field '\(field)' has only \(choices) values to choose from."
            }
        }

        /// The catalogue key of the sentence.
        public var catalogueKey: String {
            switch self {
            case .noConflict: return "reason.resolve.noConflict"
            case .choiceOutOfRange: return "reason.resolve.choiceOutOfRange"
            }
        }

        /// The placeholder values of the sentence, by name.
        public var arguments: [String: String] {
            switch self {
            case .noConflict(let field, let record): return ["field": field, "id": record.rawValue]
            case .choiceOutOfRange(let field, let choices): return ["field": field, "count": String(choices)]
            }
        }

        /// The sentence in the language of `l`.
        public func localized(_ l: Localizer) -> String {
            ReplicaError.render(catalogueKey, arguments, l)
        }
    }

    static func render(_ key: String, _ words: [String: String], _ l: Localizer) -> String {
        let template = Catalogue.entries(for: l.language)[key] ?? Catalogue.english[key] ?? key
        return Localizer.fill(template, words.map { ($0.key, $0.value as Any) })
    }

    /// Why ``ReplicaError/cannotRepair(_:)`` was thrown.
    ///
    /// ```swift
    /// ReplicaError.RepairProblem.noReplicaFile(path: "li.db").localized(Localizer(.chinese))
    /// // "无法重建本地数据库：li.db 处没有副本文件。"
    /// ```
    public enum RepairProblem: Sendable, Hashable, CustomStringConvertible {
        /// There is no replica file at `path`.
        case noReplicaFile(path: String)
        /// The damaged file could not be moved aside to `target`; `detail` is the file system's explanation.
        case cannotMoveAside(target: String, detail: String)

        /// The English reason (without the "could not be rebuilt" frame).
        public var description: String {
            switch self {
            case .noReplicaFile(let path): return "there is no replica file at \(path)."
            case .cannotMoveAside(let target, let detail): return "the damaged file could not be moved aside to \(target) (\(detail))."
            }
        }

        /// The catalogue key of the whole sentence.
        public var catalogueKey: String {
            switch self {
            case .noReplicaFile: return "reason.repair.noReplicaFile"
            case .cannotMoveAside: return "reason.repair.cannotMoveAside"
            }
        }

        /// The placeholder values of the sentence, by name (the file system's `detail` is not among them).
        public var arguments: [String: String] {
            switch self {
            case .noReplicaFile(let path): return ["path": path]
            case .cannotMoveAside(let target, _): return ["target": target]
            }
        }

        /// The sentence in the language of `l`.
        public func localized(_ l: Localizer) -> String {
            ReplicaError.render(catalogueKey, arguments, l)
        }
    }
}
