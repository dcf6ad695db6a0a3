import Foundation
import OutpostModel

extension LocalTime {
    /// Like ``resolve(setting:environment:branch:)``, with the branch's zone taken from its working
    /// calendar in the policy document (SPEC §6.6) when one is known.
    ///
    /// ```swift
    /// let local = LocalTime.resolve(setting: nil, environment: [:], branch: "DE", policy: try replica.policy())
    /// ```
    public static func resolve(setting: String?, environment: [String: String], branch: String?, policy: PolicyDocument?) -> LocalTime {
        for candidate in [setting, environment["TZ"]] {
            if let candidate, let zone = timeZone(named: candidate) { return LocalTime(timeZone: zone) }
        }
        if let policy, let zone = TimeZone(identifier: policy.calendar(branch: branch ?? "").timeZone) { return LocalTime(timeZone: zone) }
        return resolve(setting: nil, environment: [:], branch: branch)
    }
}
