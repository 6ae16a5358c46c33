import Foundation
import HTTPClient
import HTTPCodec
import IOCore
@testable import PSPSandbox
import GroupBuyTesting
import Testing

/// A sandbox left with changed knobs says so: `GET /_sandbox/config/changed` and one log line
/// per change (issue 12: a load test left it duplicating and delaying webhooks, silently).
@Suite struct SandboxKnobVisibilityTests {
    /// An in-process sandbox whose log lines the test reads.
    final class LoggedSandbox: Sendable {
        let sandbox: PSPSandbox
        let port: Int
        let clientGroup: EventLoopGroup
        let clients: HTTPClients
        private let logged = CollectedLines()

        init(knobs: Knobs = Knobs()) async throws {
            var settings = SandboxSettings()
            settings.port = 0
            settings.knobs = knobs
            settings.log = logged.sink
            sandbox = try PSPSandbox(settings: settings)
            port = try await sandbox.start()
            clientGroup = try EventLoopGroup(count: 1)
            clients = HTTPClients(loops: clientGroup.loops)
        }

        var log: [String] { logged.all }

        func call(_ method: HTTPMethod, _ target: String, json: String? = nil) async throws -> (status: Int, object: [String: Any]) {
            let headers: [(name: String, value: String)] = json == nil ? [] : [("Content-Type", "application/json")]
            let request = HTTPClientRequest(method: method, target: target, headers: headers, body: Array((json ?? "").utf8))
            let response = try await clients.execute(request, to: SocketAddress(host: "127.0.0.1", port: port))
            return (response.status, (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:])
        }

        func stop() async throws {
            await clients.closeIdleConnections()
            clientGroup.shutdown()
            try await sandbox.shutdown()
        }
    }

    @Test func everyKnobHasAValueInTheDocumentedOrder() {
        #expect(Knobs().values.map(\.name) == Knobs.CodingKeys.allCases.map(\.rawValue))
    }

    @Test func changedFromDefaultsNamesOnlyTheKnobsThatDiffer() {
        var knobs = Knobs()
        #expect(knobs.changedFromDefaults.isEmpty)
        #expect(knobs.changeSummary == "all default")
        knobs.duplicate = 3
        knobs.dropProbability = 0.25
        knobs.reorderMode = "shuffle"
        #expect(knobs.changedFromDefaults.map(\.name) == ["duplicate", "reorder_mode", "drop_probability"])
        #expect(knobs.changeSummary == "duplicate=3 reorder_mode=shuffle drop_probability=0.25")
    }

    @Test func theChangedRouteAnswersTheKnobsOffTheirDefaultsWithTheirValues() async throws {
        let sandbox = try await LoggedSandbox()
        let fresh = try await sandbox.call(.get, "/_sandbox/config/changed")
        #expect(fresh.status == 200)
        #expect((fresh.object["changed"] as? [String: Any])?.isEmpty == true)
        #expect(fresh.object["summary"] as? String == "all default")

        let storm = #"{"duplicate":3,"reorder_batch":8,"reorder_mode":"shuffle","webhook_delay_ms":200,"seed":7}"#
        #expect(try await sandbox.call(.post, "/_sandbox/config", json: storm).status == 200)
        let changed = try await sandbox.call(.get, "/_sandbox/config/changed")
        let knobs = try #require(changed.object["changed"] as? [String: Any])
        #expect(knobs.count == 4)
        #expect(knobs["duplicate"] as? Int == 3)
        #expect(knobs["reorder_batch"] as? Int == 8)
        #expect(knobs["reorder_mode"] as? String == "shuffle")
        #expect(knobs["webhook_delay_ms"] as? Int == 200)
        #expect(changed.object["summary"] as? String == "webhook_delay_ms=200 duplicate=3 reorder_batch=8 reorder_mode=shuffle")

        // The full config, as GET answers it, can be posted back as it is.
        let full = try await sandbox.call(.get, "/_sandbox/config")
        #expect(full.object["duplicate"] as? Int == 3)
        #expect(try await sandbox.call(.post, "/_sandbox/config", json: #"{"duplicate":0,"reorder_batch":0,"reorder_mode":"reverse","webhook_delay_ms":0}"#).status == 200)
        #expect((try await sandbox.call(.get, "/_sandbox/config/changed").object["changed"] as? [String: Any])?.isEmpty == true)
        try await sandbox.stop()
    }

    @Test func startEveryChangeAndResetLogOneLineNamingTheKnobsNotAtTheirDefaults() async throws {
        var start = Knobs()
        start.failNext = 2
        let sandbox = try await LoggedSandbox(knobs: start)
        #expect(sandbox.log == ["psp-sandbox: knobs after start: fail_next=2 (others default)"])

        _ = try await sandbox.call(.post, "/_sandbox/config", json: #"{"duplicate":3,"webhook_delay_ms":200}"#)
        // A refused change changes nothing and logs nothing.
        #expect(try await sandbox.call(.post, "/_sandbox/config", json: #"{"duplicate":-1}"#).status == 400)
        _ = try await sandbox.call(.post, "/_sandbox/config", json: #"{"duplicate":0,"webhook_delay_ms":0,"fail_next":0}"#)
        _ = try await sandbox.call(.post, "/_sandbox/reset")
        #expect(sandbox.log == [
            "psp-sandbox: knobs after start: fail_next=2 (others default)",
            "psp-sandbox: knobs after POST /_sandbox/config: webhook_delay_ms=200 duplicate=3 fail_next=2 (others default)",
            "psp-sandbox: knobs after POST /_sandbox/config: all default",
            "psp-sandbox: knobs after POST /_sandbox/reset: fail_next=2 (others default)",
        ])
        try await sandbox.stop()
    }
}
