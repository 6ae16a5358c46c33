import HTTPServer
import StrictJSON

/// The `Location` of what a creating POST made (RFC 9110 §10.2.2), from the ids in its JSON
/// answer: the answer may be the stored first one, replayed for an Idempotency-Key, so the ids
/// are read from it and not from this request.
enum CreatedLocation {
    /// The members of a JSON object answer; empty when it is not one.
    static func members(of json: String) -> JSONObject {
        guard case .object(let members) = try? JSONReader.read(Array(json.utf8)) else { return [:] }
        return members
    }

    /// `Location: <prefix><id>`, the id being the integer at `path` (`["group", "id"]`); no
    /// header when the answer has none there.
    static func headers(_ json: String, id path: [String], under prefix: String) -> ResponseHeaders {
        headers(members(of: json), id: path, under: prefix)
    }

    /// `headers` for an answer already read.
    static func headers(_ answer: JSONObject, id path: [String], under prefix: String) -> ResponseHeaders {
        var headers = ResponseHeaders()
        var value = JSONValue.object(answer)
        for name in path {
            guard case .object(let members) = value, let member = members[name] else { return headers }
            value = member
        }
        if case .integer(let id) = value { headers.add("Location", .string(prefix + String(id))) }
        return headers
    }
}
