import Foundation
import Testing
import OutpostClient
import OutpostModel

/// Times shown and typed in the user's zone, stored in UTC.
@Suite("Local time: reading and showing times in a zone")
struct LocalTimeTests {
    static func zone(_ name: String) -> LocalTime { LocalTime(identifier: name)! }
    static func utc(_ text: String) -> Int64 { Timestamps.parse(text)! }

    /// 2026-11-23 20:00 in Shanghai (12:00 UTC).
    static let now = utc("2026-11-23T12:00:00Z")

    @Test(arguments: [
        ("2026-11-24 09:30", "2026-11-24T01:30:00Z"),
        ("11-24 9:30", "2026-11-24T01:30:00Z"),
        ("today 15:00", "2026-11-23T07:00:00Z"),
        ("今天 15:00", "2026-11-23T07:00:00Z"),
        ("tomorrow 9:30", "2026-11-24T01:30:00Z"),
        ("明天 9:30", "2026-11-24T01:30:00Z"),
        ("yesterday 18:00", "2026-11-22T10:00:00Z"),
        ("9:30", "2026-11-23T01:30:00Z"),
        ("2026-11-24", "2026-11-23T16:00:00Z"),
        ("2026-11-24T09:30", "2026-11-24T01:30:00Z"),
        ("2026-11-24 09:30:15", "2026-11-24T01:30:15Z"),
        ("2026-11-24T09:30:00Z", "2026-11-24T09:30:00Z"),         // RFC 3339 keeps its own offset
        ("2026-11-24T09:30:00+01:00", "2026-11-24T08:30:00Z"),
        ("now", "2026-11-23T12:00:00Z"),
    ])
    func shanghaiReadsTheFormsPeopleType(text: String, expected: String) throws {
        #expect(try Self.zone("Asia/Shanghai").parse(text, now: Self.now) == Self.utc(expected), "\(text)")
    }

    @Test func todayIsTheLocalDayNotTheUTCDay() throws {
        // 2026-11-23 20:00 UTC is already the 24th in Shanghai, still the 23rd in New York.
        let evening = Self.utc("2026-11-23T20:00:00Z")
        #expect(try Self.zone("Asia/Shanghai").parse("today 9:00", now: evening) == Self.utc("2026-11-24T01:00:00Z"))
        #expect(try Self.zone("America/New_York").parse("today 9:00", now: evening) == Self.utc("2026-11-23T14:00:00Z"))
        #expect(try Self.zone("UTC").parse("today 9:00", now: evening) == Self.utc("2026-11-23T09:00:00Z"))
    }

    @Test func berlinAcrossTheMarchChangeUsesWinterThenSummerTime() throws {
        let berlin = Self.zone("Europe/Berlin")
        let saturday = Self.utc("2026-03-28T12:00:00Z")
        #expect(try berlin.parse("2026-03-28 09:30", now: saturday) == Self.utc("2026-03-28T08:30:00Z"))   // CET, UTC+1
        #expect(try berlin.parse("tomorrow 9:30", now: saturday) == Self.utc("2026-03-29T07:30:00Z"))      // CEST, UTC+2
        #expect(try berlin.parse("03-30 9:30", now: saturday) == Self.utc("2026-03-30T07:30:00Z"))
        #expect(berlin.format(Self.utc("2026-03-29T00:59:00Z")) == "2026-03-29 01:59")
        #expect(berlin.format(Self.utc("2026-03-29T01:00:00Z")) == "2026-03-29 03:00")
        #expect(berlin.formatFull(Self.utc("2026-03-28T08:30:00Z")) == "2026-03-28 09:30:00 +01:00")
        #expect(berlin.formatFull(Self.utc("2026-03-30T07:30:00Z")) == "2026-03-30 09:30:00 +02:00")
    }

    @Test func aLocalTimeTheClocksSkipIsRefused() {
        #expect(throws: TimeInputError.skippedByClockChange("2026-03-29 02:30", timeZone: "Europe/Berlin")) {
            try Self.zone("Europe/Berlin").parse("2026-03-29 02:30", now: Self.now)
        }
    }

    @Test func aLocalTimeThatHappensTwiceMeansTheFirst() throws {
        // 2026-10-25 02:30 happens at 00:30 UTC (summer time) and again at 01:30 UTC.
        #expect(try Self.zone("Europe/Berlin").parse("2026-10-25 02:30", now: Self.now) == Self.utc("2026-10-25T00:30:00Z"))
    }

    @Test(arguments: ["2026-02-30 09:00", "13-01 9:00", "02-29 9:00"])
    func datesThatDoNotExistAreRefused(text: String) {
        #expect(throws: TimeInputError.noSuchDate(text)) { try Self.zone("Asia/Shanghai").parse(text, now: Self.now) }
    }

    @Test(arguments: ["soon", "25:00", "9:5", "tomorrow at nine", "2026-11-24 09:30 extra", "11/24/2026 9:30", ""])
    func textThatIsNotATimeIsRefused(text: String) {
        #expect(throws: TimeInputError.unreadable(text)) { try Self.zone("Asia/Shanghai").parse(text, now: Self.now) }
    }

    @Test func showingConvertsUTCToTheZone() {
        let instant = Self.utc("2026-11-24T01:30:00Z")
        #expect(Self.zone("Asia/Shanghai").format(instant) == "2026-11-24 09:30")
        #expect(Self.zone("Asia/Shanghai").formatDate(Self.utc("2026-11-23T16:00:00Z")) == "2026-11-24")
        #expect(Self.zone("UTC").format(instant) == "2026-11-24 01:30")
        #expect(Self.zone("America/New_York").format(instant) == "2026-11-23 20:30")
        #expect(Self.zone("Asia/Kolkata").formatFull(instant) == "2026-11-24 07:00:00 +05:30")
    }

    @Test func theZoneIsTheSettingThenTZThenTheBranchZone() {
        #expect(LocalTime.resolve(setting: "Europe/Berlin", environment: ["TZ": "UTC"], branch: "BJ").timeZone.identifier == "Europe/Berlin")
        #expect(LocalTime.resolve(setting: nil, environment: ["TZ": ":Europe/Berlin"], branch: "BJ").timeZone.identifier == "Europe/Berlin")
        #expect(LocalTime.resolve(setting: nil, environment: [:], branch: "BJ").timeZone.identifier == "Asia/Shanghai")
        #expect(LocalTime.resolve(setting: "Mars/Olympus", environment: ["TZ": "Nowhere/Atall"], branch: nil).timeZone.identifier == "Asia/Shanghai")
    }
}
