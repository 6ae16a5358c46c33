import Auth
import Foundation
import GroupBuyTesting
import HTTPClient
import HTTPCodec
import IOCore
import Synchronization

/// Requests of every shape the service serves — reads, single-statement writes (start,
/// cancel), transactions (an admin update with If-Match, an admin create with an
/// Idempotency-Key) — sent back to back by one lane each, with our own HTTP client on a loop
/// of its own, while a test breaks a dependency. Every answer is kept with when it was asked.
///
/// A request answered 503 (or 409 "in progress") is retried with the same Idempotency-Key
/// until it succeeds, also after `stop()`: each key must end with exactly one effect.
final class OutageLoad: Sendable {
    struct Answer: Sendable {
        let lane: String
        let method: String
        let status: Int
        let retryAfter: String?
        let problemType: String?
        let body: String
        let sent: ContinuousClock.Instant
        let answered: ContinuousClock.Instant
        /// Whether this was a retry of a request whose earlier answer was 503 or 409: its effect
        /// may already have happened (a lost COMMIT answer), so 409/412 are what it may see.
        let isRetry: Bool
    }

    /// A buyer's start that finished (201): who, with which key, and the order made.
    struct Start: Sendable {
        let user: String
        let key: String
        let orderID: Int
    }

    private let group: EventLoopGroup
    private let client: HTTPClient
    private let address: SocketAddress
    private let server: APITestServer
    private let answers = Mutex<[Answer]>([])
    private let starts = Mutex<[Start]>([])
    private let stopping = Atomic(false)
    private let lanes = Mutex<[Task<Void, any Error>]>([])
    /// What stopped a lane early (an answer its flow cannot go on from).
    private let laneFailures = Mutex<[String]>([])

    init(server: APITestServer) throws {
        self.server = server
        group = try EventLoopGroup(count: 1)
        client = HTTPClient(loop: group.loops[0], configuration: HTTPClientConfiguration())
        address = try SocketAddress(host: "127.0.0.1", port: server.port)
    }

    /// Starts one lane per kind of request against `dealID` (an active deal with ample stock).
    func start(dealID: Int) throws {
        let admin = try server.token(.admin)
        let run = UUID().uuidString.prefix(8)
        let lanes: [Task<Void, any Error>] = [
            lane { load in _ = try await load.send("read", .get, "/v1/deals/\(dealID)") },
            lane { load in _ = try await load.send("list", .get, "/v1/deals?limit=5") },
            lane { load in try await load.buyAndCancel(dealID: dealID, run: run) },
            lane { load in try await load.update(dealID: dealID, admin: admin) },
            lane { load in try await load.createDeal(admin: admin, run: run) },
        ]
        self.lanes.withLock { $0 = lanes }
    }

    /// Waits (bounded) until every lane has at least `count` successes after `instant`.
    func waitForSuccesses(_ count: Int, after instant: ContinuousClock.Instant, within seconds: Int = 60) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(seconds))
        while true {
            if let failure = laneFailures.withLock({ $0.first }) { throw LiveHTTPError("a lane stopped: \(failure)") }
            let missing = lanesShort(of: count, after: instant)
            if missing.isEmpty { return }
            guard ContinuousClock.now < deadline else { throw LiveHTTPError("lanes \(missing) had < \(count) successes after the fault") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Stops the lanes once each has finished what it is doing (retries included); answers
    /// everything they got.
    func stop() async throws -> [Answer] {
        stopping.store(true, ordering: .releasing)
        for lane in lanes.withLock({ $0 }) { try await lane.value }
        group.shutdown()
        return answers.withLock { $0 }
    }

    var finishedStarts: [Start] { starts.withLock { $0 } }

    /// Answers so far, every lane together.
    var answerCount: Int { answers.withLock { $0.count } }

    // MARK: - Lanes

    private static let laneNames = ["read", "list", "start", "cancel", "update", "create"]

    private func lanesShort(of count: Int, after instant: ContinuousClock.Instant) -> [String] {
        let all = answers.withLock { $0 }
        return Self.laneNames.filter { name in
            all.filter { $0.lane == name && $0.sent >= instant && (200..<300).contains($0.status) }.count < count
        }
    }

    private func lane(_ body: @escaping @Sendable (OutageLoad) async throws -> Void) -> Task<Void, any Error> {
        Task(executorPreference: group.loops[0]) {
            do {
                while !self.stopping.load(ordering: .acquiring) {
                    try await body(self)
                    // Paced (at most ~200 rounds a second per lane), so that this suite does not
                    // starve the others that run beside it on two cores.
                    try await Task.sleep(for: .milliseconds(5))
                }
            } catch {
                self.laneFailures.withLock { $0.append("\(error)") }
                throw error
            }
        }
    }

    /// Starts a group as a new buyer (one key, retried until it succeeds), then cancels the order.
    private func buyAndCancel(dealID: Int, run: Substring) async throws {
        let user = "outage-\(run)-\(UUID().uuidString.prefix(8))"
        let token = try server.token(.buyer, user: user)
        let key = "start-\(user)"
        let started = try await untilDone("start", .post, "/v1/groups", token: token, key: key, body: #"{"dealId":\#(dealID),"quantity":1}"#)
        guard let order = Self.json(started.body)["order"] as? [String: Any], let orderID = order["id"] as? Int else {
            throw LiveHTTPError("start answered \(started.status) without an order: \(started.body)")
        }
        starts.withLock { $0.append(Start(user: user, key: key, orderID: orderID)) }
        _ = try await untilDone("cancel", .post, "/v1/orders/\(orderID)/cancel", token: token, key: nil, body: nil)
    }

    /// Reads the deal's version and changes its title under If-Match (a read and a write in
    /// one transaction on the server).
    private func update(dealID: Int, admin: String) async throws {
        let read = try await send("update", .get, "/v1/deals/\(dealID)")
        guard read.status == 200, let version = Self.json(read.body)["version"] as? Int else { return }
        _ = try await send(
            "update", .patch, "/v1/admin/deals/\(dealID)", token: admin, headers: [("If-Match", "\"v\(version)\"")],
            body: #"{"title":"Outage probe \#(UUID().uuidString.prefix(6))"}"#
        )
    }

    private func createDeal(admin: String, run: Substring) async throws {
        let key = "create-\(run)-\(UUID().uuidString.prefix(8))"
        _ = try await untilDone("create", .post, "/v1/admin/deals", token: admin, key: key, body: dealBody(["stock": 10]))
    }

    /// Sends the request until it is answered with anything but 503 or 409 "in progress",
    /// keeping its Idempotency-Key; answers the last answer.
    private func untilDone(
        _ lane: String, _ method: HTTPMethod, _ target: String, token: String, key: String?, body: String?
    ) async throws -> Answer {
        var isRetry = false
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while true {
            var headers: [(name: String, value: String)] = []
            if let key { headers.append(("Idempotency-Key", key)) }
            let answer = try await send(lane, method, target, token: token, headers: headers, body: body, isRetry: isRetry)
            let inProgress = answer.status == 409 && answer.problemType == "idempotency-key-in-progress"
            guard answer.status == 503 || inProgress else { return answer }
            guard ContinuousClock.now < deadline else { throw LiveHTTPError("\(lane) \(target) still \(answer.status) after 60 s") }
            isRetry = true
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private func send(
        _ lane: String, _ method: HTTPMethod, _ target: String, token: String? = nil,
        headers: [(name: String, value: String)] = [], body: String? = nil, isRetry: Bool = false
    ) async throws -> Answer {
        var headers = headers
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let request = HTTPClientRequest(method: method, target: target, headers: headers, body: Array((body ?? "").utf8))
        let sent = ContinuousClock.now
        let response = try await client.execute(request, to: address, timeout: .seconds(30))
        let text = response.text
        let answer = Answer(
            lane: lane, method: "\(method)", status: response.status, retryAfter: response.header("retry-after"),
            problemType: (Self.json(text)["type"] as? String)?.split(separator: "/").last.map(String.init),
            body: text, sent: sent, answered: ContinuousClock.now, isRetry: isRetry
        )
        answers.withLock { $0.append(answer) }
        return answer
    }

    private static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }
}
