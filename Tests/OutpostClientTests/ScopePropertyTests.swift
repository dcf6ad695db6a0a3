import Testing
import OutpostClient
import OutpostJSON
import OutpostModel
import OutpostServer
import OutpostTestSupport

/// Randomized schedules of a branch — a branch head's device and three salespeople's devices —
/// with creations and edits, reassignments and shares from the branch head's device, role changes
/// (sales ⇄ branch-admin), deactivations and reactivations, and syncs in random order. Afterwards
/// everyone syncs twice and
///
/// - law 6: every device holds exactly the records its user may read on the server now;
/// - law 2: every value written and not overwritten by a writer that had seen it is on the server
///   or in its device's set-aside list — nothing is dropped silently.
///
/// Each schedule is replayable from its seed, which every failure message names.
@Suite("Randomized scope changes")
struct ScopePropertyTests {
    static let seeds: [UInt64] = (0..<16).map { 0x5C0_9E00_0000 + UInt64($0) }
    static let salesNames = ["s0", "s1", "s2"]

    struct WriteKey: Hashable {
        var id: RecordID
        var field: String
        var value: JSONValue
    }

    final class Schedule {
        let seed: UInt64
        var rng: SeededGenerator
        let server: TestServer
        var devices: [String: Client] = [:]
        var roles: [String: Role] = [:]
        var deactivated: Set<String> = []
        /// Every value written: who wrote it, and `true` once a writer that had seen it wrote over it.
        var written: [WriteKey: (writer: String, overwritten: Bool)] = [:]
        var counter = 0
        var log: [String] = []

        init(seed: UInt64) throws {
            self.seed = seed
            rng = SeededGenerator(seed: seed)
            server = try TestServer()
        }

        func pick<T>(_ items: [T]) -> T? { items.isEmpty ? nil : items[Int.random(in: 0..<items.count, using: &rng)] }
        func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }
        func fresh(_ who: String) -> String {
            counter += 1
            return "\(who)-v\(counter)"
        }

        /// Edits `fields` of `id` on `who`'s device and notes the write; a refused local edit notes nothing.
        func write(_ who: String, _ id: RecordID, _ fields: [String: JSONValue]) {
            guard let replica = devices[who]?.replica, let before = try? replica.record(id) else { return }
            guard (try? replica.update(id, fields: fields)) != nil else { return }
            note(who, id, before: before, fields)
        }

        func note(_ who: String, _ id: RecordID, before: Record?, _ fields: [String: JSONValue]) {
            for name in fields.keys {
                for sibling in before?.fields[name]?.siblings ?? [] {
                    if let old = written[WriteKey(id: id, field: name, value: sibling.value)] {
                        written[WriteKey(id: id, field: name, value: sibling.value)] = (old.writer, true)
                    }
                }
            }
            for (name, value) in fields { written[WriteKey(id: id, field: name, value: value)] = (who, false) }
        }

        func sync(_ who: String) async throws {
            guard let device = devices[who] else { return }
            do {
                try await device.sync(server, batchSize: Int.random(in: 1...4, using: &rng), pageSize: Int.random(in: 1...5, using: &rng))
                log.append("\(who) synced")
            } catch SyncError.unauthorized {
                #expect(deactivated.contains(who), "seed \(seed): \(who) was refused while active\n\(log.joined(separator: "\n"))")
                log.append("\(who) refused (deactivated)")
            }
        }

        func step() async throws {
            let sales = ScopePropertyTests.salesNames
            let roll = Int.random(in: 0..<100, using: &rng)
            switch roll {
            case 0..<18:
                // A salesperson (or the branch head) creates a customer, maybe with a contact.
                guard let who = pick(sales + ["boss"]), let replica = devices[who]?.replica else { return }
                let code = "C-\(counter)"
                let notes = fresh(who)
                guard let customer = try? replica.create(.customer, fields: Fixture.customer(code).merging(["notes": .string(notes)]) { $1 }) else { return }
                note(who, customer.id, before: nil, ["notes": .string(notes)])
                log.append("\(who) created \(code) \(customer.id)")
                if chance(50) {
                    let title = fresh(who)
                    if let contact = try? replica.create(.contact, fields: Fixture.contact(of: customer.id).merging(["title": .string(title)]) { $1 }) {
                        note(who, contact.id, before: nil, ["title": .string(title)])
                    }
                }
            case 18..<40:
                // Someone edits a record its device holds.
                guard let who = pick(sales + ["boss"]), let replica = devices[who]?.replica else { return }
                let customers = (try? replica.records(.customer)) ?? []
                let contacts = (try? replica.records(.contact)) ?? []
                if chance(60), let customer = pick(customers) {
                    write(who, customer.id, ["notes": .string(fresh(who))])
                    log.append("\(who) edited \(customer.id)")
                } else if let contact = pick(contacts) {
                    write(who, contact.id, ["title": .string(fresh(who))])
                    log.append("\(who) edited contact \(contact.id)")
                } else if let customer = pick(customers), chance(50) {
                    let title = fresh(who)
                    if let contact = try? replica.create(.contact, fields: Fixture.contact(of: customer.id).merging(["title": .string(title)]) { $1 }) {
                        note(who, contact.id, before: nil, ["title": .string(title)])
                        log.append("\(who) added contact \(contact.id) to \(customer.id)")
                    }
                }
            case 40..<54:
                // The branch head reassigns a customer from its device.
                guard let replica = devices["boss"]?.replica, let customer = pick((try? replica.records(.customer)) ?? []),
                      let to = pick(sales) else { return }
                write("boss", customer.id, ["owner": .string(to)])
                log.append("boss reassigned \(customer.id) to \(to)")
            case 54..<62:
                // The branch head shares a customer, or stops sharing it.
                guard let replica = devices["boss"]?.replica, let customer = pick((try? replica.records(.customer)) ?? []) else { return }
                let names = sales.filter { _ in chance(40) }
                write("boss", customer.id, ["sharedWith": .array(names.map { .string($0) })])
                log.append("boss shared \(customer.id) with \(names)")
            case 62..<70:
                // A salesperson becomes branch administrator, or goes back to sales.
                guard let who = pick(sales) else { return }
                let role: Role = roles[who] == .sales ? .branchAdmin : .sales
                try server.database.setUser(name: who, role: role, branch: nil)
                roles[who] = role
                log.append("\(who) is now \(role.rawValue)")
            case 70..<76:
                // A salesperson is deactivated, or reactivated (the device signs in with the new token).
                guard let who = pick(sales), let device = devices[who] else { return }
                if deactivated.contains(who) {
                    try reactivate(who, device)
                } else {
                    try server.database.deactivateUser(name: who)
                    deactivated.insert(who)
                    log.append("\(who) deactivated")
                }
            default:
                if let who = pick(sales + ["boss"]) { try await sync(who) }
            }
        }

        func reactivate(_ who: String, _ device: Client) throws {
            let token = try server.database.reactivateUser(name: who)
            let settings = try #require(try device.replica.settings())
            try device.replica.configure(ReplicaSettings(serverURL: settings.serverURL, token: token, user: who, role: settings.role,
                                                         branch: settings.branch, serverID: settings.serverID))
            devices[who] = Client(name: who, path: device.path, token: token, replica: device.replica)
            deactivated.remove(who)
            log.append("\(who) reactivated")
        }
    }

    @Test(arguments: seeds)
    func everyDeviceHoldsWhatItsUserMayReadAndNoWriteIsLost(seed: UInt64) async throws {
        let schedule = try Schedule(seed: seed)
        defer { schedule.server.cleanUp() }
        schedule.devices["boss"] = try await makeClient(schedule.server, "boss", role: .manager)
        for name in Self.salesNames {
            schedule.devices[name] = try await makeClient(schedule.server, name, role: .sales)
            schedule.roles[name] = .sales
        }
        for _ in 0..<60 { try await schedule.step() }
        for name in schedule.deactivated.sorted() { try schedule.reactivate(name, schedule.devices[name]!) }
        for _ in 0..<2 {
            for name in ["boss"] + Self.salesNames { try await schedule.sync(name) }
        }
        let trace = "seed \(seed):\n" + schedule.log.joined(separator: "\n")

        // The server's records, as headquarters sees them.
        let hq = try schedule.server.addUser("hq", role: .hq, branch: "HQ")
        var serverRecords: [RecordID: Record] = [:]
        var cursor: String?
        while true {
            let page = try await SyncAPI(transport: schedule.server.transport, token: hq).pull(cursor: cursor, limit: 500)
            for record in page.records { serverRecords[record.id] = record }
            cursor = page.cursor
            if !page.hasMore { break }
        }
        func access(_ record: Record) -> RecordAccess {
            if record.type == .customer { return RecordAccess(customer: record) }
            let customer = record.value(of: "customer")?.stringValue.flatMap { serverRecords[RecordID(unchecked: $0)] }
            return customer.map(RecordAccess.init(customer:)) ?? RecordAccess(branch: record.branch, users: [])
        }

        // Law 6: each device holds exactly what its user may read.
        for name in ["boss"] + Self.salesNames {
            let device = try #require(schedule.devices[name])
            let scope = AccessScope(role: name == "boss" ? .manager : schedule.roles[name]!, branch: "BJ", user: name)
            let visible = Set(serverRecords.values.filter { scope.canRead(access($0)) }.map(\.id))
            let held = Set(try allRecords(device.replica).keys)
            #expect(held == visible, "\(name): holds \(held.subtracting(visible).count) extra, lacks \(visible.subtracting(held).count)\n\(trace)")
            #expect(try device.replica.pendingChangeCount() == 0, "\(name) still has unsent edits\n\(trace)")
        }

        // Law 2: every surviving write is on the server or in its writer's set-aside list.
        var setAside: [String: [RecordID: Record]] = [:]
        for name in ["boss"] + Self.salesNames {
            setAside[name] = Dictionary(try schedule.devices[name]!.replica.setAsideRecords().map { ($0.record.id, $0.record) },
                                        uniquingKeysWith: { first, _ in first })
        }
        func holds(_ record: Record?, _ key: WriteKey) -> Bool {
            record?.fields[key.field]?.siblings.contains { $0.value == key.value } == true
        }
        var lost: [String] = []
        for (key, state) in schedule.written where !state.overwritten {
            if holds(serverRecords[key.id], key) || holds(setAside[state.writer]?[key.id], key) { continue }
            lost.append("\(state.writer): \(key.id).\(key.field)=\(key.value)")
        }
        #expect(lost.isEmpty, "lost writes: \(lost.sorted())\n\(trace)")
    }
}
