/// A route handler: receives the request and the captured path parameters.
/// Throw an `HTTPResponseError` to send a specific error response; other errors become 500.
public typealias RouteHandler = @Sendable (HTTPRequest, RouteParameters) throws -> HTTPResponse

/// Dispatches requests to handlers by method and path pattern, through middleware.
///
/// Patterns are `/`-separated literal segments and `:name` captures; literal segments win
/// over captures when several routes match. Empty segments are ignored, so `/a/` matches `/a`.
/// Unknown paths get a 404 JSON error; known paths with another method get 405 with `Allow`.
/// `HEAD` falls back to the `GET` route. Middleware runs for every request (including
/// 404/405), first added outermost.
///
/// ```swift
/// var router = Router()
/// router.add(middleware: RequestLogger())
/// router.get("/v1/records/:id") { request, params in
///     .json(bytes: try store.recordJSON(id: params.require("id")))
/// }
/// let response = router.respond(to: HTTPRequest(method: .get, target: "/v1/records/42"))
/// ```
public struct Router: HTTPResponder {
    private struct Route: Sendable {
        let method: HTTPMethod
        let text: String
        let pattern: RoutePattern
        let handler: RouteHandler
    }

    private var routes: [Route] = []
    private var middleware: [any HTTPMiddleware] = []

    /// Creates an empty router.
    public init() {}

    /// Registers `handler` for `method` and path `pattern`. Registering the same method and
    /// pattern twice, or a malformed pattern, is a programmer error and traps.
    ///
    /// ```swift
    /// router.on(.options, "/v1/records") { _, _ in HTTPResponse(status: .noContent) }
    /// ```
    public mutating func on(_ method: HTTPMethod, _ pattern: String, use handler: @escaping RouteHandler) {
        let parsed = RoutePattern(pattern)
        precondition(
            !routes.contains(where: { $0.method == method && $0.pattern.shape == parsed.shape }),
            "Route \(method) \(pattern) registered twice"
        )
        routes.append(Route(method: method, text: pattern, pattern: parsed, handler: handler))
    }

    /// Registers a GET route; `router.get("/v1/health") { _, _ in .text("ok") }`.
    public mutating func get(_ pattern: String, use handler: @escaping RouteHandler) { on(.get, pattern, use: handler) }
    /// Registers a POST route; `router.post("/v1/sync") { request, _ in … }`.
    public mutating func post(_ pattern: String, use handler: @escaping RouteHandler) { on(.post, pattern, use: handler) }
    /// Registers a PUT route; `router.put("/v1/records/:id") { request, params in … }`.
    public mutating func put(_ pattern: String, use handler: @escaping RouteHandler) { on(.put, pattern, use: handler) }
    /// Registers a DELETE route; `router.delete("/v1/records/:id") { _, params in … }`.
    public mutating func delete(_ pattern: String, use handler: @escaping RouteHandler) { on(.delete, pattern, use: handler) }
    /// Registers a PATCH route; `router.patch("/v1/records/:id") { request, params in … }`.
    public mutating func patch(_ pattern: String, use handler: @escaping RouteHandler) { on(.patch, pattern, use: handler) }

    /// The registered routes as method and pattern, in registration order (to document or check
    /// an API description against what is served).
    ///
    /// ```swift
    /// for (method, pattern) in router.registeredRoutes { print(method, pattern) }
    /// ```
    public var registeredRoutes: [(method: HTTPMethod, pattern: String)] {
        routes.map { ($0.method, $0.text) }
    }

    /// Appends middleware; the first added runs first (outermost).
    ///
    /// ```swift
    /// router.add(middleware: RequireToken())
    /// ```
    public mutating func add(middleware: some HTTPMiddleware) {
        self.middleware.append(middleware)
    }

    /// The key under which ``respond(to:)`` leaves the pattern of the route a request is for
    /// (e.g. `/v1/users/:name/state`), before middleware runs; absent when no route has the path.
    /// Logs and metrics label requests by it, so raw paths (and the names in them) stay out.
    ///
    /// ```swift
    /// let route = request.storage[Router.MatchedRoute.self] ?? "unmatched"
    /// ```
    public enum MatchedRoute: RequestStorageKey { public typealias Value = String }

    /// The pattern of the route that answers `request`: the route for its method (`HEAD` falls
    /// back to `GET`), else the most specific route for its path with another method (answered
    /// 405), else `nil` (404).
    ///
    /// ```swift
    /// router.routePattern(for: HTTPRequest(method: .get, target: "/v1/records/42"))   // "/v1/records/:id"
    /// ```
    public func routePattern(for request: HTTPRequest) -> String? {
        let resolution = resolve(request)
        return (resolution.chosen ?? resolution.anyMethod)?.route.text
    }

    /// Runs the middleware chain and the matching handler. Never throws: errors become responses.
    public func respond(to request: HTTPRequest) -> HTTPResponse {
        var request = request
        request.storage[MatchedRoute.self] = routePattern(for: request)
        return run(request, from: 0)
    }

    private func run(_ request: HTTPRequest, from index: Int) -> HTTPResponse {
        guard index < middleware.count else { return dispatch(request) }
        do {
            return try middleware[index].handle(request) { run($0, from: index + 1) }
        } catch {
            return HTTPResponse(error: error)
        }
    }

    private typealias Candidate = (route: Route, parameters: [String: String], score: [Bool])

    /// The routes matching `request`: the one to run (`chosen`), the most specific one for the
    /// path whatever its method, and the methods the path allows.
    private func resolve(_ request: HTTPRequest) -> (chosen: Candidate?, anyMethod: Candidate?, allowed: [HTTPMethod]) {
        let segments = RoutePattern.segments(ofRawPath: request.rawPath)
        var best: Candidate?
        var allowed: [HTTPMethod] = []
        var fallbackGet: Candidate?
        var anyMethod: Candidate?
        for route in routes {
            guard let parameters = route.pattern.match(segments) else { continue }
            if !allowed.contains(route.method) { allowed.append(route.method) }
            let score = route.pattern.specificity
            if anyMethod == nil || RoutePattern.isMoreSpecific(score, than: anyMethod!.score) { anyMethod = (route, parameters, score) }
            if route.method == request.method {
                if best == nil || RoutePattern.isMoreSpecific(score, than: best!.score) { best = (route, parameters, score) }
            } else if request.method == .head && route.method == .get {
                if fallbackGet == nil || RoutePattern.isMoreSpecific(score, than: fallbackGet!.score) {
                    fallbackGet = (route, parameters, score)
                }
            }
        }
        return (best ?? fallbackGet, anyMethod, allowed)
    }

    private func dispatch(_ request: HTTPRequest) -> HTTPResponse {
        let resolution = resolve(request)
        var allowed = resolution.allowed
        guard let chosen = resolution.chosen else {
            if allowed.isEmpty {
                return HTTPError(.notFound, code: "not_found", message: "No route for \(request.path)").makeResponse()
            }
            if allowed.contains(.get) && !allowed.contains(.head) { allowed.append(.head) }
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            return HTTPError(
                .methodNotAllowed, code: "method_not_allowed",
                message: "Method \(request.method) is not allowed for \(request.path)", headers: ["Allow": allow]
            ).makeResponse()
        }
        do {
            return try chosen.route.handler(request, RouteParameters(chosen.parameters))
        } catch {
            return HTTPResponse(error: error)
        }
    }
}
