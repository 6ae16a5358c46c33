import Foundation
import HTTPCodec
import HTTPServer
import IOCore
import LoadGen
import Logging
import Synchronization

/// A stand-in for the service's admin API (and a sandbox's `/_sandbox/config`) for setup and
/// cleanup: tokens, deals kept in memory (created, listed, closed), and `GET /v1/deals` for
/// load. It records every call. (The real service is the lead's integration run and smoke.sh.)
final class AdminStandIn: Sendable {
    struct Call: Sendable {
        var method: String
        var target: String
        var authorization: String?
        var idempotencyKey: String?
        var body: String
    }

    struct StoredDeal: Sendable {
        var title: String
        var description: String
        var status: String
        var testData: Bool
    }

    let group: EventLoopGroup
    let server: HTTPServer
    let port: Int
    private let recorded: Recorded

    final class Recorded: Sendable {
        let calls = Mutex<[Call]>([])
        let deals = Mutex<[Int: StoredDeal]>([:])
        let nextDeal = Atomic<Int>(100)
        /// The knobs `GET /_sandbox/config` answers (JSON text).
        let sandboxConfig = Mutex(#"{"duplicate":0,"reorder_batch":0,"reorder_mode":"reverse","webhook_delay_ms":0}"#)
    }

    var endpoint: Endpoint { Endpoint(address: try! SocketAddress(host: "127.0.0.1", port: port), host: "127.0.0.1:\(port)") }
    var url: String { "http://127.0.0.1:\(port)" }
    var calls: [Call] { recorded.calls.withLock { $0 } }
    var deals: [Int: StoredDeal] { recorded.deals.withLock { $0 } }

    /// `POST /v1/admin/deals/{id}/close` calls, by deal id.
    var closedIDs: [Int] {
        calls.filter { $0.method == "POST" && $0.target.hasSuffix("/close") }.compactMap { Int($0.target.split(separator: "/")[3]) }
    }

    /// Load requests (`GET /v1/deals…`) answered so far.
    var loadRequests: Int { calls.filter { $0.method == "GET" && $0.target.hasPrefix("/v1/deals") }.count }

    func addDeal(id: Int, _ deal: StoredDeal) {
        recorded.deals.withLock { $0[id] = deal }
    }

    private init(group: EventLoopGroup, server: HTTPServer, port: Int, recorded: Recorded) {
        self.group = group
        self.server = server
        self.port = port
        self.recorded = recorded
    }

    /// `refuseDeals`: every deal creation answers 422; `refuseCloses`: every close answers 503.
    static func start(refuseDeals: Bool = false, refuseCloses: Bool = false) async throws -> AdminStandIn {
        let recorded = Recorded()
        var routes = RouterBuilder()
        @Sendable func record(_ request: Request) -> [String: Any] {
            let body = String(decoding: request.body.bytes, as: UTF8.self)
            let call = Call(
                method: request.methodName.string, target: request.target.string, authorization: request.headers.first("authorization"),
                idempotencyKey: request.headers.first("idempotency-key"), body: body
            )
            recorded.calls.withLock { $0.append(call) }
            return (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
        }
        routes.post("/v1/admin/tokens", .immediate { request, _ in
            let users = record(request)["users"] as? [String] ?? []
            return json(.ok, ["tokens": users.map { ["userId": $0, "token": "tok-\($0)"] }, "role": "buyer", "expiresAt": "2030-01-01T00:00:00Z"])
        })
        routes.post("/v1/admin/deals", .immediate { request, _ in
            let body = record(request)
            if refuseDeals {
                return json(
                    .unprocessableContent,
                    ["type": "https://groupbuy.example/problems/validation", "title": "Invalid fields", "status": 422, "detail": "stock: too much"],
                    problem: true
                )
            }
            let id = recorded.nextDeal.wrappingAdd(1, ordering: .relaxed).newValue
            let deal = StoredDeal(
                title: body["title"] as? String ?? "", description: body["description"] as? String ?? "",
                status: body["status"] as? String ?? "draft", testData: body["testData"] as? Bool ?? false
            )
            recorded.deals.withLock { $0[id] = deal }
            return json(.created, ["id": id])
        })
        routes.post("/v1/admin/deals/{id}/close", .immediate { request, _ in
            _ = record(request)
            if refuseCloses { return json(.serviceUnavailable, ["type": "https://groupbuy.example/problems/unavailable"], problem: true) }
            guard let id = request.pathParameters["id"].flatMap({ Int($0.string) }),
                recorded.deals.withLock({ $0[id]?.status = "closed"; return $0[id] != nil })
            else { return json(.notFound, ["type": "https://groupbuy.example/problems/not-found"], problem: true) }
            return json(.ok, ["id": id, "status": "closed"])
        })
        // The admin list as gbload cleanup reads it (one page), and a cheap answer for load.
        routes.get("/v1/deals", .immediate { request, _ in
            _ = record(request)
            let query = request.query?.string ?? ""
            let status = query.split(separator: "&").first { $0.hasPrefix("status=") }.map { String($0.dropFirst(7)) }
            let testOnly = query.contains("testData=true")
            let items = recorded.deals.withLock { deals in
                deals.sorted { $0.key < $1.key }.filter { (status == nil || $0.value.status == status) && (!testOnly || $0.value.testData) }
                    .map { ["id": $0.key, "title": $0.value.title, "description": $0.value.description, "status": $0.value.status] as [String: Any] }
            }
            return json(.ok, ["items": items, "nextCursor": NSNull()])
        })
        routes.get("/_sandbox/config", .immediate { request, _ in
            _ = record(request)
            return Response(
                status: .ok, headers: ResponseHeaders(contentType: "application/json"),
                body: .bytes(Array(recorded.sandboxConfig.withLock { $0 }.utf8))
            )
        })
        routes.post("/_sandbox/config", .immediate { request, _ in json(.ok, record(request)) })
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        var loopConfiguration = EventLoop.Configuration()
        loopConfiguration.bufferScratchBytes = configuration.scratchBytesPerChunk
        let group = try EventLoopGroup(count: 1, configuration: loopConfiguration)
        let server = HTTPServer(
            configuration: configuration, group: group, router: try routes.build(),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let port = try await server.start()
        return AdminStandIn(group: group, server: server, port: port, recorded: recorded)
    }

    private static func json(_ status: HTTPStatus, _ object: Any, problem: Bool = false) -> Response {
        let data = try! JSONSerialization.data(withJSONObject: object)
        return Response(
            status: status, headers: ResponseHeaders(contentType: problem ? "application/problem+json" : "application/json"), body: .bytes(Array(data))
        )
    }

    func stop() async throws {
        try await server.shutdown()
        group.shutdown()
    }

    /// Runs `body` against a fresh stand-in, stopped afterwards whatever happens.
    static func with(refuseDeals: Bool = false, refuseCloses: Bool = false, _ body: (AdminStandIn) async throws -> Void) async throws {
        let standIn = try await start(refuseDeals: refuseDeals, refuseCloses: refuseCloses)
        do {
            try await body(standIn)
        } catch {
            try? await standIn.stop()
            throw error
        }
        try await standIn.stop()
    }
}
