import HTTPCodec
import HTTPServer

/// Routes most connection tests share.
enum Routes {
    static func standard(_ routes: inout RouterBuilder) {
        routes.get("/plaintext", .immediate { _, _ in .text("Hello, World!") })
        routes.post("/echo", .immediate { request, _ in
            Response(status: .ok, headers: ResponseHeaders(contentType: "application/octet-stream"), body: .bytes(request.body.bytes))
        })
        routes.get("/slow/{ms}", .async { request, _ in
            let milliseconds = request.pathParameters["ms"]?.decimalValue ?? 0
            try await Task.sleep(for: .milliseconds(milliseconds))
            return .text("slept \(milliseconds)")
        })
        routes.get("/query", .immediate { request, _ in .text(request.query?.string ?? "-") })
    }
}
