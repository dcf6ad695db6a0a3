/// Why a policy document, a code scheme or a policy computation was refused; each message is a
/// sentence for the person who wrote the document or typed the command.
public enum PolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The document (or a member of it) has the wrong shape; `path` is a JSON path such as `$.cadence.intervalDays.core`.
    case invalid(path: String, reason: String)
    /// A member the document format does not have (only refused when reading strictly, e.g. `policy set`).
    case unknownMember(path: String)
    /// A time zone name the system does not know.
    case unknownTimeZone(String)
    /// A code scheme pattern that cannot produce codes.
    case invalidCodeScheme(String, reason: String)
    /// A month that is not `YYYY-MM`.
    case invalidMonth(String)
    /// The device has no unused customer codes left and must sync to lease a new block.
    case noCodesLeft(branch: String)

    public var description: String {
        switch self {
        case .invalid(let path, let reason): return "The policy document is invalid at \(path): \(reason)."
        case .unknownMember(let path): return "The policy document has an unknown member \(path); check its spelling."
        case .unknownTimeZone(let name): return "'\(name)' is not a known time zone; use a name such as Asia/Shanghai."
        case .invalidCodeScheme(let pattern, let reason): return "The customer code scheme '\(pattern)' is invalid: \(reason)."
        case .invalidMonth(let text): return "'\(text)' is not a month; write it as YYYY-MM, e.g. 2026-11."
        case .noCodesLeft(let branch):
            return "This device has no customer codes left for branch \(branch). Sync once while online to receive a new block, or type a code by hand."
        }
    }
}
