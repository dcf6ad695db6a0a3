import OutpostClient
import OutpostModel

extension UserFacingError {
    /// A policy error (bad document, month, code scheme, no codes left) in the user's language.
    static func policy(_ error: PolicyError, _ l: Localizer) -> UserFacingError {
        switch error {
        case .invalid(let path, let reason):
            return UserFacingError(message: l("error.policy.invalid", ["path": path, "reason": reason]))
        case .unknownMember(let path):
            return UserFacingError(message: l("error.policy.unknownMember", ["path": path]))
        case .unknownTimeZone(let name):
            return UserFacingError(message: l("error.policy.unknownTimeZone", ["name": name]))
        case .invalidCodeScheme(let pattern, let reason):
            return UserFacingError(message: l("error.policy.invalidCodeScheme", ["pattern": pattern, "reason": reason]))
        case .invalidMonth(let text):
            return UserFacingError(message: l("error.policy.invalidMonth", ["month": text]))
        case .noCodesLeft(let branch):
            return UserFacingError(message: l("error.policy.noCodesLeft", ["branch": branch]))
        }
    }
}
