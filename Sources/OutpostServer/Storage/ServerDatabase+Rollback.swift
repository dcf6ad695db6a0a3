import Foundation
import OutpostCrypto
import OutpostStore

/// What the server found when it opened a database file that went back in time (SPEC §11.1): an
/// older copy of the file put back by hand, without `outpost-server restore`. The server began a
/// new epoch, as a restore does, so devices re-offer what the file lacks.
public struct RollbackDetection: Sendable, Hashable, CustomStringConvertible {
    /// The epoch the file was in (and the marker's, when it differs); now an earlier epoch.
    public var earlierEpochs: [String]
    /// The new epoch that began.
    public var newEpoch: String
    /// The newest seq in the file.
    public var fileSeq: Int64
    /// The highest seq the server had issued, according to the marker.
    public var markerSeq: Int64

    public var description: String {
        let why = fileSeq < markerSeq
            ? "its newest change is #\(fileSeq), but changes up to #\(markerSeq) had been acknowledged"
            : "it is from before an epoch this server had already begun"
        return "The database file is older than the one this server last used (\(why); an old copy was probably put back by hand). "
            + "A new epoch \(newEpoch) begins: devices re-send what the file lacks on their next sync. "
            + "Use `outpost-server restore` to put a backup back."
    }
}

/// The sidecar marker `<database>.mark`: the server id, epoch and highest seq the server has issued
/// for the database beside it. Written owner-only (0600) and atomically (a temporary file renamed
/// over it) when the database is opened, after every push that stored changes, and at checkpoints
/// (graceful shutdown). A database whose newest seq is below the marker's in the same epoch went
/// back in time (SPEC §11.1).
struct RollbackMarker: Sendable, Hashable {
    var serverID: String
    var epoch: String
    var seq: Int64

    static let header = "outpost-mark 1"

    /// The marker's path for the database at `databasePath`.
    static func path(for databasePath: String) -> String { databasePath + ".mark" }

    /// The marker at `path`, or `nil` when there is none or it cannot be read (it is then rewritten).
    static func read(_ path: String) -> RollbackMarker? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        guard lines.count >= 4, lines[0] == header, let seq = Int64(lines[3]), !lines[1].isEmpty, !lines[2].isEmpty else { return nil }
        return RollbackMarker(serverID: lines[1], epoch: lines[2], seq: seq)
    }

    /// Writes the marker to `path` atomically, readable by its owner only.
    func write(to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        let text = "\(Self.header)\n\(serverID)\n\(epoch)\n\(seq)\n"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
        }
        guard rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}

/// Keeps one database's marker current: only ever raises the recorded seq within an epoch, so
/// concurrent pushes finishing out of order never lower it.
final class RollbackMarkerKeeper: @unchecked Sendable {
    // Safety: `written` is only touched while holding `lock`.
    private let lock = NSLock()
    private var written: RollbackMarker?
    /// The marker file's path.
    let path: String

    init(path: String) { self.path = path }

    /// Records that `seq` was issued (committed) in `epoch`. A failure to write is not fatal: the
    /// marker only strengthens the detection of a file put back by hand.
    func note(serverID: String, epoch: String, seq: Int64) {
        lock.withLock {
            if let written, written.serverID == serverID, written.epoch == epoch, written.seq >= seq { return }
            let marker = RollbackMarker(serverID: serverID, epoch: epoch, seq: seq)
            if (try? marker.write(to: path)) != nil { written = marker }
        }
    }
}

extension ServerDatabase {
    /// Compares the database with its marker when it is opened (SPEC §11.1). When the file went
    /// back in time — same server id, and either the marker's epoch with a newer seq than the file
    /// holds, or an epoch the file does not know — it records the file's (and the marker's) epoch
    /// in `epochs` and begins a new epoch, exactly as `outpost-server restore` does. Returns the
    /// epoch now current and what was detected. Runs inside the opening write transaction.
    static func checkForRollback(_ db: Database, serverID: String, epoch: String,
                                 marker: RollbackMarker?) throws -> (epoch: String, detection: RollbackDetection?) {
        guard let marker, marker.serverID == serverID else { return (epoch, nil) }
        let newest: Int64 = try highestSeq(db)
        let markerEpochKnown: Int = try db.fetchScalar(sql: "SELECT COUNT(*) FROM epochs WHERE epoch = ?", arguments: [marker.epoch]) ?? 0
        let wentBack = marker.epoch == epoch ? newest < marker.seq : markerEpochKnown == 0
        guard wentBack else { return (epoch, nil) }
        let earlier = Array(Set([epoch, marker.epoch])).sorted()
        for old in earlier {
            try db.execute(sql: "INSERT INTO epochs(epoch, ended_at) VALUES (?, ?) ON CONFLICT(epoch) DO NOTHING",
                           arguments: [old, nowMillis()])
        }
        let newEpoch = Hex.encode(SecureRandom.bytes(count: 8))
        try setMeta(db, "epoch", newEpoch)
        return (newEpoch, RollbackDetection(earlierEpochs: earlier, newEpoch: newEpoch, fileSeq: newest, markerSeq: marker.seq))
    }

    /// Records in the marker that `seq` was committed (after a push).
    func noteIssued(seq: Int64) {
        marker?.note(serverID: serverID, epoch: epoch, seq: seq)
    }
}
