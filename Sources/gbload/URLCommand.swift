import ArgumentParser
import IOCore
import LoadGen

/// `gbload url URL`: one GET, repeated, closed loop (`--connections` users) or open loop
/// (`--rate`): the benchmark against wrk and a quick look at one route.
struct URLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "url", abstract: "Load one URL (GET), closed or open loop.")

    @Argument(help: "http://host:port/path (numeric host or localhost).") var url: String
    @Option(help: "Closed loop: virtual users (each on its keep-alive connection).") var connections = 64
    @Option(help: "Open loop at this many requests per second (latency from intended send times).") var rate: Double?
    @Option(help: "Measured time, e.g. 10s, 500ms, 1m.") var duration = "10s"
    @Option(help: "Unmeasured time before it.") var warmup = "0s"
    @Option(help: "A request unanswered this long after its intended send time is a timeout.") var timeout = "5s"
    @Option(help: "Event loops (threads).") var loops = 1
    @Option(help: "Pin loop i to the i-th CPU of this list, e.g. 1 or 2,3.") var cpu: String?
    @Option(help: "Connections per run at most (default: --connections).") var maxInFlight: Int?

    func validate() throws {
        _ = try target()
        for (name, text) in [("duration", duration), ("warmup", warmup), ("timeout", timeout)] {
            guard Self.duration(text) != nil else { throw ValidationError("--\(name) '\(text)' is not a duration like 10s, 500ms or 1m") }
        }
        guard connections > 0, loops > 0 else { throw ValidationError("--connections and --loops must be positive") }
        if let rate, rate <= 0 { throw ValidationError("--rate must be positive") }
        if let cpu, cpuList(cpu) == nil { throw ValidationError("--cpu '\(cpu)' is not a list of CPU numbers") }
    }

    func run() async throws {
        let (address, host, path) = try target()
        let measured = Self.duration(duration)!
        let mode: LoadProfile.Mode = rate.map { .open(RateSchedule(stages: [.init(rate: $0, duration: measured)])) } ?? .closed(vus: connections)
        let step = Step(
            name: "GET \(path)", target: .service, actor: .anonymous, method: "GET", path: .literal(path), headers: [], body: nil,
            chance: 1, saves: [], expect: Expectation(), line: 0
        )
        let scenario = Scenario(
            name: url, description: "gbload url", users: 0, usersPerIteration: 1, deals: [], sandboxConfig: nil,
            flows: [Flow(name: "url", weight: 1, steps: [step])],
            load: LoadProfile(
                mode: mode, warmup: Self.duration(warmup)!, duration: measured, ramp: .zero, maxInFlight: maxInFlight ?? connections,
                timeout: Self.duration(timeout)!, iterations: nil
            ),
            settle: SettleSpec(untilDealsEnd: false, timeout: .zero),
            checks: CheckSpec(maxErrorRate: 1, soldOut: [], minGroupsSucceeded: 0, minGroupsFailed: 0)
        )
        let context = RunContext(runID: "url", dealIDs: [:], users: [], adminToken: "", service: Endpoint(address: address, host: host), provider: nil)
        let runner = LoadRunner(scenario: scenario, context: context, loopCount: loops, cpus: cpu.flatMap(cpuList))
        let result = try await runner.run { _ in }
        print(Self.summary(result))
    }

    /// A few plain lines; the report module renders the full table.
    static func summary(_ result: RunResult) -> String {
        let overall = result.overall
        let summary = overall.summary
        func ms(_ microseconds: UInt64) -> String {
            let value = Double(microseconds) / 1000
            return value < 10 ? "\((value * 1000).rounded() / 1000)ms" : "\((value * 10).rounded() / 10)ms"
        }
        var lines: [String] = []
        let mode = result.mode == "open" ? "open loop at \(Int(result.targetRate ?? 0))/s" : "closed loop, \(result.virtualUsers ?? 0) connections"
        lines.append("\(result.scenario): \(mode), \(result.measuredSeconds.rounded())s measured")
        lines.append("requests: \(overall.requests)  req/s: \((overall.throughput * 10).rounded() / 10)  errors: \(overall.errors)")
        lines.append("latency: p50 \(ms(summary.p50))  p90 \(ms(summary.p90))  p99 \(ms(summary.p99))  p99.9 \(ms(summary.p999))  max \(ms(summary.max))")
        let statuses = overall.statuses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        lines.append("statuses: \(statuses.isEmpty ? "-" : statuses)")
        if !overall.transportErrors.isEmpty {
            let errors = overall.transportErrors.sorted { $0.key < $1.key }.map { "\($0.key.rawValue): \($0.value)" }.joined(separator: ", ")
            lines.append("transport errors: \(errors)")
        }
        return lines.joined(separator: "\n")
    }

    private func target() throws -> (SocketAddress, String, String) {
        guard url.hasPrefix("http://") else { throw ValidationError("only http:// URLs are supported") }
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        var hostPart = String(authority)
        var port = 80
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let parsed = Int(authority[authority.index(after: colon)...]) else { throw ValidationError("bad port in '\(url)'") }
            port = parsed
            hostPart = String(authority[..<colon])
        }
        do {
            let address = try SocketAddress(host: hostPart, port: port)
            return (address, String(authority), path.isEmpty ? "/" : String(path))
        } catch {
            throw ValidationError("\(error)")
        }
    }

    private func cpuList(_ text: String) -> [Int]? {
        let parts = text.split(separator: ",").map { Int($0.filter { $0 != " " }) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0! >= 0 }) else { return nil }
        return parts.map { $0! }
    }

    /// "10s", "500ms", "1m", "2h" or plain seconds.
    static func duration(_ text: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let value = Double(text.dropLast(suffix.count)), value >= 0 else { return nil }
            return .nanoseconds(Int64(value * scale * 1e9))
        }
        guard let value = Double(text), value >= 0 else { return nil }
        return .nanoseconds(Int64(value * 1e9))
    }
}
