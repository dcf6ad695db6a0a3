import Foundation
import OutpostArguments
import OutpostServer

/// The options of `outpost-server serve`, read and checked before anything is opened.
///
/// ```swift
/// let options = try ServeOptions(parsed.values)   // usage errors for bad values
/// ```
struct ServeOptions: Sendable, Equatable {
    var port = 8080
    var host = "127.0.0.1"
    var maxConnections = 10_000
    var maxClockSkewSeconds = 3600
    /// Days after which deleted records are purged (SPEC §11.3); 0 keeps them forever.
    var tombstoneHorizonDays = ServerDatabase.defaultTombstoneHorizonDays
    /// How requests are logged to standard error; `nil` (`--quiet`): not at all.
    var logFormat: RequestLogMiddleware.Format? = .text
    /// Who may read `GET /metrics`.
    var metricsAccess: MetricsAccess = .off

    static let options: [OptionSpec] = {
        var logFormat = OptionSpec("log-format", help: "Request log lines on standard error: text, or json (one JSON object per line).",
                                   valueName: "format", defaultValue: "text")
        logFormat.choices = RequestLogMiddleware.Format.allCases.map(\.rawValue)
        return [
            OptionSpec("port", short: "p", help: "TCP port (0 picks a free one).", valueName: "port", defaultValue: "8080"),
            OptionSpec("host", help: "Address to listen on.", valueName: "address", defaultValue: "127.0.0.1"),
            OptionSpec("max-connections", help: "Connections held open at once (idle ones are closed first when full).", valueName: "n", defaultValue: "10000"),
            OptionSpec("max-clock-skew", help: "Refuse changes stamped more than this many seconds ahead of this server's clock.",
                       valueName: "seconds", defaultValue: "3600"),
            OptionSpec("tombstone-horizon-days",
                       help: "Purge records deleted more than this many days ago (at start and hourly; 0 keeps them). Devices away longer re-list on their next sync.",
                       valueName: "days", defaultValue: String(ServerDatabase.defaultTombstoneHorizonDays)),
            logFormat,
            OptionSpec("metrics-token-file", help: "Serve GET /metrics to scrapers sending this file's first line as a bearer token.",
                       valueName: "path"),
        ]
    }()

    static let flags: [FlagSpec] = [
        FlagSpec("quiet", help: "Do not log requests to standard error."),
        FlagSpec("metrics-open", help: "Serve GET /metrics without a token (only where the port is private, e.g. loopback)."),
    ]

    static let discussion = """
        Metrics: GET /metrics answers in the Prometheus text format when --metrics-token-file or --metrics-open is given, \
        and 404 otherwise. User tokens never open it: a scraper has its own token.
        """

    init() {}

    /// Reads the options from parsed values; bad values are usage errors.
    init(_ values: ParsedValues) throws {
        port = try values.int("port") ?? port
        maxConnections = max(1, try values.int("max-connections") ?? maxConnections)
        maxClockSkewSeconds = try values.int("max-clock-skew") ?? maxClockSkewSeconds
        host = values.option("host") ?? host
        guard (0...65535).contains(port) else { throw ServerCLIError.usage("--port must be 0–65535.") }
        guard maxClockSkewSeconds >= 0 else { throw ServerCLIError.usage("--max-clock-skew must be 0 or more seconds.") }
        tombstoneHorizonDays = try values.int("tombstone-horizon-days") ?? tombstoneHorizonDays
        guard tombstoneHorizonDays >= 0 else { throw ServerCLIError.usage("--tombstone-horizon-days must be 0 (keep them) or more days.") }
        let formatText = values.option("log-format") ?? "text"
        guard let format = RequestLogMiddleware.Format(rawValue: formatText) else {
            throw ServerCLIError.usage("--log-format must be text or json, not '\(formatText)'.")
        }
        logFormat = values.flag("quiet") ? nil : format
        switch (values.option("metrics-token-file"), values.flag("metrics-open")) {
        case (.some, true):
            throw ServerCLIError.usage("Give --metrics-token-file or --metrics-open, not both.")
        case (.some(let file), false):
            metricsAccess = .token(try Self.readToken(file))
        case (nil, true):
            metricsAccess = .open
        case (nil, false):
            metricsAccess = .off
        }
    }

    /// The first line of `file`, trimmed; at least 16 characters so it cannot be guessed.
    static func readToken(_ file: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ServerCLIError.failure("Cannot read the metrics token file \(file).")
        }
        let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first ?? ""
        let token = line.trimmingCharacters(in: .whitespaces)
        guard token.count >= 16 else {
            throw ServerCLIError.failure("The metrics token in \(file) must be at least 16 characters (try: openssl rand -hex 32 > \(file)).")
        }
        return token
    }
}
