public import Foundation
public import HTTPClient
import HTTPCodec

/// Makes what a scenario needs before the load, through the admin API: buyer tokens
/// (`POST /v1/admin/tokens`, at most 1,000 users a call), the deals (`POST /v1/admin/deals`,
/// one per copy, with Idempotency-Keys so a retried call makes no second deal, marked as test
/// data), and the sandbox's knobs (`POST {provider}/_sandbox/config`). What it changes outside
/// the run (the knobs as they were, the deals made) goes to `cleanup` as it goes.
public struct ScenarioSetup: Sendable {
    public var service: Endpoint
    /// The payment provider; its `bearer` is the provider API key steps use.
    public var provider: Endpoint?
    public var adminToken: String
    public var clients: HTTPClients
    /// Unique per run: in user ids (`load-<runID>-<i>`), deal titles and Idempotency-Keys.
    public var runID: String
    /// Buyer tokens live this long (the run and its settling must fit).
    public var tokenTTLSeconds = 6 * 3600
    /// Deals created at once.
    public var parallelism = 8
    /// Told of every change to put back after the run.
    public var cleanup: RunCleanup?

    public init(
        service: Endpoint, provider: Endpoint?, adminToken: String, clients: HTTPClients, runID: String = ScenarioSetup.makeRunID(),
        cleanup: RunCleanup? = nil
    ) {
        self.service = service
        self.provider = provider
        self.adminToken = adminToken
        self.clients = clients
        self.runID = runID
        self.cleanup = cleanup
    }

    /// A short id unlikely to repeat: seconds since 2024 and 16 random bits, base 36.
    public static func makeRunID(now: Date = Date()) -> String {
        let seconds = max(0, Int(now.timeIntervalSince1970) - 1_704_067_200)
        return String(seconds, radix: 36) + String(Int.random(in: 0..<(36 * 36 * 36)), radix: 36)
    }

    /// Creates the scenario's users, deals and sandbox settings; answers what the engine needs.
    public func run(_ scenario: Scenario, now: Date = Date()) async throws(ScenarioSetupError) -> RunContext {
        if scenario.usesProvider && provider == nil {
            throw ScenarioSetupError(call: "setup", status: nil, detail: "the scenario talks to the payment provider; give its address (--psp-url) and key")
        }
        let admin = AdminClient(clients: clients, endpoint: service, bearer: adminToken)
        if let config = scenario.sandboxConfig, let provider {
            let sandbox = AdminClient(clients: clients, endpoint: provider, bearer: nil)
            // The knobs as they are, to put back after the run, before changing them.
            let current = try await sandbox.send(.get, "/_sandbox/config", accept: [200], call: "GET /_sandbox/config")
            let restore = try SandboxKnobs.restore(changing: config, from: current.object)
            if !restore.names.isEmpty, cleanup?.sandboxChanged(provider, restore: restore) == false {
                let detail = "not sent: the run is being cleaned up (interrupted)"
                throw ScenarioSetupError(call: "POST /_sandbox/config", status: nil, detail: detail)
            }
            _ = try await sandbox.send(.post, "/_sandbox/config", body: config, accept: [200, 204], call: "POST /_sandbox/config \(config)")
        }
        let dealIDs = try await createDeals(scenario, admin: admin, now: now)
        let users = try await issueTokens(count: scenario.users, admin: admin)
        return RunContext(runID: runID, dealIDs: dealIDs, users: users, adminToken: adminToken, service: service, provider: provider)
    }

    // MARK: - Users

    /// `load-<runID>-<i>` for i in 0..<count.
    public func userIDs(count: Int) -> [String] {
        (0..<count).map { "load-\(runID)-\($0)" }
    }

    /// The bodies of the token calls: batches of at most 1,000 users.
    func tokenBodies(count: Int) -> [String] {
        let ids = userIDs(count: count)
        return stride(from: 0, to: ids.count, by: 1000).map { start in
            let batch = ids[start..<min(start + 1000, ids.count)]
            return #"{"users":["# + batch.map { "\"\($0)\"" }.joined(separator: ",") + #"],"ttlSeconds":\#(tokenTTLSeconds)}"#
        }
    }

    private func issueTokens(count: Int, admin: AdminClient) async throws(ScenarioSetupError) -> [(id: String, token: String)] {
        var users: [(id: String, token: String)] = []
        users.reserveCapacity(count)
        for (index, body) in tokenBodies(count: count).enumerated() {
            let call = "POST /v1/admin/tokens (users \(index * 1000)...\(min(count, (index + 1) * 1000) - 1))"
            let answer = try await admin.send(.post, "/v1/admin/tokens", body: body, accept: [200, 201], call: call)
            guard let tokens = answer.object["tokens"] as? [[String: Any]] else {
                throw ScenarioSetupError(call: call, status: answer.status, detail: "the answer has no `tokens` list: \(answer.text.prefix(200))")
            }
            for item in tokens {
                guard let id = item["userId"] as? String, let token = item["token"] as? String else {
                    throw ScenarioSetupError(call: call, status: answer.status, detail: "a token without `userId` or `token`: \(item)")
                }
                users.append((id, token))
            }
        }
        guard users.count == count else {
            throw ScenarioSetupError(call: "POST /v1/admin/tokens", status: nil, detail: "asked for \(count) tokens, got \(users.count)")
        }
        return users
    }

    // MARK: - Deals

    /// The body of `POST /v1/admin/deals` for one copy of a deal.
    func dealBody(_ deal: DealSpec, scenario: String, copy: Int, now: Date) -> String {
        let endsIn = Double(deal.endsIn.components.seconds) + Double(deal.endsIn.components.attoseconds) / 1e18
        // Groups expire at the deal's end at the latest; a limit at least as long lets the
        // sale window decide (the API's minimum is 60 s).
        let limit = min(2_592_000, max(60, Int(endsIn.rounded(.up))))
        let title = "\(deal.name) \(copy + 1)/\(deal.copies) · gbload \(scenario) \(runID)"
        let description = TestDeals.description(scenario: scenario, runID: runID)
        return """
            {"title":\(AdminClient.quote(String(title.prefix(200)))),"description":\(AdminClient.quote(description)),"testData":true,\
            "currency":"EUR",\
            "listPrice":\(deal.listPrice),"groupPrice":\(deal.groupPrice),"groupSize":\(deal.groupSize),"groupTimeLimitSeconds":\(limit),\
            "startsAt":"\(rfc3339(now.addingTimeInterval(-60)))","endsAt":"\(rfc3339(now.addingTimeInterval(endsIn)))",\
            "perUserLimit":\(deal.perUserLimit),"status":"active","stock":\(deal.stock)}
            """
    }

    private func createDeals(_ scenario: Scenario, admin: AdminClient, now: Date) async throws(ScenarioSetupError) -> [String: [Int64]] {
        struct Job: Sendable {
            let deal: String
            let copy: Int
            let copies: Int
            let body: String
        }
        var jobs: [Job] = []
        for deal in scenario.deals {
            for copy in 0..<deal.copies {
                let body = dealBody(deal, scenario: scenario.name, copy: copy, now: now)
                jobs.append(Job(deal: deal.name, copy: copy, copies: deal.copies, body: body))
            }
        }
        let (runID, cleanup) = (runID, cleanup)
        let results: [Int64]
        do {
            results = try await BoundedConcurrency.map(jobs.count, limit: parallelism) { [jobs] index in
                let job = jobs[index]
                let call = "POST /v1/admin/deals (deal \(job.deal), copy \(job.copy + 1) of \(job.copies))"
                let key = "gbload-\(runID)-deal-\(job.deal)-\(job.copy)"
                let answer = try await admin.send(
                    .post, "/v1/admin/deals", body: job.body, headers: [("Idempotency-Key", key)], accept: [201], call: call
                )
                guard let id = (answer.object["id"] as? NSNumber)?.int64Value else {
                    let detail = "the answer has no deal `id`: \(answer.text.prefix(200))"
                    throw ScenarioSetupError(call: call, status: answer.status, detail: detail)
                }
                // Known at once, so a setup that fails later still closes what it made.
                if cleanup?.dealCreated(id) == false {
                    let detail = "deal \(id) made while the run was being cleaned up (interrupted): gbload cleanup closes it"
                    throw ScenarioSetupError(call: call, status: nil, detail: detail)
                }
                return id
            }
        } catch let error as ScenarioSetupError {
            throw error
        } catch {
            throw ScenarioSetupError(call: "POST /v1/admin/deals", status: nil, detail: "\(error)")
        }
        var ids: [String: [Int64]] = [:]
        for (job, id) in zip(jobs, results) { ids[job.deal, default: []].append(id) }
        return ids
    }
}
