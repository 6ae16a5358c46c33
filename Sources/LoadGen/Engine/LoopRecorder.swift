import Histogram

/// Latency histograms reach 60 s at 3 significant digits (and grow beyond if needed).
enum LatencyHistogram {
    static func make() -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
        histogram.autoResize = true
        return histogram
    }

    /// Per-second timeline histograms: 2 digits is plenty for a p50/p99/max line, at a tenth of the memory.
    static func makeCoarse() -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .two)
        histogram.autoResize = true
        return histogram
    }
}

/// What one loop measured for one step name.
struct StepRecord: Sendable {
    var requests = 0
    var errors = 0
    var latency = LatencyHistogram.make()
    /// Index = status code (100...599).
    var statuses = [Int](repeating: 0, count: 600)
    var problemTypes: [String: Int] = [:]
    /// Index = `TransportErrorKind` position in `allCases`.
    var transportErrors = [Int](repeating: 0, count: TransportErrorKind.allCases.count)

    mutating func add(_ other: StepRecord) {
        requests += other.requests
        errors += other.errors
        latency.add(other.latency)
        for index in statuses.indices { statuses[index] += other.statuses[index] }
        problemTypes.merge(other.problemTypes, uniquingKeysWith: +)
        for index in transportErrors.indices { transportErrors[index] += other.transportErrors[index] }
    }
}

/// One second of one loop's measured part.
struct SecondRecord: Sendable {
    var requests = 0
    var errors = 0
    /// Made on the second's first answer (until then it shares one empty histogram).
    var hasLatency = false
    var latency: Histogram<UInt64>
    var inFlight = 0

    init(empty: Histogram<UInt64>) {
        latency = empty
    }
}

/// A loop's measurements: written only on its thread, read after the run (or copied in a
/// per-second hop for progress). Everything is recorded by completion time, and only what
/// completes in the measured part.
struct LoopRecorder: Sendable {
    let measureStart: UInt64
    let measureEnd: UInt64
    var steps: [StepRecord]
    var overall = LatencyHistogram.make()
    var seconds: [SecondRecord]
    var iterationsStarted = 0
    var iterationsCompleted = 0
    /// Measured iterations that ended before their last step, by step name index and answer.
    var endings: [EndingKey: Int] = [:]
    /// When the last measured request completed (0: none yet): where a run that ends early
    /// really ended, rather than the progress tick that noticed it.
    private(set) var lastCompletion: UInt64 = 0
    /// Interned problem types, so a repeated 4xx allocates no string.
    private var problemNames: [(bytes: [UInt8], name: String)] = []

    init(stepCount: Int, measureStart: UInt64, measureEnd: UInt64) {
        self.measureStart = measureStart
        self.measureEnd = measureEnd
        self.steps = Array(repeating: StepRecord(), count: stepCount)
        let secondCount = Int((measureEnd - measureStart + 999_999_999) / 1_000_000_000)
        self.seconds = Array(repeating: SecondRecord(empty: LatencyHistogram.makeCoarse()), count: max(0, secondCount))
    }

    /// Whether an instant is in the measured part.
    @inline(__always)
    func isMeasured(_ instant: UInt64) -> Bool {
        instant >= measureStart && instant < measureEnd
    }

    /// An answered request. `latency` in nanoseconds.
    mutating func recordAnswer(step: Int, at completed: UInt64, latency: UInt64, status: Int, problemType: UnsafeRawBufferPointer?, isError: Bool) {
        guard isMeasured(completed) else { return }
        lastCompletion = completed
        let microseconds = max(1, latency / 1000)
        steps[step].requests += 1
        if isError { steps[step].errors += 1 }
        steps[step].latency.record(microseconds)
        overall.record(microseconds)
        if status >= 0 && status < 600 { steps[step].statuses[status] += 1 }
        if status >= 400 {
            var name = "-"
            if let problemType { name = intern(problemType) }
            steps[step].problemTypes[name, default: 0] += 1
        }
        let second = Int((completed - measureStart) / 1_000_000_000)
        seconds[second].requests += 1
        if isError { seconds[second].errors += 1 }
        if !seconds[second].hasLatency {
            seconds[second].latency = LatencyHistogram.makeCoarse()
            seconds[second].hasLatency = true
        }
        seconds[second].latency.record(microseconds)
    }

    /// A request that got no answer.
    mutating func recordFailure(step: Int, at completed: UInt64, kind: TransportErrorKind) {
        guard isMeasured(completed) else { return }
        lastCompletion = completed
        steps[step].requests += 1
        steps[step].errors += 1
        steps[step].transportErrors[Self.index(of: kind)] += 1
        let second = Int((completed - measureStart) / 1_000_000_000)
        seconds[second].requests += 1
        seconds[second].errors += 1
    }

    /// A measured iteration ended at `step` on `answer` (a problem type, status code or
    /// transport error), which its `expect` accepted or not.
    mutating func recordEnding(step: Int, answer: String, expected: Bool) {
        endings[EndingKey(step: step, answer: answer, expected: expected), default: 0] += 1
    }

    /// Requests in flight (or waiting) at the end of second `second`.
    mutating func recordInFlight(_ count: Int, endOfSecond second: Int) {
        guard second >= 0 && second < seconds.count else { return }
        seconds[second].inFlight = count
    }

    static func index(of kind: TransportErrorKind) -> Int {
        switch kind {
        case .timeout: 0
        case .connect: 1
        case .reset: 2
        case .invalidResponse: 3
        }
    }

    /// The problem type as a string, interned.
    mutating func intern(_ bytes: UnsafeRawBufferPointer) -> String {
        for entry in problemNames where entry.bytes.count == bytes.count && entry.bytes.elementsEqual(bytes) {
            return entry.name
        }
        let name = String(decoding: bytes, as: UTF8.self)
        if problemNames.count < 256 { problemNames.append((Array(bytes), name)) }
        return name
    }
}

/// Where and why iterations ended early.
struct EndingKey: Hashable, Sendable {
    var step: Int
    var answer: String
    var expected: Bool
}
