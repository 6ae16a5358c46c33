import HTTPCodec
import HTTPServer
import Testing

/// Every limit and every smuggling shape, over a real connection: the status, a
/// problem+json body, and the connection closed afterwards.
@Suite struct LimitsAndRefusalsTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let request: String
        let status: Int
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "request line too long", request: "GET /\(String(repeating: "a", count: 300)) HTTP/1.1\r\nHost: t\r\n\r\n", status: 414),
        Case(name: "header section too large", request: "GET / HTTP/1.1\r\nHost: t\r\nX-Big: \(String(repeating: "b", count: 600))\r\n\r\n", status: 431),
        Case(
            name: "too many header lines",
            request: "GET / HTTP/1.1\r\nHost: t\r\n" + (0..<12).map { "X-H\($0): v\r\n" }.joined() + "\r\n",
            status: 431
        ),
        Case(name: "body over the limit (Content-Length)", request: "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 101\r\n\r\n", status: 413),
        Case(
            name: "body over the limit (chunked)",
            request: "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n\(String(repeating: "c", count: 64))\r\n40\r\n\(String(repeating: "c", count: 64))\r\n0\r\n\r\n",
            status: 413
        ),
        Case(name: "unsupported transfer coding", request: "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", status: 501),
        Case(
            name: "Content-Length with Transfer-Encoding",
            request: "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            status: 400
        ),
        Case(name: "two Content-Lengths", request: "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", status: 400),
        Case(name: "conflicting Content-Length list", request: "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5, 6\r\n\r\nhello", status: 400),
        Case(name: "signed Content-Length", request: "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: +5\r\n\r\nhello", status: 400),
        Case(
            name: "invalid chunk size",
            request: "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",
            status: 400
        ),
        Case(name: "obs-fold", request: "GET / HTTP/1.1\r\nHost: t\r\nX-A: one\r\n two\r\n\r\n", status: 400),
        Case(name: "whitespace before colon", request: "GET / HTTP/1.1\r\nHost: t\r\nContent-Length : 0\r\n\r\n", status: 400),
        Case(name: "invalid character in a name", request: "GET / HTTP/1.1\r\nHost: t\r\nX(A): 1\r\n\r\n", status: 400),
        Case(name: "control character in a value", request: "GET / HTTP/1.1\r\nHost: t\r\nX-A: a\u{01}b\r\n\r\n", status: 400),
        Case(name: "bare LF line ending", request: "GET / HTTP/1.1\nHost: t\n\n", status: 400),
        Case(name: "missing Host in HTTP/1.1", request: "GET / HTTP/1.1\r\n\r\n", status: 400),
        Case(name: "two Host headers", request: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: 400),
        Case(name: "unknown HTTP version", request: "GET / HTTP/1.2\r\nHost: t\r\n\r\n", status: 505),
        Case(name: "Transfer-Encoding in HTTP/1.0", request: "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 400),
        Case(name: "unsupported expectation", request: "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nExpect: magic\r\n\r\nx", status: 417),
    ]

    @Test(arguments: cases)
    func refusedWithItsStatusAndClosed(_ refusal: Case) async throws {
        let server = try await TestServer.start(
            configure: {
                $0.limits.maxRequestLineBytes = 256
                $0.limits.maxHeaderBytes = 512
                $0.limits.maxHeaderCount = 10
                $0.limits.maxBodyBytes = 100
            },
            routes: Routes.standard
        )
        let client = try server.connect()
        try await client.send(refusal.request)
        let response = try await client.readResponse()
        #expect(response.status == refusal.status)
        #expect(response.header("content-type") == "application/problem+json")
        #expect(response.header("connection") == "close")
        #expect(response.json?["status"] as? Int == refusal.status)
        #expect(try await client.isClosedByServer())
        // The refusal is counted, and the server still serves others.
        let other = try server.connect()
        try await other.send("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try await other.readResponse().status == 200)
        try await server.stop()
    }

    @Test func limitsAtExactlyTheirValueAreAccepted() async throws {
        let server = try await TestServer.start(
            configure: {
                $0.limits.maxRequestLineBytes = 256
                $0.limits.maxBodyBytes = 100
            },
            routes: Routes.standard
        )
        let client = try server.connect()
        // "GET /query?x… HTTP/1.1" is exactly 256 bytes.
        let query = String(repeating: "x", count: 256 - "GET /query? HTTP/1.1".utf8.count)
        try await client.send("GET /query?\(query) HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try await client.readResponse().status == 200)
        try await client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n\(String(repeating: "d", count: 100))")
        #expect(try await client.readResponse().body.count == 100)
        try await server.stop()
    }
}
