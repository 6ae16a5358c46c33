import ArgumentParser
import Foundation
import LoadGen

/// Command-line changes to a scenario's load profile, and where gbload itself runs.
struct LoadOverrides: ParsableArguments {
    @Option(help: "Measured time, e.g. 30s or 2m.") var duration: String?
    @Option(help: "Warm-up before measuring.") var warmup: String?
    @Option(help: "Open loop at this many iterations/s (replaces the scenario's mode).") var rate: Double?
    @Option(help: "Closed loop with this many virtual users (replaces the scenario's mode).") var vus: Int?
    @Option(help: "Start at most this many iterations.") var iterations: Int?
    @Option(help: "Requests on the wire at most.") var maxInFlight: Int?
    @Option(help: "Per-request timeout, from the intended send time.") var timeout: String?
    @Option(help: "Event loops (threads) gbload sends from.") var loops = 1
    @Option(help: "Pin the loops to these CPUs, e.g. 1 or 2,3.") var cpu: String?

    func validate() throws {
        if rate != nil && vus != nil { throw ValidationError("--rate (open loop) and --vus (closed loop) exclude each other") }
        if let rate, !(rate > 0 && rate <= 1_000_000) { throw ValidationError("--rate must be above 0 and at most 1000000") }
        if let vus, !(1...100_000).contains(vus) { throw ValidationError("--vus must be from 1 to 100000") }
        if let iterations, iterations < 1 { throw ValidationError("--iterations must be at least 1") }
        if let maxInFlight, !(1...100_000).contains(maxInFlight) { throw ValidationError("--max-in-flight must be from 1 to 100000") }
        if !(1...64).contains(loops) { throw ValidationError("--loops must be from 1 to 64") }
        _ = try cpuList
        for (name, text) in [("--duration", duration), ("--warmup", warmup), ("--timeout", timeout)] {
            if let text, DurationText.parse(text) == nil { throw ValidationError("\(name) \(text) is not a duration like 500ms, 10s, 2m") }
        }
    }

    var cpuList: [Int]? {
        get throws {
            guard let cpu else { return nil }
            let list = cpu.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !list.isEmpty, list.allSatisfy({ ($0 ?? -1) >= 0 }) else { throw ValidationError("--cpu \(cpu) is not a list of CPU numbers like 1 or 2,3") }
            return list.compactMap { $0 }
        }
    }

    func apply(to scenario: inout Scenario) throws {
        if let duration = duration.flatMap(DurationText.parse) {
            if case .open(let schedule) = scenario.load.mode, rate == nil {
                guard schedule.stages.count == 1 else {
                    throw ValidationError("--duration cannot change a stepped rate (\(schedule.stages.count) stages): give --rate too, or edit the stages")
                }
                scenario.load.mode = .open(RateSchedule(stages: [.init(rate: schedule.stages[0].rate, duration: duration)]))
            }
            scenario.load.duration = duration
        }
        if let warmup = warmup.flatMap(DurationText.parse) { scenario.load.warmup = warmup }
        if let timeout = timeout.flatMap(DurationText.parse) { scenario.load.timeout = timeout }
        if let rate { scenario.load.mode = .open(RateSchedule(stages: [.init(rate: rate, duration: scenario.load.duration)])) }
        if let vus { scenario.load.mode = .closed(vus: vus) }
        if let iterations { scenario.load.iterations = iterations }
        if let maxInFlight { scenario.load.maxInFlight = maxInFlight }
    }
}
