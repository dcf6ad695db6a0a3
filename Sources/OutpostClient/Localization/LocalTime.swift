import Foundation
import OutpostModel

/// Times as people read and type them in one time zone. Storage and the wire stay UTC
/// (RFC 3339); this converts at the edges only.
///
/// Reads `2026-11-24 09:30`, `11-24 9:30`, `today 15:00`, `tomorrow 9:30`, `yesterday 18:00`
/// (also `今天`, `明天`, `昨天`), a bare `9:30` (today), `now`, and RFC 3339 with an offset.
/// A local time the clocks skip (the spring change to summer time) is refused; one that happens
/// twice (the autumn change) means the first.
///
/// ```swift
/// let berlin = LocalTime(timeZone: TimeZone(identifier: "Europe/Berlin")!)
/// let millis = try berlin.parse("2026-03-30 09:30", now: now)   // 2026-03-30T07:30:00Z
/// berlin.format(millis)                                          // "2026-03-30 09:30"
/// ```
public struct LocalTime: Sendable, Hashable {
    /// The zone times are shown and read in.
    public let timeZone: TimeZone

    /// The zone of branches that have not chosen another.
    public static let defaultBranchTimeZone = "Asia/Shanghai"

    /// Times in `timeZone`.
    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    /// Times in the zone named `identifier` (an IANA name such as `Europe/Berlin`, or `UTC`),
    /// or `nil` when the name is unknown.
    public init?(identifier: String) {
        guard let zone = Self.timeZone(named: identifier) else { return nil }
        self.init(timeZone: zone)
    }

    /// The zone named `identifier` (a leading `:` as in `TZ=:Europe/Berlin` is allowed).
    public static func timeZone(named identifier: String) -> TimeZone? {
        var name = identifier.trimmingCharacters(in: .whitespaces)
        if name.hasPrefix(":") { name.removeFirst() }
        guard !name.isEmpty else { return nil }
        if name.uppercased() == "UTC" || name.uppercased() == "GMT" || name == "Z" { return TimeZone(identifier: "UTC") }
        return TimeZone(identifier: name)
    }

    /// The time zone of a branch. Every branch uses ``defaultBranchTimeZone`` for now.
    public static func branchTimeZone(_ branch: String?) -> TimeZone {
        TimeZone(identifier: defaultBranchTimeZone) ?? TimeZone(secondsFromGMT: 8 * 3600)!
    }

    /// The zone to show times in: the replica's setting, otherwise `$TZ`, otherwise the branch's zone.
    /// Names that are not known zones are skipped.
    ///
    /// ```swift
    /// let local = LocalTime.resolve(setting: try replica.preference(.timeZone),
    ///                               environment: ProcessInfo.processInfo.environment, branch: "BJ")
    /// ```
    public static func resolve(setting: String?, environment: [String: String], branch: String?) -> LocalTime {
        for candidate in [setting, environment["TZ"]] {
            if let candidate, let zone = timeZone(named: candidate) { return LocalTime(timeZone: zone) }
        }
        return LocalTime(timeZone: branchTimeZone(branch))
    }

    // MARK: Showing

    /// `2026-11-24 09:30` in this zone.
    public func format(_ millis: Int64) -> String {
        let parts = components(millis)
        return "\(parts.date) \(Self.two(parts.hour)):\(Self.two(parts.minute))"
    }

    /// `2026-11-24` in this zone.
    public func formatDate(_ millis: Int64) -> String {
        components(millis).date
    }

    /// `2026-11-24 09:30:05 +08:00`: seconds and the offset from UTC, for detail views.
    public func formatFull(_ millis: Int64) -> String {
        let parts = components(millis)
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(Self.floorDiv(millis, 1000))))
        let sign = offset < 0 ? "-" : "+"
        let minutes = abs(offset) / 60
        return "\(parts.date) \(Self.two(parts.hour)):\(Self.two(parts.minute)):\(Self.two(parts.second)) "
            + "\(sign)\(Self.two(minutes / 60)):\(Self.two(minutes % 60))"
    }

    private func components(_ millis: Int64) -> (date: String, hour: Int, minute: Int, second: Int) {
        let (days, secondOfDay) = localDay(millis)
        let (year, month, day) = Self.civil(fromDays: days)
        let yearText = year >= 0 && year < 10_000 ? String(repeating: "0", count: 4 - String(year).count) + String(year) : String(year)
        return ("\(yearText)-\(Self.two(month))-\(Self.two(day))", secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60)
    }

    /// The local day (days since 1970-01-01) and second of that day of an instant.
    private func localDay(_ millis: Int64) -> (days: Int64, secondOfDay: Int) {
        let seconds = Self.floorDiv(millis, 1000)
        let local = seconds + Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds))))
        let days = Self.floorDiv(local, 86_400)
        return (days, Int(local - days * 86_400))
    }

    // MARK: Reading

    /// The UTC milliseconds of the time `text` names, reading dates and times without an offset in
    /// this zone; `now` (UTC milliseconds) anchors `today`, `tomorrow` and dates without a year.
    /// A date without a time means the start of that day.
    ///
    /// - Throws: ``TimeInputError/unreadable(_:)`` when the text is not a time in a known form,
    ///   ``TimeInputError/noSuchDate(_:)`` for dates such as `02-30`, and
    ///   ``TimeInputError/skippedByClockChange(_:timeZone:)`` for a local time the clocks jump over.
    public func parse(_ text: String, now: Int64) throws(TimeInputError) -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased() == "now" || trimmed == "现在" { return now }
        if let millis = Timestamps.parse(trimmed) { return millis }
        // RFC 3339 allows a space for the `T`; the offset makes it unambiguous.
        if let millis = Timestamps.parse(trimmed.replacingOccurrences(of: " ", with: "T")) { return millis }
        let words = Self.words(trimmed.lowercased())
        let today = localDay(now).days
        let days: Int64
        let time: String?
        switch words.count {
        case 1 where Self.readTime(words[0]) != nil:
            (days, time) = (today, words[0])
        case 1, 2:
            guard let day = try Self.readDay(words[0], today: today, text: text) else { throw .unreadable(text) }
            (days, time) = (day, words.count == 2 ? words[1] : nil)
        default:
            throw .unreadable(text)
        }
        var secondOfDay = 0
        if let time {
            guard let seconds = Self.readTime(time) else { throw .unreadable(text) }
            secondOfDay = seconds
        }
        guard let seconds = utcSeconds(localSeconds: days * 86_400 + Int64(secondOfDay)) else {
            throw .skippedByClockChange(text, timeZone: timeZone.identifier)
        }
        return seconds * 1000
    }

    /// The words of typed text: `2026-11-24 09:30` and `2026-11-24T09:30` both give a date and a time.
    private static func words(_ text: String) -> [String] {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if words.count == 1, let t = words[0].firstIndex(of: "t"), words[0].distance(from: words[0].startIndex, to: t) == 10 {
            return [String(words[0][..<t]), String(words[0][words[0].index(after: t)...])]
        }
        return words
    }

    /// The day named by `word` (`today`, `tomorrow`, `yesterday`, `今天`…, `YYYY-MM-DD`, `MM-DD`,
    /// with `-` or `/`), or `nil` when it names none.
    private static func readDay(_ word: String, today: Int64, text: String) throws(TimeInputError) -> Int64? {
        switch word {
        case "today", "今天": return today
        case "tomorrow", "明天": return today + 1
        case "yesterday", "昨天": return today - 1
        default: break
        }
        let parts = word.split(separator: "-", omittingEmptySubsequences: false).count > 1
            ? word.split(separator: "-", omittingEmptySubsequences: false) : word.split(separator: "/", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else {
            return nil
        }
        let numbers = parts.compactMap { Int($0) }
        let year: Int, month: Int, day: Int
        if numbers.count == 3 {
            guard parts[0].count == 4 else { return nil }
            (year, month, day) = (numbers[0], numbers[1], numbers[2])
        } else {
            (year, month, day) = (civil(fromDays: today).year, numbers[0], numbers[1])
        }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day) else { throw .noSuchDate(text) }
        return days(fromCivil: year, month, day)
    }

    /// The earliest UTC second whose local time is `local` (seconds since 1970 as if local were UTC),
    /// or `nil` when the clocks skip that local time.
    private func utcSeconds(localSeconds local: Int64) -> Int64? {
        func offset(_ utc: Int64) -> Int64 { Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(utc)))) }
        let offsets = Set([offset(local - 86_400), offset(local), offset(local + 86_400), offset(local - 43_200), offset(local + 43_200)])
        return offsets.map { local - $0 }.filter { offset($0) == local - $0 }.min()
    }

    /// Seconds into the day of `H:MM` or `H:MM:SS`, or `nil`.
    private static func readTime(_ word: String) -> Int? {
        let parts = word.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy(\.isASCII) }) else { return nil }
        let numbers = parts.compactMap { Int($0) }
        guard numbers.count == parts.count, (0...23).contains(numbers[0]), (0...59).contains(numbers[1]) else { return nil }
        if parts.count == 2 && parts[1].count != 2 { return nil }
        let second = numbers.count == 3 ? numbers[2] : 0
        guard (0...59).contains(second) else { return nil }
        return numbers[0] * 3600 + numbers[1] * 60 + second
    }

    // MARK: Calendar arithmetic (proleptic Gregorian, as RFC 3339)

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    static func civil(fromDays days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }
}

/// Why typed text could not be read as a time.
///
/// ```swift
/// do { _ = try local.parse("2026-03-29 02:30", now: now) }
/// catch .skippedByClockChange(_, let zone) { print("no such time in \(zone)") }
/// ```
public enum TimeInputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text is in none of the accepted forms.
    case unreadable(String)
    /// The date does not exist (e.g. `02-30`).
    case noSuchDate(String)
    /// The clocks jump over this local time in `timeZone` (the change to summer time).
    case skippedByClockChange(String, timeZone: String)

    public var description: String {
        switch self {
        case .unreadable(let text):
            return "'\(text)' is not a time: write e.g. 2026-11-24 09:30, 11-24 9:30, today 15:00, tomorrow 9:30 or 2026-11-24T09:30:00Z."
        case .noSuchDate(let text):
            return "'\(text)' names a date that does not exist."
        case .skippedByClockChange(let text, let zone):
            return "'\(text)' does not exist in \(zone): the clocks jump forward then. Give a time an hour later."
        }
    }
}
