public import HTTPCodec

/// Collects routes and middleware, then builds an immutable `Router`.
///
///     var routes = RouterBuilder()
///     routes.add(ErrorMiddleware())
///     routes.get("/plaintext", .immediate { _, _ in .text("Hello, World!") })
///     routes.get("/v1/deals/{id}", .async { request, context in try await deal(request) })
///     let router = try routes.build()
public struct RouterBuilder {
    private final class Node {
        var literals: [(segment: String, node: Node)] = []
        var parameter: (name: String, node: Node)?
        var byMethod: [HTTPMethod: Route] = [:]
        var otherMethods: [String: Route] = [:]
    }

    private let root = Node()
    private var routes: [Route] = []
    private var middleware: [any Middleware] = []
    private var problems: [String] = []

    public init() {}

    /// Appends middleware; the first added runs first before handlers and last after them.
    public mutating func add(_ middleware: any Middleware) {
        self.middleware.append(middleware)
    }

    public mutating func get(_ pattern: String, _ handler: Handler) { on(.get, pattern, handler) }
    public mutating func post(_ pattern: String, _ handler: Handler) { on(.post, pattern, handler) }
    public mutating func put(_ pattern: String, _ handler: Handler) { on(.put, pattern, handler) }
    public mutating func patch(_ pattern: String, _ handler: Handler) { on(.patch, pattern, handler) }
    public mutating func delete(_ pattern: String, _ handler: Handler) { on(.delete, pattern, handler) }

    /// Registers `handler` for `method` on `pattern` ("/a/{name}/b"). HEAD falls back to GET.
    public mutating func on(_ method: HTTPMethod, _ pattern: String, _ handler: Handler) {
        precondition(method != .other, "use on(methodName:) for other methods")
        register(pattern: pattern, method: method.description, handler: handler) { node, route in
            if node.byMethod[method] != nil { return false }
            node.byMethod[method] = route
            return true
        }
    }

    /// Registers a handler for a method without a name in `HTTPMethod` (e.g. "PROPFIND").
    public mutating func on(methodName: String, _ pattern: String, _ handler: Handler) {
        register(pattern: pattern, method: methodName, handler: handler) { node, route in
            if node.otherMethods[methodName] != nil { return false }
            node.otherMethods[methodName] = route
            return true
        }
    }

    private mutating func register(pattern: String, method: String, handler: Handler, attach: (Node, Route) -> Bool) {
        guard pattern.hasPrefix("/") else {
            problems.append("route '\(pattern)' must start with /")
            return
        }
        var node = root
        var names: [String] = []
        for segment in pattern.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            if segment.hasPrefix("{") && segment.hasSuffix("}") && segment.count > 2 {
                let name = String(segment.dropFirst().dropLast())
                if let existing = node.parameter {
                    if existing.name != name {
                        problems.append("route '\(pattern)': {\(name)} conflicts with {\(existing.name)} at the same position")
                        return
                    }
                    node = existing.node
                } else {
                    let child = Node()
                    node.parameter = (name, child)
                    node = child
                }
                names.append(name)
            } else if segment.contains("{") || segment.contains("}") {
                problems.append("route '\(pattern)': malformed parameter segment '\(segment)'")
                return
            } else if let existing = node.literals.first(where: { $0.segment == segment }) {
                node = existing.node
            } else {
                let child = Node()
                node.literals.append((String(segment), child))
                node = child
            }
        }
        if names.count > PathParameters.capacity {
            problems.append("route '\(pattern)' has more than \(PathParameters.capacity) parameters")
            return
        }
        let route = Route(pattern: pattern, method: method, index: routes.count, handler: handler, parameterNames: names)
        if attach(node, route) {
            routes.append(route)
        } else {
            problems.append("route '\(pattern)' is registered twice for the same method")
        }
    }

    /// The router, or an error listing every malformed or duplicate route.
    public func build() throws(RouterError) -> Router {
        guard problems.isEmpty else { throw RouterError(problems: problems) }
        return Router(root: freeze(root), routes: routes, middleware: middleware)
    }

    private func freeze(_ node: Node) -> RouteNode {
        var byMethod = [Route?](repeating: nil, count: HTTPMethod.allCases.count)
        for (method, route) in node.byMethod { byMethod[Int(method.rawValue)] = route }
        // RFC 9110 §9.3.2: HEAD is GET without the body; the connection drops the body.
        if byMethod[Int(HTTPMethod.head.rawValue)] == nil { byMethod[Int(HTTPMethod.head.rawValue)] = node.byMethod[.get] }
        return RouteNode(
            literals: node.literals.map { (Array($0.segment.utf8), freeze($0.node)) },
            parameterChild: node.parameter.map { freeze($0.node) },
            byMethod: byMethod,
            otherMethods: node.otherMethods
        )
    }
}

/// Routes that could not be registered.
public struct RouterError: Error, CustomStringConvertible {
    public let problems: [String]
    public var description: String { problems.joined(separator: "; ") }
}
