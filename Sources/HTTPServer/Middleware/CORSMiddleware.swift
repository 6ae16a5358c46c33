import HTTPCodec

/// Cross-origin resource sharing for browser front ends, by the Fetch standard's CORS
/// protocol (https://fetch.spec.whatwg.org/#http-cors-protocol), for paths under one prefix.
///
/// - A preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) from an allowed
///   origin is answered 204 with the allowed methods and headers and a max age; from any other
///   origin, 403 without CORS headers (so the browser refuses, and a person reading it sees why).
/// - Other requests are handled as usual; the answer gets `Access-Control-Allow-Origin` for an
///   allowed origin, with the exposed headers. With a list of origins the answer names the
///   caller's (and carries `Vary: Origin` always, so caches keep one answer per origin); with
///   `*` it is `*` on every answer and needs no `Vary`.
/// - Credentials (cookies, HTTP auth) only with a list: `*` never matches a credentialed request,
///   so `Configuration.problems` refuses `*` with `allowCredentials`.
///
/// Place it before `ErrorMiddleware`, so that rendered errors get the headers too (a browser
/// shows a script a 409 only when it carries them).
package struct CORSMiddleware: Middleware {
    package struct Configuration: Sendable {
        /// Origins exactly as browsers send them (`https://shop.example:8443`), or just `*`.
        package var allowedOrigins: [String] = []
        /// Adds `Access-Control-Allow-Credentials: true` for allowed origins.
        package var allowCredentials = false
        /// How long a browser may keep a preflight's answer.
        package var maxAgeSeconds = 600
        package var allowedMethods: [String] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
        /// Request headers a script may set beyond the CORS-safelisted ones.
        package var allowedHeaders: [String] = []
        /// Response headers a script may read beyond the CORS-safelisted ones.
        package var exposedHeaders: [String] = []
        /// Only requests whose path starts with this are CORS requests (the operations and
        /// benchmark routes are not for browsers).
        package var pathPrefix = "/"

        package init() {}

        /// Problems with the settings, each naming the setting; empty when usable.
        package func problems() -> [String] {
            var problems: [String] = []
            if allowedOrigins.contains("*") {
                if allowedOrigins.count > 1 { problems.append("allowed_origins: * allows every origin and stands alone") }
                if allowCredentials {
                    problems.append("allow_credentials needs allowed_origins to list origins: browsers refuse credentials with *")
                }
            }
            for origin in allowedOrigins where origin != "*" && !Self.isSerializedOrigin(origin) {
                problems.append(
                    "allowed_origins: \"\(origin)\" is not an origin as browsers send it (scheme://host[:port], lower case, no path)"
                )
            }
            if !(0...86_400).contains(maxAgeSeconds) { problems.append("max_age_seconds must be 0...86400") }
            return problems
        }

        /// `http(s)://host[:port]` in lower case, with nothing after the authority.
        static func isSerializedOrigin(_ text: String) -> Bool {
            let rest: Substring
            if text.hasPrefix("https://") {
                rest = text.dropFirst(8)
            } else if text.hasPrefix("http://") {
                rest = text.dropFirst(7)
            } else {
                return false
            }
            return !rest.isEmpty && rest.utf8.allSatisfy { byte in
                (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || [0x2D, 0x2E, 0x3A, 0x5B, 0x5D].contains(byte)
            }
        }
    }

    private let origins: [String]
    private let anyOrigin: Bool
    private let allowCredentials: Bool
    private let pathPrefix: String
    // Header values joined once, so answers only copy references.
    private let allowMethods: HeaderText
    private let allowHeaders: HeaderText
    private let exposeHeaders: HeaderText
    private let maxAge: HeaderText

    /// - Precondition: `configuration.problems()` is empty and it allows some origin.
    package init(_ configuration: Configuration) {
        precondition(configuration.problems().isEmpty && !configuration.allowedOrigins.isEmpty, "invalid CORS configuration")
        anyOrigin = configuration.allowedOrigins == ["*"]
        origins = anyOrigin ? [] : configuration.allowedOrigins
        allowCredentials = configuration.allowCredentials
        pathPrefix = configuration.pathPrefix
        allowMethods = .string(configuration.allowedMethods.joined(separator: ", "))
        allowHeaders = .string(configuration.allowedHeaders.joined(separator: ", "))
        exposeHeaders = .string(configuration.exposedHeaders.joined(separator: ", "))
        maxAge = .string(String(configuration.maxAgeSeconds))
    }

    package func willHandle(_ request: Request, context: inout RequestContext) throws -> Response? {
        guard isPreflight(request) else { return nil }
        var headers = ResponseHeaders()
        if !anyOrigin { headers.add("Vary", "Origin") }
        guard let allowed = allowedOrigin(request) else {
            let origin = request.headers["origin"]?.string ?? ""
            let problem = HTTPError(.forbidden, detail: "the origin \(origin) may not call this API from a browser", headers: headers)
            return ErrorMiddleware.render(problem, context: context)
        }
        headers.add("Access-Control-Allow-Origin", allowed)
        if allowCredentials { headers.add("Access-Control-Allow-Credentials", "true") }
        headers.add("Access-Control-Allow-Methods", allowMethods)
        headers.add("Access-Control-Allow-Headers", allowHeaders)
        headers.add("Access-Control-Max-Age", maxAge)
        return Response(status: .noContent, headers: headers)
    }

    package func didHandle(_ request: Request, outcome: inout Result<Response, any Error>, context: inout RequestContext) {
        guard case .success(var response) = outcome, isCORSPath(request), !isPreflight(request) else { return }
        if !anyOrigin { response.headers.add("Vary", "Origin") }
        if let allowed = allowedOrigin(request) {
            response.headers.add("Access-Control-Allow-Origin", allowed)
            if allowCredentials { response.headers.add("Access-Control-Allow-Credentials", "true") }
            response.headers.add("Access-Control-Expose-Headers", exposeHeaders)
        }
        outcome = .success(response)
    }

    /// The value for `Access-Control-Allow-Origin`: `*`, or the configured origin equal to the
    /// request's `Origin` (no copy of the request's bytes); nil when it is not allowed.
    private func allowedOrigin(_ request: Request) -> HeaderText? {
        if anyOrigin { return "*" }
        guard let origin = request.headers["origin"] else { return nil }
        for allowed in origins where origin.equals(allowed) { return .string(allowed) }
        return nil
    }

    private func isPreflight(_ request: Request) -> Bool {
        request.method == .options && isCORSPath(request) && request.headers["origin"] != nil
            && request.headers["access-control-request-method"] != nil
    }

    private func isCORSPath(_ request: Request) -> Bool {
        let path = request.path
        var prefix = pathPrefix
        return prefix.withUTF8 { bytes in
            path.count >= bytes.count && path.withUnsafeBytes { $0.starts(with: UnsafeRawBufferPointer(bytes)) }
        }
    }
}
