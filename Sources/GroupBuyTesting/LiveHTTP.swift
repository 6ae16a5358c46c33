import Foundation
import HTTPClient
import HTTPCodec
import IOCore

/// One answer to a test's request over TCP: status, header fields (names lower-cased, the
/// last of repeated ones) and the body as text.
package struct HTTPResult: Sendable {
    package var status: Int
    package var headers: [String: String]
    package var body: String

    package init(status: Int, headers: [String: String], body: String) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body as a JSON object (empty when it is not one).
    package var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }

    /// `field` names of a 422 problem's errors.
    package var invalidFields: [String] {
        (json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
    }
}

/// Why a test's request got no answer, in words that say which request it was.
package struct LiveHTTPError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}

/// The test suites' HTTP client: our `HTTPClient` on a loop of its own, shared by the whole
/// test process, speaking to servers over real TCP like any client. A new connection for
/// every request (as a curl run makes one), so no test meets a connection another test's
/// server closed; the few tests about what curl in particular sends still run curl.
package enum LiveHTTP {
    private static let clients: HTTPClients = {
        // One loop is plenty: the client only waits on sockets.
        let group = try! EventLoopGroup(count: 1)
        var configuration = HTTPClientConfiguration()
        // A bound that only catches a hang (as curl's --max-time did), never a slow machine.
        configuration.timeout = .seconds(60)
        configuration.maxIdleConnectionsPerOrigin = 0
        return HTTPClients(loops: group.loops, configuration: configuration)
    }()

    /// Sends one request to `url` ("http://127.0.0.1:PORT/path?query") and returns the
    /// answer. A body without a `Content-Type` is sent as `application/json`.
    package static func request(
        _ method: String, _ url: String, headers: [String: String] = [:], body: String? = nil, bearer: String? = nil
    ) async throws -> HTTPResult {
        let (address, target) = try parse(url)
        guard let httpMethod = HTTPMethod.allCases.first(where: { $0 != .other && $0.description == method }) else {
            throw LiveHTTPError("\(method) is not a method LiveHTTP sends")
        }
        var fields = headers
        if let bearer { fields["Authorization"] = "Bearer \(bearer)" }
        if body != nil && !fields.keys.contains(where: { $0.lowercased() == "content-type" }) {
            fields["Content-Type"] = "application/json"
        }
        let request = HTTPClientRequest(
            method: httpMethod, target: target,
            headers: fields.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) },
            body: Array((body ?? "").utf8)
        )
        let response: HTTPClientResponse
        do {
            response = try await clients.execute(request, to: address)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw LiveHTTPError("\(method) \(url): \(error)")
        }
        var lowered: [String: String] = [:]
        for field in response.headers { lowered[field.name.lowercased()] = field.value }
        return HTTPResult(status: response.status, headers: lowered, body: response.text)
    }

    private static func parse(_ url: String) throws -> (SocketAddress, String) {
        guard url.hasPrefix("http://") else { throw LiveHTTPError("only http:// URLs: \(url)") }
        let rest = url.dropFirst("http://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        let target = slash == rest.endIndex ? "/" : String(rest[slash...])
        guard let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...]) else {
            throw LiveHTTPError("no port in \(url)")
        }
        do {
            return (try SocketAddress(host: String(authority[..<colon]), port: port), target)
        } catch {
            throw LiveHTTPError("bad address in \(url): \(error)")
        }
    }
}
