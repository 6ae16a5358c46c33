public import HTTPCodec

/// Collects routes, groups of routes and middleware, then builds an immutable `Router`.
///
///     var routes = RouterBuilder()
///     routes.add(ErrorMiddleware())
///     routes.get("/plaintext", .immediate { _, _ in .text("Hello, World!") })
///     routes.group("/v1") { v1 in
///         v1.add(DomainErrorMiddleware())
///         v1.get("/deals/{id}", .async { request, context in try await deal(request) })
///     }
///     let router = try routes.build()
public struct RouterBuilder: RouteRegistering {
    /// A route until `build`, which knows the router's whole middleware chain.
    private struct Registration {
        let pattern: String
        let method: String
        let handler: Handler
        let parameterNames: [String]
        let groupMiddleware: [any Middleware]
    }

    private final class Node {
        var literals: [(segment: String, node: Node)] = []
        var parameter: (name: String, node: Node)?
        /// Indexes into `registrations`.
        var byMethod: [HTTPMethod: Int] = [:]
        var otherMethods: [String: Int] = [:]
    }

    private let root = Node()
    private var registrations: [Registration] = []
    private var middleware: [any Middleware] = []
    private var problems: [String] = []

    public init() {}

    /// Appends middleware for every request; the first added runs first before handlers and
    /// last after them, outside any group's middleware.
    public mutating func add(_ middleware: any Middleware) {
        self.middleware.append(middleware)
    }

    public mutating func on(_ method: HTTPMethod, _ pattern: String, _ handler: Handler) {
        precondition(method != .other, "use on(methodName:) for other methods")
        register(pattern: pattern, method: method, handler: handler, groupMiddleware: [])
    }

    public mutating func on(methodName: String, _ pattern: String, _ handler: Handler) {
        register(pattern: pattern, methodName: methodName, handler: handler, groupMiddleware: [])
    }

    public mutating func group(_ prefix: String, _ body: (inout RouteGroup) -> Void) {
        var group = RouteGroup(prefix: prefix)
        body(&group)
        problems += group.problems
        for entry in group.resolvedEntries() {
            switch entry.method {
            case .known(let method):
                register(pattern: entry.pattern, method: method, handler: entry.handler, groupMiddleware: entry.middleware)
            case .named(let name):
                register(pattern: entry.pattern, methodName: name, handler: entry.handler, groupMiddleware: entry.middleware)
            }
        }
    }

    private mutating func register(pattern: String, method: HTTPMethod, handler: Handler, groupMiddleware: [any Middleware]) {
        register(pattern: pattern, method: method.description, handler: handler, groupMiddleware: groupMiddleware) { node, index in
            if node.byMethod[method] != nil { return false }
            node.byMethod[method] = index
            return true
        }
    }

    private mutating func register(pattern: String, methodName: String, handler: Handler, groupMiddleware: [any Middleware]) {
        register(pattern: pattern, method: methodName, handler: handler, groupMiddleware: groupMiddleware) { node, index in
            if node.otherMethods[methodName] != nil { return false }
            node.otherMethods[methodName] = index
            return true
        }
    }

    private mutating func register(
        pattern: String, method: String, handler: Handler, groupMiddleware: [any Middleware], attach: (Node, Int) -> Bool
    ) {
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
        let registration = Registration(
            pattern: pattern, method: method, handler: handler, parameterNames: names, groupMiddleware: groupMiddleware
        )
        if attach(node, registrations.count) {
            registrations.append(registration)
        } else {
            problems.append("route '\(pattern)' is registered twice for the same method")
        }
    }

    /// The router, or an error listing every malformed or duplicate route.
    public func build() throws(RouterError) -> Router {
        guard problems.isEmpty else { throw RouterError(problems: problems) }
        let routes = registrations.enumerated().map { index, registration in
            Route(
                pattern: registration.pattern, method: registration.method, index: index, handler: registration.handler,
                parameterNames: registration.parameterNames, middleware: middleware + registration.groupMiddleware
            )
        }
        return Router(root: freeze(root, routes: routes), routes: routes, middleware: middleware)
    }

    private func freeze(_ node: Node, routes: [Route]) -> RouteNode {
        var byMethod = [Route?](repeating: nil, count: HTTPMethod.allCases.count)
        for (method, index) in node.byMethod { byMethod[Int(method.rawValue)] = routes[index] }
        // RFC 9110 §9.3.2: HEAD is GET without the body; the connection drops the body.
        if byMethod[Int(HTTPMethod.head.rawValue)] == nil { byMethod[Int(HTTPMethod.head.rawValue)] = byMethod[Int(HTTPMethod.get.rawValue)] }
        return RouteNode(
            literals: node.literals.map { (Array($0.segment.utf8), freeze($0.node, routes: routes)) },
            parameterChild: node.parameter.map { freeze($0.node, routes: routes) },
            byMethod: byMethod,
            otherMethods: node.otherMethods.mapValues { routes[$0] }
        )
    }
}

/// Routes that could not be registered.
public struct RouterError: Error, CustomStringConvertible {
    public let problems: [String]
    public var description: String { problems.joined(separator: "; ") }
}
