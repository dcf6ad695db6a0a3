import OutpostJSON
import OutpostModel

/// A record of an entity type this app does not know (written by a newer app through a newer
/// server). It is kept exactly as received, never shown, never validated against this app's
/// schema, and replaced by newer versions as they arrive (SPEC §12, §15).
public struct OpaqueRecord: Sendable, Hashable {
    /// The record id (lowercase).
    public var id: RecordID
    /// The entity type as the server named it.
    public var type: String
    /// The envelope's JSON text.
    public var envelope: [UInt8]

    /// Creates an opaque record.
    public init(id: RecordID, type: String, envelope: [UInt8]) {
        self.id = id
        self.type = type
        self.envelope = envelope
    }
}

/// One pulled page as the sync loop applies it: the records this app understands, and those of
/// entity types it does not know, kept opaque so an older app is never stuck on a newer server's page.
public struct PulledPage: Sendable {
    /// The records of known types.
    public var page: ReceivedPullPage
    /// Records of unknown entity types, in server order.
    public var opaque: [OpaqueRecord]

    /// Wraps a page that holds known types only.
    public init(_ page: ReceivedPullPage, opaque: [OpaqueRecord] = []) {
        self.page = page
        self.opaque = opaque
    }

    /// The cursor to send next time.
    public var cursor: String { page.cursor }
    /// `true` when more changes wait.
    public var hasMore: Bool { page.hasMore }
    /// Records in the page, opaque ones included.
    public var count: Int { page.count + opaque.count }

    /// Decodes a pull page body. Pages holding only known entity types take the fast path; a page
    /// the strict decoder refuses is split: envelopes whose `type` this app does not know become
    /// ``OpaqueRecord``s and the rest is decoded strictly (so a malformed known envelope is still refused).
    public static func decode(bytes: [UInt8]) throws -> PulledPage {
        do {
            return PulledPage(try ReceivedPullPage.decode(bytes: bytes))
        } catch {
            guard case .object(var object)? = try? JSONValue.parse(bytes), case .array(let items)? = object["records"] else { throw error }
            var known: [JSONValue] = []
            var opaque: [OpaqueRecord] = []
            for item in items {
                if case .string(let type)? = item.objectValue?["type"], EntityType(rawValue: type) == nil,
                    case .string(let idText)? = item.objectValue?["id"], let id = try? RecordID(idText)
                {
                    opaque.append(OpaqueRecord(id: id, type: type, envelope: item.serializedBytes()))
                } else {
                    known.append(item)
                }
            }
            guard !opaque.isEmpty else { throw error }
            object["records"] = .array(known)
            return PulledPage(try ReceivedPullPage.decode(bytes: JSONValue.object(object).serializedBytes()), opaque: opaque)
        }
    }
}
