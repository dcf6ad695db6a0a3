import OutpostArguments

/// One `outpost-server` command: its declaration and, for a runnable command, its handler.
/// Groups (`user`, `policy`…) hold children; the parser's ``CommandSpec`` tree is derived from
/// these nodes, so declaring a command and wiring its handler happen in one place.
///
/// ```swift
/// ServerCommandNode(CommandSpec(name: "status", abstract: "…", flags: [json])) { context in
///     try StatusCommand(context).run()
/// }
/// ```
struct ServerCommandNode: Sendable {
    typealias Handler = @Sendable (ServerContext) async throws -> Void

    /// The declaration, its subcommands derived from ``children``.
    let spec: CommandSpec
    let children: [ServerCommandNode]
    let handler: Handler?

    /// A runnable command.
    init(_ spec: CommandSpec, handler: @escaping Handler) {
        self.spec = spec
        self.children = []
        self.handler = handler
    }

    /// A group of commands (`outpost-server user …`).
    init(group spec: CommandSpec, _ children: [ServerCommandNode]) {
        var spec = spec
        spec.subcommands = children.map(\.spec)
        self.spec = spec
        self.children = children
        self.handler = nil
    }

    /// The node at `path` below this one (command names without the root), or `nil`.
    func node(at path: [String]) -> ServerCommandNode? {
        guard let first = path.first else { return self }
        return children.first { $0.spec.name == first }?.node(at: Array(path.dropFirst()))
    }
}
