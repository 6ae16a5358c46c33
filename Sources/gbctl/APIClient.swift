import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Calls the service's REST API; every failure becomes a `CLIError` a person can act on.
struct APIClient {
    let base: String
    let token: String?

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
        guard let url = URL(string: base + path) else { throw CLIError(.other, "bad URL \(base + path)") }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        if authenticated, let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw CLIError(.unreachable, "cannot reach \(base): \(error.localizedDescription)")
        }
        guard let http = response as? HTTPURLResponse else { throw CLIError(.other, "not an HTTP answer from \(base)") }
        var replyHeaders: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { replyHeaders[name.lowercased()] = value }
        }
        let reply = Reply(status: http.statusCode, headers: replyHeaders, body: data)
        guard (200..<400).contains(reply.status) else { throw Self.failure(reply) }
        return reply
    }

    /// The problem+json of a refusal as one readable message.
    static func failure(_ reply: Reply) -> CLIError {
        let problem = reply.object
        var message = "\(reply.status) \(problem["title"] as? String ?? HTTPURLResponse.localizedString(forStatusCode: reply.status))"
        if let errors = problem["errors"] as? [[String: Any]], !errors.isEmpty {
            message += errors.map { "\n  - \($0["field"] as? String ?? "?"): \($0["message"] as? String ?? "")" }.joined()
        } else if let detail = problem["detail"] as? String {
            message += ": \(detail)"
        }
        if reply.status == 401 { message += "\n  (give a token with --token or GBCTL_TOKEN; `gbctl token issue` makes one)" }
        return CLIError(reply.status == 503 ? .unreachable : reply.status >= 500 ? .serverError : .refused, message)
    }
}
