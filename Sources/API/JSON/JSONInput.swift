import Foundation
import HTTPCodec
import HTTPServer
import StrictJSON

/// Reads request bodies as JSON with the strict reader: one meaning per document, nothing
/// PostgreSQL cannot store (see `JSONReader`).
enum JSONInput {
    /// As large as the default body limit (`http.max_body_bytes`); deeper than any body we take.
    static let limits = JSONReader.Limits(maxBytes: 1 << 20, maxDepth: 32)

    /// The members of the body's JSON object; 415 for another media type, 400 for anything
    /// that is not one JSON object.
    static func object(of request: Request, mediaTypes: [String] = ["application/json"]) throws(HTTPError) -> JSONObject {
        let contentType = request.headers.first("content-type")?.split(separator: ";").first?
            .trimmingCharacters(in: .whitespaces).lowercased()
        guard let contentType, mediaTypes.contains(contentType) else {
            throw HTTPError(
                415, type: ProblemType.unsupportedMediaType, detail: "send the body as \(mediaTypes.joined(separator: " or "))"
            )
        }
        guard !request.body.isEmpty else {
            throw HTTPError(.badRequest, type: ProblemType.malformedJSON, detail: "the body is empty; a JSON object is expected")
        }
        let value = try document(request.body)
        guard case .object(let members) = value else {
            throw HTTPError(.badRequest, type: ProblemType.malformedJSON, detail: "the body must be a JSON object, not \(value.kind)")
        }
        return members
    }

    /// The JSON value of `body`; 400 naming the first problem (413 when it is too large).
    static func document(_ body: ByteView) throws(HTTPError) -> JSONValue {
        do {
            return try body.withUnsafeBytes { bytes throws(JSONReadError) in try JSONReader.read(bytes, limits: limits) }
        } catch {
            if case .tooLarge = error.kind {
                throw HTTPError(413, type: ProblemType.bodyTooLarge, detail: error.description)
            }
            throw HTTPError(.badRequest, type: ProblemType.malformedJSON, detail: "the body is not valid JSON: \(error)")
        }
    }
}
