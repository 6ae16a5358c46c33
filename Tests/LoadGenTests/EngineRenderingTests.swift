import HTTPCodec
import IOCore
@testable import LoadGen
import Testing

@Suite struct EngineRenderingTests {
    static let users = [(id: "user-a", token: "tok-a"), (id: "user-b", token: "tok-b"), (id: "user-c", token: "tok-c")]

    func render(_ step: Step, number: Int = 0, saved: [String: String] = [:], users: [(id: String, token: String)] = users) throws -> String {
        let scenario = EngineScenarios.scenario([step], mode: .closed(vus: 1), duration: .seconds(1), usersPerIteration: 2)
        let context = EngineScenarios.context(port: 8080, users: users, dealIDs: ["hot": [17, 18], "cold": [99]])
        let compiled = try CompiledScenario(scenario: scenario, context: context)
        let iteration = Iteration(variables: compiled.variables.count)
        iteration.reset(flow: 0, number: number, intended: 0, timeout: 0, measured: false, virtualUser: -1)
        for (name, value) in saved {
            if let slot = compiled.variables.firstIndex(of: name) { iteration.saved[slot] = Array(value.utf8) }
        }
        let chunk = BufferChunk(unpooledCapacity: 4096)
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)
        defer { scratch.deallocate() }
        var random = FastRandom(seed: 1)
        #expect(RequestRenderer(scenario: compiled).render(compiled.flows[0].steps[0], iteration: iteration, random: &random, into: chunk, scratch: scratch))
        return String(decoding: chunk.readable, as: UTF8.self)
    }

    @Test func rendersPathHeadersBodyAndBuyerToken() throws {
        let step = Step(
            name: "join", target: .service, actor: .buyer(1), method: "POST",
            path: Template([.literal("/v1/deals/"), .dealID("hot"), .literal("/groups/"), .saved("group"), .literal("/join")]),
            headers: [(name: "Idempotency-Key", value: Template([.runID, .literal("-"), .iteration]))],
            body: Template([.literal(#"{"user":""#), .userID(0), .literal(#"","q":"#), .randomInt(3...3), .literal("}")]),
            chance: 1, saves: [], expect: Expectation(), line: 3
        )
        let text = try render(step, number: 4, saved: ["group": "g-55"])
        // Iteration 4 with 2 users per iteration: users 8 and 9 → round-robin over 3: c (2) and a (0).
        let body = #"{"user":"user-c","q":3}"#
        #expect(text == "POST /v1/deals/17/groups/g-55/join HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: Bearer tok-a\r\n"
            + "Content-Type: application/json\r\nIdempotency-Key: run-1-4\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
    }

    @Test func rendersAdminGetWithoutBodyAndBodilessPostWithZeroLength() throws {
        let get = Step(name: "check", target: .service, actor: .admin, method: "GET", path: .literal("/v1/admin/inventory/check"),
                       headers: [], body: nil, chance: 1, saves: [], expect: Expectation(), line: 1)
        #expect(try render(get) == "GET /v1/admin/inventory/check HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: Bearer admin-token\r\n\r\n")
        let post = Step(name: "pay", target: .service, actor: .anonymous, method: "POST", path: .literal("/pay"),
                        headers: [], body: nil, chance: 1, saves: [], expect: Expectation(), line: 1)
        #expect(try render(post) == "POST /pay HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func anyDealAndRandomStayInTheirSets() throws {
        let step = Step(name: "read", target: .service, actor: .anonymous, method: "GET",
                        path: Template([.literal("/d/"), .anyDealID, .literal("/"), .randomInt(-2...2)]),
                        headers: [], body: nil, chance: 1, saves: [], expect: Expectation(), line: 1)
        for number in 0..<20 {
            let line = try render(step, number: number).split(separator: " ")[1]
            let parts = line.split(separator: "/")
            #expect(["17", "18", "99"].contains(String(parts[1])))
            #expect((-2...2).contains(Int(parts[2])!))
        }
    }

    @Test func unknownDealIsAnError() {
        let step = EngineScenarios.get("x", "/")
        var bad = step
        bad.path = Template([.dealID("missing")])
        let scenario = EngineScenarios.scenario([bad], mode: .closed(vus: 1), duration: .seconds(1))
        #expect(throws: LoadRunnerError.self) { try CompiledScenario(scenario: scenario, context: EngineScenarios.context(port: 1)) }
    }

    @Test(arguments: [
        (#"{"type":"https://x.example/problems/sold-out","title":"Sold out"}"#, "sold-out"),
        (#"{ "title": "x", "type" : "/problems/group-full/" }"#, "group-full"),
        (#"{"type":"about:blank"}"#, "about:blank"),
        (#"{"title":"no type"}"#, nil),
        ("not json", nil),
    ] as [(String, String?)])
    func findsTheProblemType(body: String, expected: String?) {
        let found = Array(body.utf8).withUnsafeBytes { bytes in
            ResponseInspection.problemType(in: bytes).map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(found == expected)
    }

    @Test(arguments: [
        ("id", "42"),
        ("order.id", "o-7"),
        ("order.total", "1999"),
        ("order.paid", "false"),
        ("name", #"a "quoted" name"#),
        ("order", nil),
        ("missing", nil),
        ("order.missing", nil),
        ("nothing", nil),
    ] as [(String, String?)])
    func savesValuesAtDottedPaths(path: String, expected: String?) {
        let body = #"{"list": [1, {"id": 3}], "id": 42, "name": "a \"quoted\" name", "nothing": null, "order": {"id": "o-7", "total": 1999, "paid": false}}"#
        let found = Array(body.utf8).withUnsafeBytes { bytes in
            ResponseInspection.value(at: path.split(separator: ".").map(String.init), in: bytes).map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(found == expected)
    }
}
