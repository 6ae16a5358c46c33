import Foundation
import HTTPClient
import HTTPCodec

/// Calls the service's REST API; every failure becomes a `CLIError` a person can act on.
struct APIClient {
    let server: ServerURL
    let token: String?

    /// The server's URL as the user gave it (without a trailing slash), for messages.
    var base: String { server.base }

    struct Reply {
        let status: Int
        let headers: [String: String]
        let body: Data

        var object: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    func send(
        _ method: String, _ path: String, json: [String: Any]? = nil, headers: [String: String] = [:], authenticated: Bool = true,
        timeout: TimeInterval = 30
    ) async throws -> Reply {
        guard let verb = HTTPMethod.allCases.first(where: { $0 != .other && $0.description == method }) else {
            throw CLIError(.other, "unknown HTTP method \(method)")
        }
        var fields: [(name: String, value: String)] = [("Host", server.host)]
        if authenticated, let token { fields.append(("Authorization", "Bearer \(token)")) }
        fields += headers.map { (name: $0.key, value: $0.value) }
        var body: [UInt8] = []
        if let json {
            body = Array(try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]))
            fields.append(("Content-Type", "application/json"))
        }
        let request = HTTPClientRequest(method: verb, target: server.prefix + path, headers: fields, body: body)
        let clients = try Transport.clients()
        let response: HTTPClientResponse
        do {
            response = try await clients.execute(request, to: server.address, timeout: .seconds(timeout))
        } catch {
            throw failure(sending: "\(method) \(path)", error)
        }
        var replyHeaders: [String: String] = [:]
        for field in response.headers { replyHeaders[field.name.lowercased()] = field.value }
        let reply = Reply(status: response.status, headers: replyHeaders, body: Data(response.body))
        guard (200..<400).contains(reply.status) else { throw Self.failure(reply) }
        return reply
    }

    /// No usable answer: our own request was unsendable, the answer was not HTTP, or (most
    /// often) the server could not be reached in time.
    private func failure(sending call: String, _ error: any Error) -> CLIError {
        switch error as? HTTPClientError {
        case .invalidRequest(let detail)?: CLIError(.other, "cannot send \(call): \(detail)")
        case .invalidResponse?, .responseTooLarge?: CLIError(.other, "not an HTTP answer from \(base): \(error)")
        default: CLIError(.unreachable, "cannot reach \(base): \(error)")
        }
    }

    /// The problem+json of a refusal as one readable message.
    static func failure(_ reply: Reply) -> CLIError {
        let problem = reply.object
        var message = "\(reply.status) \(problem["title"] as? String ?? reasonPhrase(reply.status))"
        if let errors = problem["errors"] as? [[String: Any]], !errors.isEmpty {
            message += errors.map { "\n  - \($0["field"] as? String ?? "?"): \($0["message"] as? String ?? "")" }.joined()
        } else if let detail = problem["detail"] as? String {
            message += ": \(detail)"
        }
        if reply.status == 401 { message += "\n  (give a token with --token or GBCTL_TOKEN; `gbctl token issue` makes one)" }
        return CLIError(reply.status == 503 ? .unreachable : reply.status >= 500 ? .serverError : .refused, message)
    }

    /// HTTPCodec's reason phrase ("Not Found"); "Status" for codes it has none for.
    static func reasonPhrase(_ status: Int) -> String {
        (100...999).contains(status) ? HTTPStatus(code: status).reasonPhrase.description : "Status"
    }
}
