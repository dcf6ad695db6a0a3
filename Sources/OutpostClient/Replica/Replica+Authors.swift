import OutpostModel
import OutpostStore

/// Who wrote what: the user enrolled for each node, as named by the server in pull pages
/// (`"authors": {"<node id>": "<user name>"}`), so conflicts can show people instead of node ids.
extension Replica {
    /// Remembers the user enrolled for each node (node id → user name), replacing names learnt
    /// before. Meant for the pull path, inside the transaction that applies the page.
    ///
    /// ```swift
    /// try queue.write { db in try Replica.rememberAuthors(page.authors, db: db) }
    /// ```
    /// Stores the server's answer to `GET /v1/authors`, so conflicts name who wrote each value.
    public func rememberAuthors(_ response: AuthorsResponse) throws {
        let authors = Dictionary(uniqueKeysWithValues: response.authors.map { ($0.key.rawValue, $0.value) })
        try queue.write { db in try Self.rememberAuthors(authors, db: db) }
    }

    static func rememberAuthors(_ authors: [String: String], db: Database) throws {
        guard !authors.isEmpty else { return }
        let statement = try db.cachedStatement(sql: """
            INSERT INTO authors(node, user) VALUES (?, ?) ON CONFLICT(node) DO UPDATE SET user = excluded.user
            """)
        for (node, user) in authors.sorted(by: { $0.key < $1.key }) {
            try statement.execute(arguments: [node, user])
        }
    }

    /// The user behind each node this replica has heard of; this device's own node maps to the
    /// signed-in user. Nodes missing from the result are unknown (e.g. not yet named by the server).
    ///
    /// ```swift
    /// let names = try replica.authorNames()
    /// print(names[sibling.dot.node] ?? "another device")
    /// ```
    public func authorNames() throws -> [NodeID: String] {
        try queue.read { db in
            var names: [NodeID: String] = [:]
            for row in try db.fetchAll(sql: "SELECT node, user FROM authors") {
                if let node: String = row[0], let user: String = row[1] { names[NodeID(unchecked: node)] = user }
            }
            if let user = try Self.loadSettings(db)?.user { names[node] = user }
            return names
        }
    }
}
