import Testing

@testable import LoadGen

@Suite struct ReportProgressTests {
    let snapshot = ProgressSnapshot(elapsed: 12.7, inWarmup: false, rate: 4998.4, inFlight: 3, p99: 1_210, requests: 59_871, errors: 0)

    @Test func plainLinesWhenNotATerminal() {
        let line = ProgressLine(isTerminal: false)
        #expect(line.render(snapshot) == "t=12s rate=4998/s in_flight=3 p99=1.21ms requests=59871 errors=0 (0.00%)\n")
        var warming = snapshot
        warming.inWarmup = true
        warming.errors = 599
        #expect(line.render(warming) == "t=12s warmup rate=4998/s in_flight=3 p99=1.21ms requests=59871 errors=599 (1.00%)\n")
        #expect(line.finish() == "")
    }

    @Test func oneRewrittenLineOnATerminal() {
        let line = ProgressLine(isTerminal: true)
        let text = line.render(snapshot)
        #expect(text == "\r12s  4998 req/s  in flight 3  p99 1.21ms  requests 59871  errors 0 (0.00%)\u{1B}[K")
        var warming = snapshot
        warming.inWarmup = true
        #expect(line.render(warming).hasPrefix("\r12s warm-up  4998 req/s"))
        #expect(line.finish() == "\n")
    }

    @Test func terminalLineNeverExceedsOneHundredColumns() {
        let huge = ProgressSnapshot(
            elapsed: 1e12, inWarmup: true, rate: 1e15, inFlight: Int.max, p99: UInt64.max, requests: Int.max, errors: Int.max
        )
        let text = ProgressLine(isTerminal: true).render(huge)
        #expect(text.hasPrefix("\r") && text.hasSuffix("\u{1B}[K"))
        #expect(!text.contains("\n"))
        #expect(text.dropFirst().dropLast(3).count <= ProgressLine.maxColumns)
    }

    @Test func beforeAnyRequestThereIsNoP99AndNoDivision() {
        let start = ProgressSnapshot(elapsed: 0, inWarmup: true, rate: 0, inFlight: 0, p99: 0, requests: 0, errors: 0)
        #expect(ProgressLine(isTerminal: false).render(start) == "t=0s warmup rate=0/s in_flight=0 p99=- requests=0 errors=0 (0.00%)\n")
        let odd = ProgressSnapshot(elapsed: .nan, inWarmup: false, rate: .infinity, inFlight: 0, p99: 0, requests: 0, errors: 0)
        #expect(ProgressLine(isTerminal: false).render(odd) == "t=0s rate=0/s in_flight=0 p99=- requests=0 errors=0 (0.00%)\n")
    }
}
