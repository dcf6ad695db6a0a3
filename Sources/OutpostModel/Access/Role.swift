/// What a user may do. Scope is decided by the record's branch, which is fixed at creation.
///
/// | role      | reads               | writes              |
/// |-----------|---------------------|---------------------|
/// | `admin`   | every branch        | every branch        |
/// | `hq`      | every branch        | every branch        |
/// | `manager` | own branch          | own branch          |
/// | `sales`   | own branch          | own branch, no deletes |
/// | `auditor` | every branch        | nothing             |
public enum Role: String, Sendable, Hashable, CaseIterable {
    case admin, hq, manager, sales, auditor

    /// A one-line description for help output.
    public var summary: String {
        switch self {
        case .admin: return "reads and writes every branch"
        case .hq: return "headquarters: reads and writes every branch"
        case .manager: return "reads and writes its own branch"
        case .sales: return "reads and writes its own branch; cannot delete records"
        case .auditor: return "reads every branch; writes nothing"
        }
    }
}

/// The records one user may read and write: a role plus a home branch.
///
/// ```swift
/// let scope = AccessScope(role: .sales, branch: "BJ")
/// scope.canRead(branch: "SH")   // false
/// ```
public struct AccessScope: Sendable, Hashable {
    /// The user's role.
    public let role: Role
    /// The user's home branch.
    public let branch: String

    /// Creates a scope.
    public init(role: Role, branch: String) {
        self.role = role
        self.branch = branch
    }

    /// `true` when the role sees every branch.
    public var readsAllBranches: Bool { role == .admin || role == .hq || role == .auditor }

    /// `true` when records of `branch` are visible.
    public func canRead(branch recordBranch: String) -> Bool { readsAllBranches || recordBranch == branch }

    /// `true` when records of `branch` may be created or edited.
    public func canWrite(branch recordBranch: String) -> Bool {
        switch role {
        case .admin, .hq: return true
        case .manager, .sales: return recordBranch == branch
        case .auditor: return false
        }
    }

    /// `true` when the role may delete or restore records of `branch`.
    public func canDelete(branch recordBranch: String) -> Bool { role != .sales && canWrite(branch: recordBranch) }
}
