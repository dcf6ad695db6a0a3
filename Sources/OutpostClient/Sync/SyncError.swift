import OutpostModel

/// Why a sync (or a call to the server) failed, in words a field user understands.
public enum SyncError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The server URL is not a valid http(s) URL.
    case invalidServerURL(String)
    /// The server could not be reached (offline, wrong address, timeout). Local edits are kept.
    case unreachable(String)
    /// The token was refused (unknown or revoked).
    case unauthorized(String)
    /// The server refused the data or request; `error` carries its code, message and details.
    case rejected(status: Int, error: ErrorBody)
    /// The server answered something that does not follow the protocol.
    case protocolViolation(String)
    /// The server speaks none of the protocol versions this client knows.
    case unsupportedProtocol(serverVersions: [Int])
    /// This replica has not been set up with a server yet.
    case notConfigured

    public var description: String {
        switch self {
        case .invalidServerURL(let text):
            return "'\(text)' is not a server address. Use a URL such as http://sync.example.com:8080."
        case .unreachable(let reason):
            return "Could not reach the server. Check the network connection and try again; your edits are kept and "
                + "will sync later. (\(reason))"
        case .unauthorized(let message):
            return "The server refused the access token: \(message) Ask an administrator for a new token and sign in "
                + "again with it; your edits are kept."
        case .rejected(let status, let error):
            let details = error.details.map { "\n  - " + ($0.record.map { "record \($0): " } ?? "") + $0.message }.joined()
            return "The server refused the request (\(status) \(error.code)): \(error.message)\(details)"
        case .protocolViolation(let reason):
            return "The server's answer was not understood: check that the address points to an Outpost sync server, "
                + "or update this app. (\(reason))"
        case .unsupportedProtocol(let versions):
            let theirs = versions.isEmpty ? "no protocol version this app knows" : "protocol versions " + versions.map(String.init).joined(separator: ", ")
            let ours = SyncProtocol.supportedVersions.map(String.init).joined(separator: ", ")
            let advice = (versions.max() ?? 0) > (SyncProtocol.supportedVersions.max() ?? 0)
                ? "Update the app." : "Ask your administrator to update the server."
            return "The server speaks \(theirs); this app speaks \(ours). \(advice) Your edits are kept on this device."
        case .notConfigured:
            return "This device is not set up yet. Run `outpost init --server URL --token TOKEN` first."
        }
    }
}

extension SyncProtocol {
    /// The highest protocol version both this build and a server listing `serverVersions` speak,
    /// or `nil` when they share none (SPEC §12).
    public static func negotiate(serverVersions: [Int]) -> Int? {
        Set(serverVersions).intersection(supportedVersions).max()
    }
}
