import HTTPCodec
import HTTPServer

/// The usual benchmark routes (TechEmpower's plaintext and JSON), kept in the product so
/// the server can be measured as deployed. Both answer without a Task or an allocation.
enum BenchmarkRoutes {
    static func add(to routes: inout RouterBuilder) {
        routes.get("/plaintext", .immediate { _, _ in
            Response(status: .ok, headers: ResponseHeaders(contentType: "text/plain"), body: .literal("Hello, World!"))
        })
        // The same answer from an async handler: what a Task per request costs (measured in
        // loadtest/peers/README.md); handlers that never suspend should be immediate.
        routes.get("/plaintext/async", .async { _, _ in
            Response(status: .ok, headers: ResponseHeaders(contentType: "text/plain"), body: .literal("Hello, World!"))
        })
        routes.get("/json", .immediate { _, context in
            let body = context.writeBody { body in
                body.json { json in
                    json.object { $0.field("message", "Hello, World!") }
                }
            }
            return Response(status: .ok, headers: ResponseHeaders(contentType: "application/json"), body: body)
        })
    }
}
