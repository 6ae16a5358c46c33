public import Histogram

/// Everything one run measured and concluded: what reports render and the exit code follows.
public struct RunResult: Sendable {
    public var scenario: String
    /// "open" or "closed".
    public var mode: String
    /// Open mode: the asked arrival rate (iterations/s; stepped: the mean over the stages).
    public var targetRate: Double?
    /// Closed mode: virtual users.
    public var virtualUsers: Int?
    /// Wall-clock start of the measured part, seconds since 1970.
    public var startedAt: Double
    /// Length of the measured part (warm-up excluded).
    public var measuredSeconds: Double
    public var warmupSeconds: Double
    /// Per step name, in the order steps first appear in the scenario.
    public var steps: [StepResult]
    /// All steps together.
    public var overall: StepResult
    /// Iterations started and completed (all steps 2xx) in the measured part.
    public var iterationsStarted: Int
    public var iterationsCompleted: Int
    /// One point per second of the measured part.
    public var timeline: [TimelinePoint]
    /// Filled after the load: settling, the invariant checks and the scenario's own checks.
    public var checks: [CheckOutcome]
    /// The run's id (user ids, deal descriptions, `gbload cleanup --run`); nil for `gbload url`.
    public var runID: String?
    /// A `--smoke` run: scaled down, for its checks; its figures are no benchmark.
    public var smoke = false
    /// Measured iterations that ended before their last step, most first.
    public var iterationEndings: [IterationEnding] = []
    /// Orders and groups of the run's deals after settling; nil without a database (`gbload url`).
    public var business: BusinessFigures?

    public init(
        scenario: String, mode: String, targetRate: Double?, virtualUsers: Int?, startedAt: Double, measuredSeconds: Double, warmupSeconds: Double,
        steps: [StepResult], overall: StepResult, iterationsStarted: Int, iterationsCompleted: Int, timeline: [TimelinePoint], checks: [CheckOutcome]
    ) {
        self.scenario = scenario
        self.mode = mode
        self.targetRate = targetRate
        self.virtualUsers = virtualUsers
        self.startedAt = startedAt
        self.measuredSeconds = measuredSeconds
        self.warmupSeconds = warmupSeconds
        self.steps = steps
        self.overall = overall
        self.iterationsStarted = iterationsStarted
        self.iterationsCompleted = iterationsCompleted
        self.timeline = timeline
        self.checks = checks
    }

    /// Unexpected answers and transport errors over all requests answered or failed.
    public var errorRate: Double {
        overall.requests == 0 ? 0 : Double(overall.errors) / Double(overall.requests)
    }

    public var passed: Bool { checks.allSatisfy(\.passed) }
}

/// The figures of one step name (or of all steps together).
public struct StepResult: Sendable {
    public var name: String
    /// Requests that completed or failed in the measured part.
    public var requests: Int
    /// Of them, answers the step's `expect` did not accept, plus transport errors.
    public var errors: Int
    /// Latency in microseconds from the intended send time to the last byte of the answer,
    /// of every answered request (errors included, transport failures not).
    public var latency: Histogram<UInt64>
    /// Answers by status code.
    public var statuses: [Int: Int]
    /// 4xx/5xx answers by problem type (last path segment, e.g. "sold-out"); "-" when not problem+json.
    public var problemTypes: [String: Int]
    /// Requests that got no answer, by kind.
    public var transportErrors: [TransportErrorKind: Int]
    /// Requests per second over the measured part.
    public var throughput: Double

    public init(
        name: String, requests: Int, errors: Int, latency: Histogram<UInt64>, statuses: [Int: Int], problemTypes: [String: Int],
        transportErrors: [TransportErrorKind: Int], throughput: Double
    ) {
        self.name = name
        self.requests = requests
        self.errors = errors
        self.latency = latency
        self.statuses = statuses
        self.problemTypes = problemTypes
        self.transportErrors = transportErrors
        self.throughput = throughput
    }

    public var summary: LatencySummary { LatencySummary(latency) }
}

/// Why a request got no answer.
public enum TransportErrorKind: String, Sendable, Hashable, CaseIterable, Comparable {
    /// No answer within the timeout after the intended send time (waiting to be sent included).
    case timeout
    /// The connection was refused or could not be made.
    case connect
    /// The connection was reset or closed before the answer was whole.
    case reset
    /// The answer was not valid HTTP/1.1 or exceeded the limits.
    case invalidResponse = "invalid-response"

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The percentiles reports print, in microseconds.
public struct LatencySummary: Sendable, Equatable {
    public var count: UInt64
    public var p50: UInt64
    public var p90: UInt64
    public var p99: UInt64
    public var p999: UInt64
    public var max: UInt64
    public var mean: Double

    public init(_ histogram: Histogram<UInt64>) {
        count = histogram.totalCount
        let empty = histogram.totalCount == 0
        p50 = empty ? 0 : histogram.valueAtPercentile(50)
        p90 = empty ? 0 : histogram.valueAtPercentile(90)
        p99 = empty ? 0 : histogram.valueAtPercentile(99)
        p999 = empty ? 0 : histogram.valueAtPercentile(99.9)
        max = empty ? 0 : histogram.max
        mean = empty ? 0 : histogram.mean
    }
}

/// One second of the measured part.
public struct TimelinePoint: Sendable, Equatable {
    /// Seconds since the measured part started.
    public var second: Int
    /// Requests completed in this second (answered or failed).
    public var requests: Int
    public var errors: Int
    /// Latency percentiles of the requests completed in this second, microseconds.
    public var p50: UInt64
    public var p99: UInt64
    public var max: UInt64
    /// Requests on the wire or waiting to be sent at the end of the second.
    public var inFlight: Int
    /// How much of the second the measured part covers: 1, less for the last second of a run
    /// that ended early or within a second (its counts are of that part only).
    public var covered: Double

    public init(second: Int, requests: Int, errors: Int, p50: UInt64, p99: UInt64, max: UInt64, inFlight: Int, covered: Double = 1) {
        self.second = second
        self.requests = requests
        self.errors = errors
        self.p50 = p50
        self.p99 = p99
        self.max = max
        self.inFlight = inFlight
        self.covered = covered
    }

    /// The part of second `second` inside a measured part of `measuredSeconds`, 0...1.
    public static func coverage(second: Int, measuredSeconds: Double) -> Double {
        Swift.min(1, Swift.max(0, measuredSeconds - Double(second)))
    }
}

/// One check after the run: an invariant, a threshold, or settling.
public struct CheckOutcome: Sendable, Equatable {
    public var name: String
    public var passed: Bool
    /// What was found; for a failure, what is wrong and where (the deal or order).
    public var detail: String

    public init(name: String, passed: Bool, detail: String) {
        self.name = name
        self.passed = passed
        self.detail = detail
    }
}

/// A live view of the run for the progress line, taken once per second.
public struct ProgressSnapshot: Sendable, Equatable {
    /// Seconds since the load started (warm-up included).
    public var elapsed: Double
    public var inWarmup: Bool
    /// Requests completed per second over the last second.
    public var rate: Double
    public var inFlight: Int
    /// p99 of the measured part so far, microseconds.
    public var p99: UInt64
    public var requests: Int
    public var errors: Int

    public init(elapsed: Double, inWarmup: Bool, rate: Double, inFlight: Int, p99: UInt64, requests: Int, errors: Int) {
        self.elapsed = elapsed
        self.inWarmup = inWarmup
        self.rate = rate
        self.inFlight = inFlight
        self.p99 = p99
        self.requests = requests
        self.errors = errors
    }
}
