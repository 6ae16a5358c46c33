#if canImport(Glibc)
internal import Glibc
#endif

/// The live progress display: on a terminal one line rewritten in place, otherwise plain lines a log keeps.
public struct ProgressLine: Sendable {
    /// The widest line written on a terminal, so it never wraps on an 100-column window and `\r` still rewrites it.
    public static let maxColumns = 100

    public let isTerminal: Bool

    public init(isTerminal: Bool) {
        self.isTerminal = isTerminal
    }

    /// Whether standard output is a terminal.
    public static var stdoutIsTerminal: Bool {
        #if canImport(Glibc)
        isatty(1) == 1
        #else
        false
        #endif
    }

    /// What to write for one snapshot: terminal "\r<line>\u{1B}[K"; otherwise "t=12s rate=4998/s ... (0.00%)\n".
    public func render(_ s: ProgressSnapshot) -> String {
        let seconds = s.elapsed.isFinite && s.elapsed > 0 ? Int(s.elapsed) : 0
        let rate = s.rate.isFinite && s.rate > 0 ? Units.fixed(s.rate, decimals: 0) : "0"
        let errorShare = Units.percent(Units.ratio(s.errors, s.requests))
        let p99 = s.p99 == 0 && s.requests == 0 ? "-" : Units.latency(s.p99)
        if isTerminal {
            var line = "\(seconds)s\(s.inWarmup ? " warm-up" : "")  \(rate) req/s  in flight \(s.inFlight)  p99 \(p99)"
            line += "  requests \(s.requests)  errors \(s.errors) (\(errorShare))"
            if line.count > Self.maxColumns { line = String(line.prefix(Self.maxColumns)) }
            return "\r" + line + "\u{1B}[K"
        }
        let warmup = s.inWarmup ? " warmup" : ""
        return "t=\(seconds)s\(warmup) rate=\(rate)/s in_flight=\(s.inFlight) p99=\(p99) requests=\(s.requests) errors=\(s.errors) (\(errorShare))\n"
    }

    /// What to write after the last snapshot: on a terminal a newline to keep the last line, otherwise nothing.
    public func finish() -> String {
        isTerminal ? "\n" : ""
    }
}
