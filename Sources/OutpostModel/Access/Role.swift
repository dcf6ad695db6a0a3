import OutpostJSON

/// What a user may do (SPEC §8). Branch-wide roles decide by the record's branch, which is fixed
/// at creation; a salesperson's scope follows customer ownership (`owner` and `sharedWith`).
///
/// | role           | reads                                  | writes            | assigns owners | delete / restore |
/// |----------------|----------------------------------------|-------------------|----------------|------------------|
/// | `admin`        | every branch                           | every branch      | anywhere       | yes              |
/// | `hq`           | every branch                           | every branch      | anywhere       | yes              |
/// | `manager`      | own branch (branch head)               | own branch        | own branch     | own branch       |
/// | `branch-admin` | own branch (manages its users)         | own branch        | own branch     | no               |
/// | `sales`        | customers owned by / shared with them, and their contacts, visits, complaints | the same | no | no |
/// | `auditor`      | every branch                           | nothing           | no             | no               |
public enum Role: String, Sendable, Hashable, CaseIterable {
    /// A system administrator: every branch.
    case admin
    /// Headquarters management: every branch; the only role besides `admin` that hands customers to another branch's staff.
    case hq
    /// A branch head: the whole branch, assigns its customers, deletes and restores.
    case manager
    /// A branch administrator: sees and edits the whole branch and manages its users; never deletes.
    case branchAdmin = "branch-admin"
    /// A salesperson: only the customers it owns or that are shared with it.
    case sales
    /// Inspection: reads every branch, writes nothing.
    case auditor

    /// A one-line description for help output.
    public var summary: String {
        switch self {
        case .admin: return "reads and writes every branch"
        case .hq: return "headquarters: reads and writes every branch, assigns customers anywhere"
        case .manager: return "branch head: reads and writes its own branch, assigns customers there"
        case .branchAdmin: return "branch administrator: reads and writes its own branch, manages its users; cannot delete records"
        case .sales: return "reads and writes only the customers it owns or that are shared with it; cannot delete records"
        case .auditor: return "reads every branch; writes nothing"
        }
    }
}

/// User names: 1–64 ASCII letters, digits, `.`, `-` or `_`.
public enum UserName {
    /// `true` when `name` is a valid user name.
    public static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-_".contains($0)) }
    }
}

/// Who may see a record: its branch and the users a salesperson's access follows — the owner and
/// the `sharedWith` users of the record's customer (of the customer itself for a customer).
///
/// Every sibling value counts: while two managers' assignments are in conflict, both owners see
/// the customer until someone resolves it.
///
/// ```swift
/// let access = RecordAccess(customer: customer)
/// AccessScope(role: .sales, branch: "BJ", user: "li").canRead(access)
/// ```
public struct RecordAccess: Sendable, Hashable {
    /// The record's branch.
    public var branch: String
    /// The owner(s) and the users it is shared with.
    public var users: Set<String>

    /// Creates an access description.
    public init(branch: String, users: Set<String>) {
        self.branch = branch
        self.users = users
    }

    /// The access of `customer` and of every record that belongs to it.
    public init(customer: Record) {
        branch = customer.branch
        users = Self.users(of: customer)
    }

    /// The user names in the `owner` and `sharedWith` fields of `customer` (every sibling).
    public static func users(of customer: Record) -> Set<String> {
        var users = Set<String>()
        for sibling in customer.fields["owner"]?.siblings ?? [] {
            if case .string(let name) = sibling.value, !name.isEmpty { users.insert(name) }
        }
        for sibling in customer.fields["sharedWith"]?.siblings ?? [] {
            for item in sibling.value.arrayValue ?? [] {
                if case .string(let name) = item { users.insert(name) }
            }
        }
        return users
    }
}

/// The records one user may read and write: a role, a home branch and the user's name.
///
/// ```swift
/// let scope = AccessScope(role: .sales, branch: "BJ", user: "li")
/// scope.canRead(RecordAccess(branch: "BJ", users: ["li"]))   // true
/// scope.canRead(RecordAccess(branch: "BJ", users: ["wu"]))   // false
/// ```
public struct AccessScope: Sendable, Hashable {
    /// The user's role.
    public let role: Role
    /// The user's home branch.
    public let branch: String
    /// The user's name (what `owner` and `sharedWith` name).
    public let user: String

    /// Creates a scope.
    public init(role: Role, branch: String, user: String = "") {
        self.role = role
        self.branch = branch
        self.user = user
    }

    /// `true` when the role sees every branch.
    public var readsAllBranches: Bool { role == .admin || role == .hq || role == .auditor }

    /// `true` when the role sees every record of its branches (everyone but `sales`).
    public var readsWholeBranch: Bool { role != .sales }

    /// `true` when some records of `branch` may be visible (for a salesperson: those it owns).
    public func canRead(branch recordBranch: String) -> Bool { readsAllBranches || recordBranch == branch }

    /// `true` when a record with `access` is visible.
    public func canRead(_ access: RecordAccess) -> Bool {
        if readsAllBranches { return true }
        if role == .sales { return access.users.contains(user) }
        return access.branch == branch
    }

    /// `true` when records of `branch` may be created (a salesperson: customers it owns, in its branch).
    public func canWrite(branch recordBranch: String) -> Bool {
        switch role {
        case .admin, .hq: return true
        case .manager, .branchAdmin, .sales: return recordBranch == branch
        case .auditor: return false
        }
    }

    /// `true` when a record with `access` may be created or edited.
    public func canWrite(_ access: RecordAccess) -> Bool {
        switch role {
        case .admin, .hq: return true
        case .manager, .branchAdmin: return access.branch == branch
        case .sales: return access.users.contains(user)
        case .auditor: return false
        }
    }

    /// `true` when the role may change who owns customers of `branch` (`owner`, `sharedWith`).
    public func canAssign(branch recordBranch: String) -> Bool {
        switch role {
        case .admin, .hq: return true
        case .manager, .branchAdmin: return recordBranch == branch
        case .sales, .auditor: return false
        }
    }

    /// `true` when the role may assign customers to users of other branches (HQ and admin only).
    public var assignsAcrossBranches: Bool { role == .admin || role == .hq }

    /// `true` when the role may delete or restore records of `branch`.
    public func canDelete(branch recordBranch: String) -> Bool {
        switch role {
        case .admin, .hq: return true
        case .manager: return recordBranch == branch
        case .branchAdmin, .sales, .auditor: return false
        }
    }

    /// `true` when the role may change other users' accounts of `branch` (role, freeze, deactivate).
    public func managesUsers(of userBranch: String) -> Bool {
        switch role {
        case .admin, .hq: return true
        case .branchAdmin: return userBranch == branch
        case .manager, .sales, .auditor: return false
        }
    }

    /// `true` when the role may read the audit log of `branch`'s access changes.
    public func readsAudit(of auditBranch: String) -> Bool {
        switch role {
        case .admin, .hq, .auditor: return true
        case .branchAdmin, .manager: return auditBranch == branch
        case .sales: return false
        }
    }
}
