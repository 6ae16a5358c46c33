import Foundation
import Testing

@testable import LoadGen

@Suite struct ReportTableTests {
    let text = TableReport.render(ReportFixtures.flashSale())

    private func cells(startingWith first: String, after marker: String? = nil) -> [String]? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let marker, let index = lines.firstIndex(where: { $0.hasPrefix(marker) }) { lines = Array(lines[index...]) }
        return lines.first { $0.split(separator: " ").first.map(String.init) == first }?.split(separator: " ").map(String.init)
    }

    @Test func headerNamesScenarioLoadAndDurations() {
        let header = text.split(separator: "\n").first.map(String.init)
        #expect(header == "scenario flash-sale: open loop at 50 iterations/s, measured 10.0s after 2.0s warm-up")
    }

    @Test func stepRowsCarryKnownPercentiles() {
        #expect(cells(startingWith: "start") == ["start", "1000", "100.0", "5", "0.50%", "500µs", "900µs", "990µs", "999µs", "1.00ms"])
        #expect(cells(startingWith: "pay") == ["pay", "102", "10.2", "2", "1.96%", "1.00ms", "1.00ms", "1.00ms", "1.50s", "1.50s"])
        // 1000 values from start and 100 from pay: the 550th of 1100 is 550 µs.
        #expect(cells(startingWith: "all")?.prefix(6) == ["all", "1102", "110.2", "7", "0.64%", "550µs"])
    }

    @Test func summaryColumnsAreAligned() {
        let lines = text.split(separator: "\n").map(String.init)
        guard let headerIndex = lines.firstIndex(where: { $0.hasPrefix("step ") }) else {
            Issue.record("no summary header in\n\(text)")
            return
        }
        let block = lines[headerIndex...(headerIndex + 3)]
        // Right-aligned columns end at the same place on every line.
        #expect(Set(block.map(\.count)).count == 1, "\(block)")
        let requestsEnd = block.first!.range(of: "requests")!.upperBound.utf16Offset(in: block.first!)
        for line in block.dropFirst() {
            let index = line.index(line.startIndex, offsetBy: requestsEnd - 1)
            #expect(line[index].isNumber, "\(line)")
        }
    }

    @Test func breakdownsAreSortedPerStep() {
        #expect(cells(startingWith: "status") == ["status", "start", "pay", "all"])
        #expect(cells(startingWith: "201") == ["201", "900", "100", "1000"])
        #expect(cells(startingWith: "409") == ["409", "95", "0", "95"])
        #expect(cells(startingWith: "500") == ["500", "5", "0", "5"])
        #expect(text.range(of: "201")!.lowerBound < text.range(of: "409")!.lowerBound)
        #expect(cells(startingWith: "-", after: "problem type") == ["-", "5", "0", "5"])
        #expect(cells(startingWith: "sold-out") == ["sold-out", "95", "0", "95"])
        #expect(cells(startingWith: "reset") == ["reset", "0", "2", "2"])
    }

    @Test func iterationsAndChecks() {
        #expect(text.contains("iterations: 100 started\n  98 completed every step\n  2 still running when the measured part ended\n"))
        #expect(text.contains("  PASS  no-oversell  sold 100 of 100\n"))
        #expect(text.contains("  FAIL  error-rate   0.64% > 0.50%\n"))
        #expect(text.hasSuffix("result: FAILED\n"))
    }

    @Test func emptyRunHasZeroFiguresAndNoBreakdowns() {
        let text = TableReport.render(ReportFixtures.empty())
        #expect(text.hasPrefix("scenario browse: closed loop, 10 virtual users, measured 0.0s after 0.0s warm-up\n"))
        let all = text.split(separator: "\n").first { $0.hasPrefix("all ") }?.split(separator: " ")
        #expect(all == ["all", "0", "0.0", "0", "0.00%", "0µs", "0µs", "0µs", "0µs", "0µs"])
        #expect(!text.contains("status"))
        #expect(text.hasSuffix("result: PASSED\n"))
    }
}
