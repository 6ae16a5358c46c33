import Domain
import HTTPCodec
import HTTPServer

extension Response {
    /// An application/json response written straight into a pooled buffer.
    static func json(
        _ status: HTTPStatus = .ok, headers: ResponseHeaders = ResponseHeaders(), context: RequestContext,
        _ write: (inout JSONWriter) -> Void
    ) -> Response {
        var headers = headers
        headers.contentType = "application/json"
        return Response(status: status, headers: headers, body: context.writeBody { $0.json(write) })
    }
}

extension Response {
    /// A page of a list: `{"items": [...], "nextCursor": "..." | null}`.
    static func page<Item>(
        _ items: [Item], next: Cursor?, context: RequestContext, _ writeItem: (Item, inout JSONWriter) -> Void
    ) -> Response {
        .json(context: context) { json in
            json.object { object in
                object.key("items")
                object.array { array in
                    for item in items { writeItem(item, &array) }
                }
                object.key("nextCursor")
                if let next { object.string(next.token) } else { object.null() }
            }
        }
    }
}

extension Response {
    /// JSON rendered elsewhere (by PostgreSQL), copied into a pooled buffer.
    static func rawJSON(_ json: String, status: HTTPStatus = .ok, headers: ResponseHeaders = ResponseHeaders(), context: RequestContext) -> Response {
        var headers = headers
        headers.contentType = "application/json"
        return Response(status: status, headers: headers, body: context.writeBody { $0.write(json) })
    }
}

extension Response {
    /// A JSON object rendered elsewhere with one more member (a string, or null), written
    /// after the others: `{…, "name": "value"}`.
    static func rawJSON(
        _ object: String, adding name: String, _ value: String?, status: HTTPStatus, headers: ResponseHeaders, context: RequestContext
    ) -> Response {
        guard object.hasSuffix("}") else { return .rawJSON(object, status: status, headers: headers, context: context) }
        var headers = headers
        headers.contentType = "application/json"
        let members = object.dropLast()
        return Response(status: status, headers: headers, body: context.writeBody { body in
            body.write(String(members))
            if !members.allSatisfy({ $0 == "{" || $0.isWhitespace }) { body.write(",") }
            body.json { json in
                json.key(name)
                if let value { json.string(value) } else { json.null() }
            }
            body.write("}")
        })
    }
}
