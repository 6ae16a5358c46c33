import Histogram
import IOCore

#if canImport(Glibc)
import Glibc
#endif

/// Runs a scenario's load on our own event loops and measures it.
///
/// Each of `loopCount` loops (a thread, optionally pinned: loop i to `cpus[i % cpus.count]`)
/// drives 1/loopCount of the arrivals (open loop) or of the virtual users (closed loop), on
/// its own keep-alive connections, and records into its own histograms; they are merged
/// when the run ends. The load starts with the warm-up (whose answers are not recorded),
/// then the measured part. Open loop: latency runs from each request's intended send time.
/// Closed loop: requests still in flight when the duration ends are dropped, not counted.
public final class LoadRunner {
    public let scenario: Scenario
    public let context: RunContext
    public let loopCount: Int
    public let cpus: [Int]?

    public init(scenario: Scenario, context: RunContext, loopCount: Int, cpus: [Int]? = nil) {
        self.scenario = scenario
        self.context = context
        self.loopCount = max(1, loopCount)
        self.cpus = cpus.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Runs the load; `progress` is called about once a second (from a background task).
    public func run(progress: @escaping @Sendable (ProgressSnapshot) -> Void) async throws -> RunResult {
        let compiled = try CompiledScenario(scenario: scenario, context: context)
        // A peer that resets while we write must not kill the process.
        signal(SIGPIPE, SIG_IGN)
        let load = scenario.load
        var loopConfiguration = EventLoop.Configuration()
        loopConfiguration.buffersPreallocated = 16
        let group = try EventLoopGroup(count: loopCount, configuration: loopConfiguration)
        defer { group.shutdown() }

        let warmup = load.warmup.nanosecondsClamped
        let duration = load.duration.nanosecondsClamped
        let start = LoopInstant.now().nanoseconds + 20_000_000
        let measureStart = start + warmup
        let end = measureStart + duration
        let wallStart = WallClockTime.now()
        let startedAt = Double(wallStart.seconds) + Double(wallStart.nanoseconds) * 1e-9 + Double(measureStart - LoopInstant.now().nanoseconds) * 1e-9

        var drivers: [LoadDriver] = []
        for (index, loop) in group.loops.enumerated() {
            let plan = makePlan(index: index, start: start, measureStart: measureStart, end: end)
            let driver = try await loop.submit { () throws -> DriverBox in
                let driver = LoadDriver(loop: loop, scenario: compiled, plan: plan)
                try driver.begin()
                return DriverBox(driver: driver)
            }.driver
            drivers.append(driver)
        }

        // Progress once a second until the end (or until every loop is done early).
        var lastCompleted = 0
        var lastInstant = start
        var tick = start + 1_000_000_000
        var stoppedAt = end
        while true {
            let now = LoopInstant.now().nanoseconds
            let wake = min(tick, end)
            if wake > now { try? await Task.sleep(for: .nanoseconds(Int64(wake - now))) }
            let snapshots = try await Self.snapshots(drivers)
            let current = LoopInstant.now().nanoseconds
            var overall = LatencyHistogram.make()
            var completed = 0
            var requests = 0
            var errors = 0
            var inFlight = 0
            for snapshot in snapshots {
                overall.add(snapshot.overall)
                completed += snapshot.completedAll
                requests += snapshot.requests
                errors += snapshot.errors
                inFlight += snapshot.inFlight
            }
            let seconds = Double(current - lastInstant) * 1e-9
            progress(ProgressSnapshot(
                elapsed: Double(current - start) * 1e-9, inWarmup: current < measureStart,
                rate: seconds > 0 ? Double(completed - lastCompleted) / seconds : 0, inFlight: inFlight,
                p99: overall.totalCount == 0 ? 0 : overall.valueAtPercentile(99), requests: requests, errors: errors
            ))
            lastCompleted = completed
            lastInstant = current
            if current >= end { break }
            if current >= start && snapshots.allSatisfy(\.isDone) {
                // Ended early (an iteration cap): the measured part ends with its last answer.
                let last = snapshots.map(\.lastCompletion).max() ?? 0
                stoppedAt = last >= measureStart ? last + 1 : measureStart
                break
            }
            tick += 1_000_000_000
        }

        var recorders: [LoopRecorder] = []
        for driver in drivers {
            let loop = driver.loop
            recorders.append(try await loop.submit { RecorderBox(recorder: driver.finish()) }.recorder)
        }
        return merge(recorders, compiled: compiled, startedAt: startedAt, measured: Double(stoppedAt - measureStart) * 1e-9)
    }

    private static func snapshots(_ drivers: [LoadDriver]) async throws -> [DriverSnapshot] {
        var result: [DriverSnapshot] = []
        for driver in drivers {
            result.append(try await driver.loop.submit { driver.snapshot() })
        }
        return result
    }

    private func makePlan(index: Int, start: UInt64, measureStart: UInt64, end: UInt64) -> DriverPlan {
        let load = scenario.load
        let pacing: DriverPlan.Pacing
        switch load.mode {
        case .open(let schedule):
            pacing = .open(ArrivalSchedule(
                stages: schedule.stages, warmup: Self.seconds(load.warmup), duration: Self.seconds(load.duration), ramp: Self.seconds(load.ramp)
            ))
        case .closed(let vus):
            pacing = .closed(users: Array(stride(from: index, to: max(0, vus), by: loopCount)), total: max(1, vus), ramp: load.ramp.nanosecondsClamped)
        }
        var cap: Int?
        if let iterations = load.iterations { cap = iterations / loopCount + (index < iterations % loopCount ? 1 : 0) }
        let share = load.maxInFlight / loopCount + (index < load.maxInFlight % loopCount ? 1 : 0)
        return DriverPlan(
            pacing: pacing, loopIndex: index, loopCount: loopCount, start: start, measureStart: measureStart, end: end,
            timeout: load.timeout.nanosecondsClamped, maxConnections: max(1, share), iterationCap: cap,
            cpu: cpus.map { $0[index % $0.count] }, seed: 0x5EED_0000 &+ UInt64(index) &* 0x9E37_79B9
        )
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    private func merge(_ recorders: [LoopRecorder], compiled: CompiledScenario, startedAt: Double, measured: Double) -> RunResult {
        var steps = Array(repeating: StepRecord(), count: compiled.stepNames.count)
        var overall = StepRecord()
        var started = 0
        var completed = 0
        var endings: [EndingKey: Int] = [:]
        for recorder in recorders {
            endings.merge(recorder.endings, uniquingKeysWith: +)
            for (index, step) in recorder.steps.enumerated() {
                steps[index].add(step)
                overall.add(step)
            }
            started += recorder.iterationsStarted
            completed += recorder.iterationsCompleted
        }
        let secondCount = min(recorders.first?.seconds.count ?? 0, Int((measured + 0.999_999).rounded(.down)))
        var timeline: [TimelinePoint] = []
        for second in 0..<max(0, secondCount) {
            var requests = 0
            var errors = 0
            var inFlight = 0
            var latency = LatencyHistogram.makeCoarse()
            for recorder in recorders {
                let record = recorder.seconds[second]
                requests += record.requests
                errors += record.errors
                inFlight += record.inFlight
                if record.hasLatency { latency.add(record.latency) }
            }
            let empty = latency.totalCount == 0
            timeline.append(TimelinePoint(
                second: second, requests: requests, errors: errors, p50: empty ? 0 : latency.valueAtPercentile(50),
                p99: empty ? 0 : latency.valueAtPercentile(99), max: empty ? 0 : latency.max, inFlight: inFlight,
                covered: TimelinePoint.coverage(second: second, measuredSeconds: measured)
            ))
        }
        func result(_ name: String, _ record: StepRecord) -> StepResult {
            var statuses: [Int: Int] = [:]
            for (code, count) in record.statuses.enumerated() where count > 0 { statuses[code] = count }
            var transport: [TransportErrorKind: Int] = [:]
            for kind in TransportErrorKind.allCases where record.transportErrors[LoopRecorder.index(of: kind)] > 0 {
                transport[kind] = record.transportErrors[LoopRecorder.index(of: kind)]
            }
            return StepResult(
                name: name, requests: record.requests, errors: record.errors, latency: record.latency, statuses: statuses,
                problemTypes: record.problemTypes, transportErrors: transport, throughput: measured > 0 ? Double(record.requests) / measured : 0
            )
        }
        let load = scenario.load
        var mode = "closed"
        var targetRate: Double?
        var virtualUsers: Int?
        switch load.mode {
        case .open(let schedule):
            mode = "open"
            let total = schedule.stages.reduce(0.0) { $0 + Self.seconds($1.duration) }
            targetRate = total > 0
                ? schedule.stages.reduce(0.0) { $0 + $1.rate * Self.seconds($1.duration) } / total
                : schedule.stages.first?.rate
        case .closed(let vus):
            virtualUsers = vus
        }
        var run = RunResult(
            scenario: scenario.name, mode: mode, targetRate: targetRate, virtualUsers: virtualUsers, startedAt: startedAt,
            measuredSeconds: measured, warmupSeconds: Self.seconds(load.warmup),
            steps: compiled.stepNames.indices.map { result(compiled.stepNames[$0], steps[$0]) }, overall: result("overall", overall),
            iterationsStarted: started, iterationsCompleted: completed, timeline: timeline, checks: []
        )
        run.smoke = scenario.smoke
        run.iterationEndings = endings.map { key, count in
            IterationEnding(step: compiled.stepNames[key.step], answer: key.answer, expected: key.expected, count: count)
        }.sorted { ($0.count, $1.step, $1.answer) > ($1.count, $0.step, $0.answer) }
        return run
    }
}

/// Carries a loop-confined object out of `submit` (it is only used on its loop afterwards).
private struct DriverBox: @unchecked Sendable {
    let driver: LoadDriver
}

private struct RecorderBox: @unchecked Sendable {
    let recorder: LoopRecorder
}
