import Foundation
import HTTPClient
import HTTPCodec
import IOCore

/// A failed call of setup or the checks to the service or the provider: which call, the
/// status (nil when no answer came) and what the answer or the transport said.
public struct ScenarioSetupError: Error, Sendable, CustomStringConvertible, Equatable {
    /// `POST /v1/admin/deals (deal hot, copy 2)`.
    public var call: String
    public var status: Int?
    public var detail: String

    public init(call: String, status: Int?, detail: String) {
        self.call = call
        self.status = status
        self.detail = detail
    }

    public var description: String {
        status.map { "\(call): \($0) \(detail)" } ?? "\(call): \(detail)"
    }
}

/// JSON calls to one server for setup and checks (a few requests: clarity over speed).
struct AdminClient: Sendable {
    let clients: HTTPClients
    let endpoint: Endpoint
    /// Sent as `Authorization: Bearer …` when set.
    let bearer: String?
    var timeout: Duration = .seconds(30)

    struct Answer {
        var status: Int
        var text: String
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
    }

    /// Sends the request; a transport failure, or a status outside `accept`, is an error naming `call`.
    func send(
        _ method: HTTPMethod, _ target: String, body: String? = nil, headers: [(name: String, value: String)] = [], accept: Set<Int> = [200, 201],
        call: String? = nil
    ) async throws(ScenarioSetupError) -> Answer {
        let call = call ?? "\(method) \(target)"
        let request = Self.request(method, target, body: body, headers: headers, bearer: bearer, host: endpoint.host)
        let response: HTTPClientResponse
        do {
            response = try await clients.execute(request, to: endpoint.address, timeout: timeout)
        } catch {
            throw ScenarioSetupError(call: call + " to \(endpoint.host)", status: nil, detail: "\(error)")
        }
        let answer = Answer(status: response.status, text: response.text)
        guard accept.contains(response.status) else {
            throw ScenarioSetupError(call: call, status: response.status, detail: Self.problem(answer))
        }
        return answer
    }

    static func request(
        _ method: HTTPMethod, _ target: String, body: String?, headers: [(name: String, value: String)], bearer: String?, host: String
    ) -> HTTPClientRequest {
        var fields: [(name: String, value: String)] = [("Host", host), ("Accept", "application/json")]
        if let bearer { fields.append(("Authorization", "Bearer \(bearer)")) }
        if body != nil { fields.append(("Content-Type", "application/json")) }
        fields += headers
        return HTTPClientRequest(method: method, target: target, headers: fields, body: Array((body ?? "").utf8))
    }

    /// What an error answer says: a problem's type, title and detail, the sandbox's error
    /// message, or the start of the body.
    static func problem(_ answer: Answer) -> String {
        let object = answer.object
        if let type = object["type"] as? String {
            let name = type.split(separator: "/").last.map(String.init) ?? type
            let detail = (object["detail"] as? String) ?? (object["title"] as? String) ?? ""
            return detail.isEmpty ? name : "\(name): \(detail)"
        }
        if let error = object["error"] as? [String: Any], let message = error["message"] as? String {
            return ((error["code"] as? String).map { "\($0): " } ?? "") + message
        }
        let text = answer.text.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "(empty answer)" : String(text.prefix(300))
    }

    /// A JSON string literal.
    static func quote(_ text: String) -> String {
        let data = try! JSONSerialization.data(withJSONObject: [text], options: [])
        return String(decoding: data, as: UTF8.self).dropFirst().dropLast().description
    }
}

/// RFC 3339 UTC without fractions, as the API takes.
func rfc3339(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: date)
}
