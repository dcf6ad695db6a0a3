import OutpostJSON

/// Two versions of a record that claim the same write but disagree on what it wrote: the same
/// dot with different content, or equal clocks with different content (SPEC §4.5). Honest
/// replicas never produce this; receivers refuse such input instead of merging it (the server
/// answers 409 `dot_reused`).
public struct ReusedWrite: Sendable, Hashable, CustomStringConvertible {
    /// Where the disagreement is.
    public enum Place: Sendable, Hashable {
        /// A field register holds the dot on both sides with different content.
        case field(String)
        /// The lifecycle holds the dot on both sides with different content.
        case lifecycle
        /// The clocks are equal but the versions differ (no single dot to blame).
        case record
    }

    /// Where the disagreement is.
    public let place: Place
    /// The reused dot (`nil` for ``Place/record``).
    public let dot: Dot?

    /// Creates a report.
    public init(place: Place, dot: Dot?) {
        self.place = place
        self.dot = dot
    }

    public var description: String {
        switch place {
        case .field(let name):
            return "field '\(name)' holds two different values for the same write \(dot.map(String.init(describing:)) ?? "?")"
        case .lifecycle:
            return "the delete/restore history holds two different entries for the same write \(dot.map(String.init(describing:)) ?? "?")"
        case .record:
            return "both versions claim to have seen exactly the same writes but their contents differ"
        }
    }
}

extension Record {
    /// The first write both versions claim with different content, or `nil` when they agree
    /// (SPEC §4.5). Looks at fields in bytewise name order, then the lifecycle, then whether
    /// equal clocks hold different contents. Linear in the number of siblings.
    ///
    /// Receivers refuse a version for which this is not `nil` rather than merging it.
    ///
    /// ```swift
    /// if let reused = stored.reusedWrite(comparedWith: pushed) { throw … 409 dot_reused … }
    /// ```
    public func reusedWrite(comparedWith other: Record) -> ReusedWrite? {
        let names = fields.keys.filter { other.fields[$0] != nil }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for name in names {
            if let dot = Self.reusedDot(fields[name]!, other.fields[name]!) {
                return ReusedWrite(place: .field(name), dot: dot)
            }
        }
        if let dot = Self.reusedDot(lifecycle, other.lifecycle) {
            return ReusedWrite(place: .lifecycle, dot: dot)
        }
        if clock == other.clock && self != other {
            return ReusedWrite(place: .record, dot: nil)
        }
        return nil
    }

    /// The first dot (ascending) both registers hold with different siblings.
    static func reusedDot<V>(_ left: Register<V>, _ right: Register<V>) -> Dot? {
        let a = left.siblings
        let b = right.siblings
        var i = 0
        var j = 0
        while i < a.count && j < b.count {
            if a[i].dot < b[j].dot {
                i += 1
            } else if b[j].dot < a[i].dot {
                j += 1
            } else {
                if !a[i].isIdentical(to: b[j]) { return a[i].dot }
                i += 1
                j += 1
            }
        }
        return nil
    }
}

/// Size limits of one record (SPEC §14). Decoders refuse envelopes with more clock entries,
/// fields or siblings than these; ``Record/checkLimits(path:)`` checks all of them plus the
/// canonical size (servers call it on what they are about to store).
public enum RecordLimits {
    /// Entries of the record clock and of a delete's `seen` clock.
    public static let maxClockEntries = 256
    /// Siblings of one field register, and of the lifecycle.
    public static let maxSiblings = 64
    /// Fields of one record.
    public static let maxFields = 64
    /// Bytes of the record's canonical JSON (``Record/canonicalJSON()``): 256 KiB.
    public static let maxCanonicalBytes = 256 * 1024
}

extension Record {
    /// Checks every limit of ``RecordLimits``, including the canonical JSON size.
    ///
    /// - Parameter path: the envelope's path, used in the error (e.g. `$.records[3]`).
    /// - Throws: a ``WireDecodingError`` whose ``WireDecodingError/kind`` is
    ///   ``WireDecodingError/Kind/limitExceeded`` (the server answers `record_too_large`).
    public func checkLimits(path: String = "$") throws(WireDecodingError) {
        if clock.counters.count > RecordLimits.maxClockEntries {
            throw .clockTooLarge(path: "\(path).clock")
        }
        if fields.count > RecordLimits.maxFields {
            throw .tooManyFields(path: "\(path).fields")
        }
        for name in fields.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let count = fields[name]!.siblings.count
            if count > RecordLimits.maxSiblings {
                throw .tooManySiblings(path: "\(path).fields.\(name)")
            }
        }
        if lifecycle.siblings.count > RecordLimits.maxSiblings {
            throw .tooManySiblings(path: "\(path).lifecycle")
        }
        for (index, sibling) in lifecycle.siblings.enumerated() {
            if case .deleted(let seen) = sibling.value, seen.counters.count > RecordLimits.maxClockEntries {
                throw .clockTooLarge(path: "\(path).lifecycle[\(index)].seen")
            }
        }
        let size = canonicalJSON().count
        if size > RecordLimits.maxCanonicalBytes {
            throw WireDecodingError(
                path: path,
                reason: "is \(size) bytes long; a record may take at most \(RecordLimits.maxCanonicalBytes) bytes (256 KiB)",
                kind: .limitExceeded)
        }
    }
}

extension WireDecodingError {
    static func clockTooLarge(path: String) -> WireDecodingError {
        WireDecodingError(
            path: path, reason: "has more than \(RecordLimits.maxClockEntries) entries, the most a clock may have",
            kind: .limitExceeded)
    }

    static func tooManyFields(path: String) -> WireDecodingError {
        WireDecodingError(
            path: path, reason: "has more than \(RecordLimits.maxFields) fields, the most a record may have",
            kind: .limitExceeded)
    }

    static func tooManySiblings(path: String) -> WireDecodingError {
        WireDecodingError(
            path: path,
            reason: "holds more than \(RecordLimits.maxSiblings) unresolved values, the most one field may hold; resolve the conflict first",
            kind: .limitExceeded)
    }
}
