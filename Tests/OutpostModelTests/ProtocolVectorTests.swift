import Testing
import OutpostJSON
@testable import OutpostModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks the language-neutral protocol material in `Protocol/` against the Swift model:
/// clock and merge vectors, the wire examples, and the per-entity JSON Schemas.
@Suite("Protocol vectors and examples")
struct ProtocolVectorTests {
    // MARK: Loading

    /// The repository root: three levels up from Tests/OutpostModelTests/ProtocolVectorTests.swift.
    static let root: String = {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    static func read(_ relativePath: String) throws -> String {
        let path = root + "/" + relativePath
        guard let file = fopen(path, "rb") else { throw FixtureError("cannot open \(path)") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func load(_ relativePath: String) throws -> JSONValue {
        try JSONValue.parse(read(relativePath))
    }

    struct FixtureError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func member(_ value: JSONValue, _ key: String) throws -> JSONValue {
        guard let member = value.objectValue?[key] else { throw FixtureError("missing member '\(key)'") }
        return member
    }

    static func cases(_ file: String) throws -> [JSONValue] {
        guard let cases = try member(load(file), "cases").arrayValue, !cases.isEmpty else {
            throw FixtureError("\(file) has no cases")
        }
        return cases
    }

    // MARK: Clock vectors

    @Test func clockCompareAndMergeVectors() throws {
        for item in try Self.cases("Protocol/vectors/clock-compare.json") {
            let name = try Self.member(item, "name").stringValue ?? "?"
            let left = try VectorClock(json: Self.member(item, "left"), path: "left")
            let right = try VectorClock(json: Self.member(item, "right"), path: "right")
            let merged = try VectorClock(json: Self.member(item, "merged"), path: "merged")
            let order = try Self.member(item, "order").stringValue
            #expect(left.compare(to: right).rawValue == order, "\(name): compare")
            #expect(left.merged(with: right) == merged, "\(name): merged")
            #expect(right.merged(with: left) == merged, "\(name): merged (reversed)")
            #expect(left.merged(with: right).jsonValue == (try Self.member(item, "merged")), "\(name): canonical encoding")
        }
    }

    // MARK: Merge vectors

    static func conflictNames(_ record: Record) -> [String] {
        record.conflicts.map { conflict in
            switch conflict {
            case .field(let name, _): return name
            case .deleteRacedEdit: return "lifecycle"
            }
        }
    }

    @Test func mergeVectors() throws {
        let cases = try Self.cases("Protocol/vectors/merge.json")
        #expect(cases.count >= 20)
        for item in cases {
            let name = try Self.member(item, "name").stringValue ?? "?"
            if item.objectValue?["knownIssue"]?.boolValue == true {
                // A case marked knownIssue documents a disagreement between SPEC.md and the Swift model.
                withKnownIssue("\(name): the Swift model disagrees with SPEC.md") {
                    try Self.checkMergeCase(item, name: name)
                }
                continue
            }
            try Self.checkMergeCase(item, name: name)
        }
    }

    static func checkMergeCase(_ item: JSONValue, name: String) throws {
        let left = try Record(json: member(item, "left"), path: "left")
        let right = try Record(json: member(item, "right"), path: "right")
        let expected = try Record(json: member(item, "expected"), path: "expected")
        let leftRight = try left.merged(with: right)
        let rightLeft = try right.merged(with: left)
        #expect(leftRight == expected, "\(name): left ⊔ right\n got \(leftRight.jsonValue.serialized())")
        #expect(rightLeft == expected, "\(name): right ⊔ left\n got \(rightLeft.jsonValue.serialized())")
        let conflicts = try member(item, "conflicts").arrayValue?.compactMap(\.stringValue) ?? []
        #expect(conflictNames(expected) == conflicts, "\(name): conflicts")
        #expect(conflictNames(leftRight) == conflicts, "\(name): conflicts of the computed merge")
        for (field, value) in try member(item, "winners").objectValue ?? [:] {
            #expect(expected.value(of: field) == value, "\(name): winner of \(field)")
            #expect(leftRight.value(of: field) == value, "\(name): winner of \(field) in the computed merge")
        }
        for (field, shown) in item.objectValue?["display"]?.objectValue ?? [:] {
            let values = expected.fields[field]?.distinctValues.map(\.value) ?? []
            #expect(values == shown.arrayValue, "\(name): display of \(field)")
        }
        // Where left and right claim the same write with different content (SPEC §4.5).
        let reused = item.objectValue?["reused"]?.stringValue
        for (a, b, label) in [(left, right, "left/right"), (right, left, "right/left")] {
            let place: String? = switch a.reusedWrite(comparedWith: b)?.place {
            case .field(let field): field
            case .lifecycle: "lifecycle"
            case .record: "record"
            case nil: nil
            }
            #expect(place == reused, "\(name): reused write (\(label))")
        }
        if let deleted = item.objectValue?["deleted"]?.boolValue {
            #expect(expected.isDeleted == deleted, "\(name): deleted")
        }
        // The expected envelope is canonical: re-encoding it gives back the vector's JSON.
        #expect(expected.jsonValue == (try member(item, "expected")), "\(name): canonical encoding")
    }

    // MARK: Examples

    @Test func examplesRoundTripThroughSwiftTypes() throws {
        let pushRequest = try Self.load("Protocol/examples/push-request.json")
        #expect(try PushRequest(json: pushRequest).jsonValue == pushRequest)
        let pushResponse = try Self.load("Protocol/examples/push-response.json")
        #expect(try PushResponse(json: pushResponse).jsonValue == pushResponse)
        let pullPage = try Self.load("Protocol/examples/pull-page.json")
        #expect(try PullPage(json: pullPage).jsonValue == pullPage)
        let session = try Self.load("Protocol/examples/session.json")
        #expect(try SessionInfo(json: session).jsonValue == session)
        for name in ["error-invalid-record", "error-batch-reused", "error-unsupported-protocol", "error-unauthorized"] {
            let error = try Self.load("Protocol/examples/\(name).json")
            #expect(try ErrorBody(json: error).jsonValue == error, "\(name)")
        }
    }

    @Test func exampleRecordsSatisfyTheirEntitySchemas() throws {
        let pushRequest = try PushRequest(json: Self.load("Protocol/examples/push-request.json"))
        let pullPage = try PullPage(json: Self.load("Protocol/examples/pull-page.json"))
        for record in pushRequest.records + pullPage.records {
            #expect(throws: Never.self, "\(record.id)") { try EntitySchema.for(record.type).validate(record) }
        }
    }

    // MARK: Entity schemas

    @Test(arguments: EntityType.allCases)
    func entityJSONSchemaMatchesSwiftSchema(_ type: EntityType) throws {
        let document = try Self.load("Protocol/schemas/\(type.rawValue).schema.json")
        let swift = EntitySchema.for(type)
        let properties = try Self.member(document, "properties").objectValue ?? [:]
        #expect(Set(properties.keys) == Set(swift.fields.map(\.name)), "field names")
        let required = try Self.member(document, "required").arrayValue?.compactMap(\.stringValue) ?? []
        #expect(Set(required) == Set(swift.fields.filter(\.required).map(\.name)), "required fields")
        #expect(document.objectValue?["additionalProperties"] == .bool(false))
        for field in swift.fields {
            guard let property = properties[field.name]?.objectValue else { continue }
            switch field.kind {
            case .oneOf(let values):
                let listed = property["enum"]?.arrayValue?.compactMap(\.stringValue) ?? []
                #expect(listed == values, "\(field.name): enum")
            case .text(let maxLength):
                #expect(property["maxLength"]?.intValue == Int64(maxLength), "\(field.name): maxLength")
            case .integer(let range):
                #expect(property["minimum"]?.intValue == range.lowerBound, "\(field.name): minimum")
                #expect(property["maximum"]?.intValue == range.upperBound, "\(field.name): maximum")
            case .decimal(let range):
                #expect(property["minimum"]?.doubleValue == range.lowerBound, "\(field.name): minimum")
                #expect(property["maximum"]?.doubleValue == range.upperBound, "\(field.name): maximum")
            case .phoneList(let maxCount), .userList(let maxCount):
                #expect(property["maxItems"]?.intValue == Int64(maxCount), "\(field.name): maxItems")
            case .scores(let range, let maxQuestions):
                #expect(property["maxProperties"]?.intValue == Int64(maxQuestions), "\(field.name): maxProperties")
                let scores = property["additionalProperties"]?.objectValue
                #expect(scores?["minimum"]?.intValue == range.lowerBound && scores?["maximum"]?.intValue == range.upperBound,
                        "\(field.name): score range")
            case .code, .boolean, .timestamp, .reference, .email, .creditCode:
                break
            }
            // Optional fields accept null (it clears them); required fields never do.
            let acceptsNull: Bool
            if let types = property["type"]?.arrayValue {
                acceptsNull = types.contains(.string("null"))
            } else if let values = property["enum"]?.arrayValue {
                acceptsNull = values.contains(.null)
            } else {
                acceptsNull = false
            }
            #expect(acceptsNull == !field.required, "\(field.name): null")
        }
    }
}
