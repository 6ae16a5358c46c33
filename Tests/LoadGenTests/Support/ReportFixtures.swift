import Histogram
import LoadGen

/// RunResults with known recorded values for the report tests.
enum ReportFixtures {
    static func histogram(_ values: [(value: UInt64, count: UInt64)]) -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        for (value, count) in values {
            _ = histogram.record(value, count: count)
        }
        return histogram
    }

    /// 1...`upTo` µs, each once, times `scale`.
    static func uniform(upTo: UInt64, scale: UInt64 = 1) -> Histogram<UInt64> {
        histogram((1...upTo).map { (value: $0 * scale, count: 1) })
    }

    /// Two steps:
    /// - "start": 1...1000 µs once each (p50 500, p90 900, p99 990, p99.9 999, max 1000), 1000 requests,
    ///   900×201, 95×409 sold-out, 5×500 (not problem+json), 5 errors, 100 req/s;
    /// - "pay": 99×1000 µs and one 1.5 s, 102 requests, 100×201, 2 resets, 2 errors, 10.2 req/s;
    /// 10 measured seconds after 2 s warm-up, 100 iterations started and 98 completed, one check passed and one failed.
    static func flashSale(scenario: String = "flash-sale", startScale: UInt64 = 1, startThroughput: Double = 100) -> RunResult {
        let start = StepResult(
            name: "start", requests: 1000, errors: 5, latency: uniform(upTo: 1000, scale: startScale),
            statuses: [201: 900, 409: 95, 500: 5], problemTypes: ["sold-out": 95, "-": 5], transportErrors: [:],
            throughput: startThroughput
        )
        let pay = StepResult(
            name: "pay", requests: 102, errors: 2, latency: histogram([(1_000, 99), (1_500_000, 1)]),
            statuses: [201: 100], problemTypes: [:], transportErrors: [.reset: 2], throughput: 10.2
        )
        return RunResult(
            scenario: scenario, mode: "open", targetRate: 50, virtualUsers: nil, startedAt: 1_738_324_800.5,
            measuredSeconds: 10, warmupSeconds: 2, steps: [start, pay], overall: combined([start, pay], throughput: startThroughput + 10.2),
            iterationsStarted: 100, iterationsCompleted: 98,
            timeline: (0..<10).map { TimelinePoint(second: $0, requests: 110, errors: $0 == 4 ? 7 : 0, p50: 500, p99: 990, max: 1000, inFlight: 3) },
            checks: [
                CheckOutcome(name: "no-oversell", passed: true, detail: "sold 100 of 100"),
                CheckOutcome(name: "error-rate", passed: false, detail: "0.64% > 0.50%"),
            ]
        )
    }

    /// No requests at all: empty histograms and timeline, no checks.
    static func empty() -> RunResult {
        let nothing = StepResult(
            name: "all", requests: 0, errors: 0, latency: histogram([]), statuses: [:], problemTypes: [:], transportErrors: [:], throughput: 0
        )
        return RunResult(
            scenario: "browse", mode: "closed", targetRate: nil, virtualUsers: 10, startedAt: 0, measuredSeconds: 0, warmupSeconds: 0,
            steps: [], overall: nothing, iterationsStarted: 0, iterationsCompleted: 0, timeline: [], checks: []
        )
    }

    static func combined(_ steps: [StepResult], throughput: Double) -> StepResult {
        var all = StepResult(
            name: "all", requests: 0, errors: 0, latency: histogram([]), statuses: [:], problemTypes: [:], transportErrors: [:],
            throughput: throughput
        )
        for step in steps {
            all.requests += step.requests
            all.errors += step.errors
            all.latency.add(step.latency)
            all.statuses.merge(step.statuses, uniquingKeysWith: +)
            all.problemTypes.merge(step.problemTypes, uniquingKeysWith: +)
            all.transportErrors.merge(step.transportErrors, uniquingKeysWith: +)
        }
        return all
    }
}
