import Foundation
import HTTPCodec
import HTTPServer

/// Reads a request body that must be a JSON object.
enum JSONInput {
    /// The members of the body's JSON object; 415 for another media type, 400 for anything
    /// that is not one JSON object.
    static func object(of request: Request, mediaTypes: [String] = ["application/json"]) throws(HTTPError) -> [String: JSONValue] {
        let contentType = request.headers.first("content-type")?.split(separator: ";").first?
            .trimmingCharacters(in: .whitespaces).lowercased()
        guard let contentType, mediaTypes.contains(contentType) else {
            throw HTTPError(
                415, type: ProblemType.unsupportedMediaType, detail: "send the body as \(mediaTypes.joined(separator: " or "))"
            )
        }
        let body = request.body
        guard !body.isEmpty else {
            throw HTTPError(.badRequest, type: ProblemType.malformedJSON, detail: "the body is empty; a JSON object is expected")
        }
        let value: JSONValue
        do {
            value = try body.withUnsafeBytes { bytes in
                try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
            }
        } catch {
            throw HTTPError(.badRequest, type: ProblemType.malformedJSON, detail: "the body is not valid JSON")
        }
        guard case .object(let members) = value else {
            throw HTTPError(.badRequest, type: ProblemType.malformedJSON, detail: "the body must be a JSON object, not \(value.kind)")
        }
        return members
    }
}
