import Foundation

/// A calendar date (no time, no zone), stored as days since 1970-01-01.
///
/// ```swift
/// let date = LocalDate("2026-10-01")!      // National Day
/// date.weekday                             // 4 (Thursday; 1 = Monday … 7 = Sunday)
/// date.adding(days: 1).description         // "2026-10-02"
/// ```
public struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Days since 1970-01-01.
    public var dayNumber: Int

    /// Creates a date from days since 1970-01-01.
    public init(dayNumber: Int) { self.dayNumber = dayNumber }

    /// Creates a date from year, month (1–12) and day; `nil` when the day does not exist.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= Timestamps.daysIn(month: month, year: year) else { return nil }
        dayNumber = Timestamps.daysFromCivil(year: year, month: month, day: day)
    }

    /// Parses `YYYY-MM-DD`; `nil` when malformed.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// Year, month (1–12) and day.
    public var components: (year: Int, month: Int, day: Int) {
        let (y, m, d) = Timestamps.civilFromDays(dayNumber)
        return (y, m, d)
    }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public var weekday: Int { ((dayNumber + 3) % 7 + 7) % 7 + 1 }

    /// The date `days` later (earlier when negative).
    public func adding(days: Int) -> LocalDate { LocalDate(dayNumber: dayNumber + days) }

    /// `YYYY-MM-DD`.
    public var description: String {
        let (y, m, d) = components
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    public static func < (a: LocalDate, b: LocalDate) -> Bool { a.dayNumber < b.dayNumber }
}

/// The working days of a branch: its time zone, weekly rest days, public holidays and make-up
/// working days (调休). Deadlines in working days are counted on it.
///
/// ```swift
/// var calendar = WorkingCalendar.default                  // Asia/Shanghai, Saturday and Sunday off
/// calendar.holidays = [LocalDate("2026-10-01")!]
/// calendar.isWorkingDay(LocalDate("2026-10-01")!)         // false
/// ```
public struct WorkingCalendar: Sendable, Hashable {
    /// IANA time zone name, e.g. `Asia/Shanghai`.
    public var timeZone: String
    /// ISO weekdays off each week (1 = Monday … 7 = Sunday); default Saturday and Sunday.
    public var weekend: Set<Int>
    /// Public holidays: days off even when they fall on a weekday.
    public var holidays: Set<LocalDate>
    /// Make-up working days: worked even when they fall on the weekend (they win over `weekend`).
    public var workdays: Set<LocalDate>

    /// Creates a calendar.
    public init(timeZone: String = "Asia/Shanghai", weekend: Set<Int> = [6, 7], holidays: Set<LocalDate> = [], workdays: Set<LocalDate> = []) {
        self.timeZone = timeZone
        self.weekend = weekend
        self.holidays = holidays
        self.workdays = workdays
    }

    /// Asia/Shanghai, Saturday and Sunday off, no holidays.
    public static let `default` = WorkingCalendar()

    /// `true` when people work on `date`.
    public func isWorkingDay(_ date: LocalDate) -> Bool {
        if workdays.contains(date) { return true }
        if holidays.contains(date) { return false }
        return !weekend.contains(date.weekday)
    }

    /// The first working day on or after `date` (at most ten years ahead; then `date` itself).
    public func workingDay(onOrAfter date: LocalDate) -> LocalDate {
        var day = date
        for _ in 0..<3660 {
            if isWorkingDay(day) { return day }
            day = day.adding(days: 1)
        }
        return date
    }

    /// The `count`-th working day after `date`; with `count` 0, `date` itself when it is a working
    /// day, else the next working day. Received on a Saturday, 2 working days → Tuesday.
    public func workingDay(_ count: Int, after date: LocalDate) -> LocalDate {
        guard count > 0 else { return workingDay(onOrAfter: date) }
        var day = date
        for _ in 0..<count { day = workingDay(onOrAfter: day.adding(days: 1)) }
        return day
    }

    /// Offset of the time zone from UTC at `millis`, in seconds (0 for an unknown zone; ``validate()`` refuses those).
    func offsetSeconds(at millis: Int64) -> Int {
        guard let zone = TimeZone(identifier: timeZone) else { return 0 }
        return zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(millis) / 1000))
    }

    /// The local date of an instant (UTC ms) in this calendar's time zone.
    public func date(of millis: Int64) -> LocalDate {
        let local = millis + Int64(offsetSeconds(at: millis)) * 1000
        return LocalDate(dayNumber: Int(local >= 0 ? local / 86_400_000 : (local - 86_399_999) / 86_400_000))
    }

    /// The instant (UTC ms) local `date` begins (its midnight in this time zone).
    public func startOfDay(_ date: LocalDate) -> Int64 {
        let naive = Int64(date.dayNumber) * 86_400_000
        var guess = naive - Int64(offsetSeconds(at: naive)) * 1000
        guess = naive - Int64(offsetSeconds(at: guess)) * 1000
        return guess
    }

    /// The instant (UTC ms) local `date` ends: the next day's midnight. Deadlines "by the end of a day" are this instant.
    public func endOfDay(_ date: LocalDate) -> Int64 { startOfDay(date.adding(days: 1)) }

    /// Formats an instant as local `YYYY-MM-DD HH:MM` in this time zone.
    public func localText(_ millis: Int64) -> String {
        let local = millis + Int64(offsetSeconds(at: millis)) * 1000
        let text = Timestamps.format(local)
        return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(5))
    }

    /// Refuses an unknown time zone or a weekday outside 1–7.
    public func validate(path: String = "$") throws(PolicyError) {
        guard TimeZone(identifier: timeZone) != nil else { throw .unknownTimeZone(timeZone) }
        guard weekend.allSatisfy({ (1...7).contains($0) }) else { throw .invalid(path: path + ".weekend", reason: "weekdays are 1 (Monday) to 7 (Sunday)") }
    }
}
