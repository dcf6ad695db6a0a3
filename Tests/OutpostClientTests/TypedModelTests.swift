import Foundation
import OutpostClient
import OutpostJSON
import OutpostModel
import Testing

// The typed models map one-to-one onto the schema (every field one property of a fitting type,
// required exactly when the schema says so), round-trip records of every entity type, expose
// conflicts per property and keep fields unknown to this app.

/// A valid value of a field kind, different for each `variant`.
func sampleValue(_ kind: FieldKind, variant: Int = 0) -> JSONValue {
    switch kind {
    case .text: return .string("Text \(variant) 文本")
    case .code: return .string("C-\(variant)")
    case .oneOf(let values): return .string(values[variant % values.count])
    case .integer(let range): return .int(min(range.upperBound, range.lowerBound + Int64(variant)))
    case .decimal(let range): return .double(max(range.lowerBound, min(range.upperBound, 0.25 + Double(variant))))
    case .boolean: return .bool(variant % 2 == 0)
    case .timestamp: return .string(Timestamps.format(1_790_000_000_000 + Int64(variant) * 86_400_000))
    case .reference: return .string(RecordID.random().rawValue)
    case .email: return .string("user\(variant)@example.com")
    case .phoneList: return .array([.string("138 0013 800\(variant % 10)")])
    case .userList: return .array([.string("user\(variant)")])
    case .creditCode: return "91350100M000100Y43"
    case .scores(let range, _): return .object(["q\(variant)": .int(range.lowerBound + Int64(variant) % (range.upperBound - range.lowerBound + 1))])
    }
}

/// Checks one model type against its schema.
func expectCoversSchema<Model: RecordModel>(_ type: Model.Type) {
    let schema = EntitySchema.for(Model.entityType)
    let names = Model.properties.all.map(\.name)
    #expect(Set(names).count == names.count, "\(Model.self): a field named by two properties")
    #expect(Set(Model.properties.all.map(\.keyPath)).count == names.count, "\(Model.self): a property listed twice")
    #expect(Set(names) == Set(schema.fields.map(\.name)), "\(Model.self): properties and schema fields differ")
    for field in schema.fields {
        guard let property = Model.properties.property(named: field.name) else { continue }
        #expect(property.accepts(field.kind), "\(Model.self).\(field.name): \(property.valueType) cannot hold \(field.kind.summary)")
        #expect(property.isOptional == !field.required, "\(Model.self).\(field.name): optional exactly when not required")
        // The property's getter and setter read and write this field and no other.
        var model = Model()
        let value = sampleValue(field.kind, variant: 1)
        property.set(value, on: &model)
        #expect(model.fieldValues == [field.name: value], "\(Model.self).\(field.name) writes its own field")
        #expect(property.json(of: model) == value, "\(Model.self).\(field.name) reads its own field")
        #expect(model.changes == [field.name: value])
    }
}

/// A record of `type` with every field set.
func fullRecord(_ type: EntityType, node: NodeID = .random(), extra: [String: JSONValue] = [:]) -> Record {
    var fields = extra
    for field in EntitySchema.for(type).fields { fields[field.name] = sampleValue(field.kind) }
    return Record.create(id: .random(), type: type, branch: "BJ", fields: fields, node: node,
                         at: HybridTimestamp(millis: 1_790_000_000_000, logical: 0))
}

@Suite("Typed models")
struct TypedModelTests {
    @Test func everySchemaFieldIsExactlyOneProperty() {
        expectCoversSchema(Customer.self)
        expectCoversSchema(Contact.self)
        expectCoversSchema(Visit.self)
        expectCoversSchema(Complaint.self)
    }

    @Test func choicesAreTheSchemasValues() {
        #expect(Customer.Tier.allCases.map(\.rawValue) == EntitySchema.tiers)
        #expect(Complaint.Category.allCases.map(\.rawValue) == EntitySchema.complaintCategories)
        #expect(Visit.Method.allCases.map(\.rawValue) == EntitySchema.visitMethods)
        // A value from a newer schema is kept, and known as unknown.
        let record = Record.create(id: .random(), type: .customer, branch: "BJ",
                                   fields: ["code": "C-1", "name": "Acme", "kind": "enterprise", "tier": "platinum"],
                                   node: .random(), at: HybridTimestamp(millis: 1, logical: 0))
        let customer = try? Customer(record)
        #expect(customer?.tier.rawValue == "platinum")
        #expect(customer?.tier.isKnown == false)
        #expect(customer?.kind == .enterprise)
    }

    @Test(arguments: EntityType.allCases)
    func recordsRoundTrip(type: EntityType) throws {
        let record = fullRecord(type, extra: ["fromANewerApp": ["nested": true]])
        func check<Model: RecordModel>(_: Model.Type) throws {
            let model = try Model(record)
            #expect(model.id == record.id)
            #expect(model.branch == "BJ")
            #expect(model.fieldValues == record.values)
            #expect(model.changes.isEmpty)
            #expect(model.unknownFields == ["fromANewerApp": ["nested": true]])
            // Every property reads the record's value; setting it back changes nothing stored.
            for property in Model.properties.all {
                #expect(property.json(of: model) == record.value(of: property.name), "\(property.name)")
            }
            // Model → values → record → model.
            let again = Record.create(id: record.id, type: type, branch: "BJ", fields: model.fieldValues, node: .random(),
                                      at: HybridTimestamp(millis: 2, logical: 0))
            #expect(try Model(again).fieldValues == model.fieldValues)
        }
        switch type {
        case .customer: try check(Customer.self)
        case .contact: try check(Contact.self)
        case .visit: try check(Visit.self)
        case .complaint: try check(Complaint.self)
        }
    }

    @Test func typedPropertiesReadAndWriteTheirValues() throws {
        var customer = Customer(code: "C-1", name: "北京华联", kind: .channelPartner, tier: .important)
        customer.owner = "li"
        customer.sharedWith = ["wang"]
        customer.annualPurchase = 1_250_000.5
        customer.cooperationSince = Date(timeIntervalSince1970: 1_700_000_000.123)
        customer.status = .active
        #expect(customer.fieldValues["kind"] == "channel-partner")
        #expect(customer.fieldValues["cooperationSince"] == "2023-11-14T22:13:20.123Z")
        #expect(customer.cooperationSince?.millis == 1_700_000_000_123)
        #expect(customer.annualPurchase == 1_250_000.5)
        customer.status = nil
        #expect(customer.fieldValues["status"] == .null, "nil clears the field")
        #expect(customer.status == nil)
        try EntitySchema.customer.validate(customer.fieldValues.filter { !$0.value.isNull }, requireAll: true)

        var complaint = Complaint(customer: customer.id, receivedAt: Date(timeIntervalSince1970: 1_790_000_000),
                                  channel: .web, content: "Late", category: .responsibleGeneral)
        complaint.complainants = 7
        complaint.onSite = false
        #expect(complaint.status == .open)
        #expect(complaint.fieldValues["customer"] == .string(customer.id.rawValue))
        try EntitySchema.complaint.validate(complaint.fieldValues, requireAll: true)
        #expect(throws: ModelConversionError.self) { try Visit(fullRecord(.complaint)) }
    }

    @Test func conflictsShowPerProperty() throws {
        let a = NodeID.random(), b = NodeID.random()
        var base = fullRecord(.customer, node: a)
        try base.write(["tier": "core", "owner": "li"], node: a, at: HybridTimestamp(millis: 1_790_000_000_001, logical: 0))
        var left = base, right = base
        try left.write(["tier": "important", "owner": .null], node: a, at: HybridTimestamp(millis: 1_790_000_000_010, logical: 0))
        try right.write(["tier": "general", "owner": "wang"], node: b, at: HybridTimestamp(millis: 1_790_000_000_020, logical: 0))
        let merged = try left.merged(with: right)
        let customer = try Customer(merged)
        #expect(customer.conflicts[\.tier] == [.general, .important], "the provisional winner (latest) first")
        #expect(customer.tier == .general)
        #expect(customer.conflicts[\.owner] == ["wang", nil], "a cleared value shows as nil")
        #expect(customer.conflicts[\.name] == [], "no conflict")
        #expect(customer.conflicts.fieldNames == ["owner", "tier"])
        #expect(customer.conflicts.properties == [\Customer.tier, \Customer.owner])
        #expect(!customer.recordConflicts.isEmpty)
        // Setting a conflicted property to its current winner still resolves it (it is saved).
        var edited = customer
        edited.tier = .general
        #expect(edited.changes == ["tier": "general"])
        edited.name = customer.name
        #expect(edited.changes == ["tier": "general"], "an unchanged field without conflict is not written")
    }

    @Test func savingWritesOnlyTheSetFieldsAndKeepsUnknownOnes() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("typed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let client = try OfflineClient(databasePath: directory.appendingPathComponent("app.db").path)

        var acme = Customer(code: "C-1", name: "Acme", kind: .enterprise, tier: .core)
        acme.region = "North"
        acme = try await client.save(acme)
        #expect(acme.record != nil)
        #expect(acme.branch == "HQ")
        #expect(try await client.customer(acme.id) == acme)
        await #expect(throws: ModelConversionError.self) { try await client.contact(acme.id) }

        // A field from a newer app arrives with a pull; the app edits another field.
        let stored = try #require(try await client.record(acme.id))
        var newer = stored
        try newer.write(["loyaltyPoints": 42], node: .random(), at: HybridTimestamp(millis: stored.lastModified.millis + 1, logical: 0))
        try client.replica.apply(PullPage(records: [newer], cursor: "c1", hasMore: false))
        var read = try #require(try await client.customer(acme.id))
        #expect(read.unknownFields == ["loyaltyPoints": 42])
        read.tier = .important
        read.region = nil
        let saved = try await client.save(read)
        let record = try #require(saved.record)
        #expect(record.value(of: "tier") == "important")
        #expect(record.value(of: "region") == .null)
        #expect(record.fields["loyaltyPoints"] == newer.fields["loyaltyPoints"], "unknown field untouched")
        #expect(record.fields["name"] == stored.fields["name"], "fields not set are not rewritten")

        // Children through the typed API.
        var visit = Visit(customer: acme.id, method: .phone)
        visit.actualAt = Date(timeIntervalSince1970: 1_790_000_000)
        visit.satisfaction = 4
        visit = try await client.save(visit)
        #expect(try await client.visit(visit.id)?.satisfaction == 4)
        #expect(try await client.visit(visit.id)?.branch == "HQ")
        var contact = try await client.save(Contact(customer: acme.id, name: "王丽"))
        contact.phones = ["138 0013 8000"]
        contact = try await client.save(contact)
        #expect(try await client.contact(contact.id)?.phones == ["138 0013 8000"])
        let complaint = try await client.save(Complaint(customer: acme.id, receivedAt: Date(timeIntervalSince1970: 1_790_000_000),
                                                        channel: .phone, content: "Late", category: .assist))
        #expect(try await client.complaint(complaint.id)?.category == .assist)
        // An invalid model is refused like the stringly API refuses it.
        var bad = Visit(customer: acme.id, method: .phone)
        bad.satisfaction = 9
        await #expect(throws: ReplicaError.self) { try await client.save(bad) }
    }

    @Test func savingAConflictedPropertyResolvesIt() throws {
        let replica = try Replica(path: ":memory:")
        let customer = try replica.save(Customer(code: "C-1", name: "Acme", kind: .enterprise, tier: .core))
        let stored = try #require(customer.record)
        var theirs = stored
        try theirs.write(["tier": "general", "name": "Acme Ltd"], node: .random(), at: HybridTimestamp(millis: stored.lastModified.millis - 1, logical: 0))
        var ours = stored
        try ours.write(["tier": "important", "name": "ACME"], node: .random(), at: HybridTimestamp(millis: stored.lastModified.millis + 1, logical: 0))
        try replica.apply(PullPage(records: [try ours.merged(with: theirs)], cursor: "c", hasMore: false))
        var read = try #require(try replica.model(Customer.self, id: customer.id))
        #expect(read.conflicts[\.tier] == [.important, .general])
        read.tier = .important
        let saved = try replica.save(read)
        #expect(saved.conflicts[\.tier] == [])
        #expect(saved.conflicts[\.name] == ["ACME", "Acme Ltd"], "a property not set stays in conflict")
        let resolved = try replica.resolve(saved, \.name, to: "Acme Trading")
        #expect(resolved.conflicts.isEmpty)
        #expect(resolved.name == "Acme Trading")
    }
}
