import HTTPCodec

/// Routes requests by method and path: static segments and `{name}` parameters,
/// e.g. `/v1/deals/{id}`. Build it with `RouterBuilder`; once built it is immutable and
/// shared by every loop. Matching walks the path bytes and allocates nothing.
public final class Router: Sendable {
    let root: RouteNode
    /// Every route, in registration order; `routes.count` is the "no route" metrics index.
    public let routes: [Route]
    /// What requests that match no route run through (404, 405).
    let middleware: [any Middleware]

    init(root: RouteNode, routes: [Route], middleware: [any Middleware]) {
        self.root = root
        self.routes = routes
        self.middleware = middleware
    }

    /// The outcome of matching a request.
    enum Match {
        case found(Route)
        /// The path exists with other methods; `allow` lists them.
        case methodNotAllowed(allow: String)
        case notFound
    }

    /// Finds the route for `method` and `path`, capturing parameters into `parameters`.
    func match(method: HTTPMethod, methodName: ByteView, path: ByteView, parameters: inout PathParameters) -> Match {
        guard path.count > 0, path[0] == 47 /* / */ else { return .notFound }
        var node = root
        var segmentStart = 1
        var captured = PathParameters()
        captured.bind(chunk: path.chunk, base: path.start)
        while true {
            var segmentEnd = segmentStart
            while segmentEnd < path.count && path[segmentEnd] != 47 { segmentEnd += 1 }
            let segment = path.slice(from: segmentStart, to: segmentEnd)
            if let next = node.literalChild(matching: segment) {
                node = next
            } else if let next = node.parameterChild, !segment.isEmpty {
                guard captured.count < PathParameters.capacity else { return .notFound }
                captured.append(ByteRange(start: segment.start - path.start, count: segment.count))
                node = next
            } else {
                return .notFound
            }
            if segmentEnd == path.count { break }
            segmentStart = segmentEnd + 1
        }
        guard node.hasRoutes else { return .notFound }
        guard let route = node.route(for: method, name: methodName) else { return .methodNotAllowed(allow: node.allow) }
        captured.names = route.parameterNames
        parameters = captured
        return .found(route)
    }
}

/// One registered route.
public final class Route: Sendable {
    /// The pattern as registered, e.g. "/v1/deals/{id}"; the metrics label, with `method`.
    public let pattern: String
    /// The method it was registered for ("GET"; HEAD requests answered by a GET route count as GET).
    public let method: String
    /// Position in `Router.routes`.
    public let index: Int
    let handler: Handler
    let parameterNames: RouteParameterNames
    /// The router's middleware, then its group's: what requests for this route run through.
    let middleware: [any Middleware]

    init(pattern: String, method: String, index: Int, handler: Handler, parameterNames: [String], middleware: [any Middleware]) {
        self.pattern = pattern
        self.method = method
        self.index = index
        self.handler = handler
        self.parameterNames = RouteParameterNames(parameterNames)
        self.middleware = middleware
    }
}

final class RouteNode: Sendable {
    let literals: [(segment: [UInt8], node: RouteNode)]
    let parameterChild: RouteNode?
    /// Indexed by `HTTPMethod.rawValue`; `.other` methods are in `otherMethods`.
    let byMethod: [Route?]
    let otherMethods: [String: Route]
    let allow: String

    init(literals: [(segment: [UInt8], node: RouteNode)], parameterChild: RouteNode?, byMethod: [Route?], otherMethods: [String: Route]) {
        self.literals = literals
        self.parameterChild = parameterChild
        self.byMethod = byMethod
        self.otherMethods = otherMethods
        var names = HTTPMethod.allCases.filter { byMethod[Int($0.rawValue)] != nil }.map(\.description)
        names += otherMethods.keys.sorted()
        self.allow = names.joined(separator: ", ")
    }

    var hasRoutes: Bool { byMethod.contains { $0 != nil } || !otherMethods.isEmpty }

    @inline(__always)
    func literalChild(matching segment: ByteView) -> RouteNode? {
        for (literal, node) in literals where literal.count == segment.count {
            let equal = literal.withUnsafeBytes { literalBytes in
                segment.withUnsafeBytes { $0.elementsEqual(literalBytes) }
            }
            if equal { return node }
        }
        return nil
    }

    @inline(__always)
    func route(for method: HTTPMethod, name: ByteView) -> Route? {
        if method != .other { return byMethod[Int(method.rawValue)] }
        return otherMethods.isEmpty ? nil : otherMethods[name.string]
    }
}

