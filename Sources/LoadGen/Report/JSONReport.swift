import StrictJSON

/// The run as JSON for scripts and for `gbload compare`.
///
/// Keys are snake_case and always written, in this order; latencies are integer microseconds;
/// rates are numbers (never NaN or infinite: a figure without a denominator is 0).
///
/// ```
/// {
///   "format": "gbload-report",     constant
///   "version": 2,                  bumped when keys change (2: run_id, smoke, iterations' ended_early
///                                  and unfinished, business, timeline covered_seconds)
///   "scenario": "flash-sale",
///   "run_id": "t3k9x2a" | null,    the run's id (deal descriptions, `gbload cleanup --run`)
///   "smoke": false,                a --smoke run: scaled down, its figures are no benchmark
///   "mode": "open" | "closed",
///   "target_rate": 5000.0 | null,  open loop: asked iterations/s
///   "virtual_users": 50 | null,    closed loop
///   "started_at": "2025-01-31T12:00:00.000Z",   start of the measured part, UTC
///   "started_at_epoch": 1738324800.0,           the same in seconds since 1970
///   "measured_seconds": 30.0,      warm-up excluded
///   "warmup_seconds": 5.0,
///   "passed": true,                every check passed
///   "error_rate": 0.0012,          overall errors / overall requests
///   "iterations": {"started": 8000, "completed": 2000,
///     "ended_early": [{"step": "start-group", "answer": "sold-out", "expected": true, "count": 6000}, ...],
///                                  most first; answer: problem type, status code or transport error
///     "unfinished": 0},            started, neither completed nor ended when the measured part ended
///   "business": {                  the run's deals in the database after settling; null without one
///     "orders": 2000, "orders_per_second": 250.0,   over the measured part
///     "orders_per_second_first_to_last": 608.2 | null,   while orders were placed (fewer than 2: null)
///     "groups_started": 2000, "groups_succeeded": 0, "groups_failed": 0,
///     "groups_succeeded_per_second": 0.0} | null,  over the measured part
///   "overall": STEP,               all steps together; its "name" is "all"
///   "steps": [STEP, ...],          in scenario order
///   "latency_distribution": [      overall histogram, HDR percentile iteration with 5 ticks per half distance
///     {"percentile": 99.90234375, "value_us": 1210, "count": 59813}, ...   count: requests at or below value_us
///   ],                             the last entry is percentile 100 (the max)
///   "timeline": [                  one entry per second of the measured part
///     {"second": 0, "requests": 5001, "errors": 0, "p50_us": 310, "p99_us": 1190, "max_us": 2304, "in_flight": 3,
///      "covered_seconds": 1.0}, ...   the last second may be covered only in part (its counts are of that part)
///   ],
///   "checks": [{"name": "no-oversell", "passed": true, "detail": "sold 100 of 100"}, ...]
/// }
///
/// STEP = {
///   "name": "start",
///   "requests": 59871,             completed or failed in the measured part
///   "errors": 0,                   unexpected answers plus transport errors
///   "error_rate": 0.0,             errors / requests
///   "throughput": 1995.7,          requests per second over the measured part
///   "latency": {"count": 59871, "p50": 310, "p90": 620, "p99": 1210, "p99_9": 2090, "max": 4420, "mean": 352},
///                                  microseconds from the intended send time; count: answered requests
///   "statuses": {"201": 5000, "409": 54871},     by status code, ascending
///   "problem_types": {"sold-out": 54871},        4xx/5xx by problem type ("-": not problem+json), by name
///   "transport_errors": {"timeout": 3}          only the kinds that occurred, by name
/// }
/// ```
public enum JSONReport {
    /// The version written in "version"; readers should refuse a newer one.
    public static let version = 2

    /// The document described above, ending in a newline.
    public static func render(_ r: RunResult) -> String {
        var all = r.overall
        all.name = "all"
        return JSONValue.members([
            ("format", .string("gbload-report")),
            ("version", .int(version)),
            ("scenario", .string(r.scenario)),
            ("run_id", r.runID.map(JSONValue.string) ?? .null),
            ("smoke", .bool(r.smoke)),
            ("mode", .string(r.mode)),
            ("target_rate", r.targetRate.map(JSONValue.double) ?? .null),
            ("virtual_users", r.virtualUsers.map(JSONValue.int) ?? .null),
            ("started_at", .string(Units.rfc3339(secondsSince1970: r.startedAt))),
            ("started_at_epoch", .double(r.startedAt)),
            ("measured_seconds", .double(r.measuredSeconds)),
            ("warmup_seconds", .double(r.warmupSeconds)),
            ("passed", .bool(r.passed)),
            ("error_rate", .double(r.errorRate)),
            (
                "iterations",
                .members([
                    ("started", .int(r.iterationsStarted)), ("completed", .int(r.iterationsCompleted)),
                    ("ended_early", .array(r.iterationEndings.map(ending))), ("unfinished", .int(r.iterationsUnfinished)),
                ])
            ),
            ("business", r.business.map { business($0, measuredSeconds: r.measuredSeconds) } ?? .null),
            ("overall", step(all)),
            ("steps", .array(r.steps.map(step))),
            ("latency_distribution", .array(distribution(r.overall))),
            ("timeline", .array(r.timeline.map(point))),
            ("checks", .array(r.checks.map { .members([("name", .string($0.name)), ("passed", .bool($0.passed)), ("detail", .string($0.detail))]) })),
        ]).formatted() + "\n"
    }

    private static func step(_ s: StepResult) -> JSONValue {
        let summary = s.summary
        return .members([
            ("name", .string(s.name)),
            ("requests", .int(s.requests)),
            ("errors", .int(s.errors)),
            ("error_rate", .double(Units.ratio(s.errors, s.requests))),
            ("throughput", .double(s.throughput)),
            (
                "latency",
                .members([
                    ("count", .uint(summary.count)), ("p50", .uint(summary.p50)), ("p90", .uint(summary.p90)),
                    ("p99", .uint(summary.p99)), ("p99_9", .uint(summary.p999)), ("max", .uint(summary.max)),
                    ("mean", .uint(summary.mean.isFinite ? UInt64(summary.mean.rounded()) : 0)),
                ])
            ),
            ("statuses", .members(s.statuses.sorted { $0.key < $1.key }.map { (String($0.key), .int($0.value)) })),
            ("problem_types", .members(s.problemTypes.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("transport_errors", .members(s.transportErrors.sorted { $0.key < $1.key }.map { ($0.key.rawValue, .int($0.value)) })),
        ])
    }

    private static func ending(_ e: IterationEnding) -> JSONValue {
        .members([("step", .string(e.step)), ("answer", .string(e.answer)), ("expected", .bool(e.expected)), ("count", .int(e.count))])
    }

    private static func business(_ b: BusinessFigures, measuredSeconds: Double) -> JSONValue {
        .members([
            ("orders", .int(b.orders)), ("orders_per_second", .double(b.ordersPerSecond(measuredSeconds: measuredSeconds))),
            ("orders_per_second_first_to_last", b.ordersPerSecondWhilePlaced.map(JSONValue.double) ?? .null),
            ("groups_started", .int(b.groupsStarted)), ("groups_succeeded", .int(b.groupsSucceeded)),
            ("groups_failed", .int(b.groupsFailed)),
            ("groups_succeeded_per_second", .double(b.groupsSucceededPerSecond(measuredSeconds: measuredSeconds))),
        ])
    }

    private static func distribution(_ s: StepResult) -> [JSONValue] {
        LatencyDistribution(s.latency).points.map {
            .members([("percentile", .double($0.percentile)), ("value_us", .uint($0.value)), ("count", .uint($0.count))])
        }
    }

    private static func point(_ p: TimelinePoint) -> JSONValue {
        .members([
            ("second", .int(p.second)), ("requests", .int(p.requests)), ("errors", .int(p.errors)),
            ("p50_us", .uint(p.p50)), ("p99_us", .uint(p.p99)), ("max_us", .uint(p.max)), ("in_flight", .int(p.inFlight)),
            ("covered_seconds", .double(p.covered)),
        ])
    }
}

/// The report's spellings of StrictJSON values: members in the order written, Swift's integers.
extension JSONValue {
    fileprivate static func members(_ members: [(String, JSONValue)]) -> JSONValue { .object(JSONObject(members)) }
    fileprivate static func int(_ value: Int) -> JSONValue { .integer(Int64(value)) }
    /// Latencies and counts from the histograms: far below 2^63.
    fileprivate static func uint(_ value: UInt64) -> JSONValue { .integer(Int64(clamping: value)) }
    fileprivate static func double(_ value: Double) -> JSONValue { .number(value) }
}
