public import HTTPCodec

/// What routes can be registered on: the whole router (`RouterBuilder`) or one of its groups
/// (`RouteGroup`). The method shorthands are written once, here.
public protocol RouteRegistering {
    /// Registers `handler` for `method` on `pattern` ("/a/{name}/b"). HEAD falls back to GET.
    mutating func on(_ method: HTTPMethod, _ pattern: String, _ handler: Handler)
    /// Registers a handler for a method without a name in `HTTPMethod` (e.g. "PROPFIND").
    mutating func on(methodName: String, _ pattern: String, _ handler: Handler)
    /// Registers the routes `body` adds under `prefix` ("/v1"), wrapped in the group's own
    /// middleware: it runs after the router's and only for the group's routes.
    mutating func group(_ prefix: String, _ body: (inout RouteGroup) -> Void)
}

extension RouteRegistering {
    public mutating func get(_ pattern: String, _ handler: Handler) { on(.get, pattern, handler) }
    public mutating func post(_ pattern: String, _ handler: Handler) { on(.post, pattern, handler) }
    public mutating func put(_ pattern: String, _ handler: Handler) { on(.put, pattern, handler) }
    public mutating func patch(_ pattern: String, _ handler: Handler) { on(.patch, pattern, handler) }
    public mutating func delete(_ pattern: String, _ handler: Handler) { on(.delete, pattern, handler) }
}

/// The routes of one group, before `RouterBuilder` registers them: their patterns relative
/// to the group's prefix, and the middleware the group wraps them in.
///
///     routes.group("/v1") { v1 in
///         v1.add(DomainErrorMiddleware())
///         v1.get("/deals/{id}", .async { request, context in try await deal(request) })
///     }
///
/// Group middleware applies to every route of the group, wherever `add` is called; it does
/// not run for requests that match no route (those only see the router's middleware).
public struct RouteGroup: RouteRegistering {
    /// One route as the group holds it; `middleware` is what nested groups add inside this one.
    struct Entry {
        enum Method {
            case known(HTTPMethod)
            case named(String)
        }

        let method: Method
        let pattern: String
        let handler: Handler
        let middleware: [any Middleware]
    }

    let prefix: String
    private(set) var entries: [Entry] = []
    private(set) var middleware: [any Middleware] = []
    private(set) var problems: [String] = []

    init(prefix: String) {
        self.prefix = prefix
        if !Self.isValidPrefix(prefix) {
            problems.append("group prefix '\(prefix)' must start with / and not end with /")
        }
    }

    static func isValidPrefix(_ prefix: String) -> Bool {
        prefix.hasPrefix("/") && !prefix.hasSuffix("/")
    }

    /// Appends middleware for this group's routes; the first added runs first before the
    /// handler and last after it, inside the router's middleware.
    public mutating func add(_ middleware: any Middleware) {
        self.middleware.append(middleware)
    }

    public mutating func on(_ method: HTTPMethod, _ pattern: String, _ handler: Handler) {
        precondition(method != .other, "use on(methodName:) for other methods")
        append(.known(method), pattern, handler)
    }

    public mutating func on(methodName: String, _ pattern: String, _ handler: Handler) {
        append(.named(methodName), pattern, handler)
    }

    private mutating func append(_ method: Entry.Method, _ pattern: String, _ handler: Handler) {
        guard pattern.hasPrefix("/") else {
            problems.append("route '\(pattern)' in group '\(prefix)' must start with /")
            return
        }
        entries.append(Entry(method: method, pattern: pattern, handler: handler, middleware: []))
    }

    public mutating func group(_ prefix: String, _ body: (inout RouteGroup) -> Void) {
        var inner = RouteGroup(prefix: prefix)
        body(&inner)
        problems += inner.problems
        entries += inner.resolvedEntries()
    }

    /// The entries with the prefix applied and this group's middleware outside the middleware
    /// of any group nested in it; none under a malformed prefix (already reported).
    func resolvedEntries() -> [Entry] {
        guard Self.isValidPrefix(prefix) else { return [] }
        return entries.map { entry in
            Entry(method: entry.method, pattern: prefix + entry.pattern, handler: entry.handler, middleware: middleware + entry.middleware)
        }
    }
}
