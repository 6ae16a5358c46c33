import Foundation
import Testing

@testable import LoadGen

@Suite struct ReportCompareTests {
    let old = JSONReport.render(ReportFixtures.flashSale())
    /// The start step twice as slow and at twice the throughput.
    let new = JSONReport.render(ReportFixtures.flashSale(startScale: 2, startThroughput: 200))

    @Test func ratiosAreNewOverOld() throws {
        let comparison = try RunComparison(old: old, new: new)
        #expect(comparison.rows.map(\.step) == ["start", "pay", "all"])
        let start = comparison.rows[0]
        #expect(start.throughput == RunComparison.Metric(old: 100, new: 200))
        #expect(start.throughput.ratio == 2)
        #expect(start.p50.ratio == 2)
        #expect(start.p99.old == 990 && start.p99.new == 1980)
        #expect(start.p999.old == 999 && start.p999.new == 1998)
        let pay = comparison.rows[1]
        #expect(pay.throughput.ratio == 1 && pay.p50.ratio == 1 && pay.p999.ratio == 1)
        #expect(comparison.rows[2].throughput.ratio == 210.2 / 110.2)
    }

    @Test func rendersOneAlignedRowPerStep() throws {
        let text = try RunComparison(old: old, new: new).render()
        let lines = text.split(separator: "\n").map(String.init)
        let start = try #require(lines.first { $0.hasPrefix("start ") })
        #expect(start.split(separator: " ") == ["start", "100.0", "200.0", "2.00x", "500µs", "1.00ms", "2.00x", "990µs", "1.98ms", "2.00x", "999µs", "2.00ms", "2.00x"])
        let all = try #require(lines.first { $0.hasPrefix("all ") })
        #expect(all.split(separator: " ")[3] == "1.91x")
        #expect(text.hasPrefix("old: flash-sale\nnew: flash-sale\n"))
    }

    @Test func stepsOnOneSideOnlyShowDashes() throws {
        var other = ReportFixtures.flashSale()
        other.steps[1].name = "join"
        let comparison = try RunComparison(old: old, new: JSONReport.render(other))
        #expect(comparison.rows.map(\.step) == ["start", "pay", "join", "all"])
        #expect(comparison.rows[1].throughput == RunComparison.Metric(old: 10.2, new: nil))
        #expect(comparison.rows[1].throughput.ratio == nil)
        let join = try #require(comparison.render().split(separator: "\n").first { $0.hasPrefix("join ") })
        #expect(join.split(separator: " ").prefix(4) == ["join", "-", "10.2", "-"])
    }

    @Test func zeroOldFigureHasNoRatio() throws {
        let empty = JSONReport.render(ReportFixtures.empty())
        let comparison = try RunComparison(old: empty, new: old)
        #expect(comparison.rows.map(\.step) == ["start", "pay", "all"])
        #expect(comparison.rows[2].throughput.ratio == nil)
        #expect(comparison.rows[2].p99.ratio == nil)
    }

    @Test func rejectsWhatIsNotAReport() {
        #expect(throws: ReportError.self) { try RunComparison(old: "not json", new: old) }
        #expect(throws: ReportError.self) { try RunComparison(old: old, new: #"{"format": "other"}"#) }
        let future = old.replacingOccurrences(of: "\"version\": \(JSONReport.version),", with: "\"version\": 99,")
        #expect(future != old)
        #expect(throws: ReportError.self) { try RunComparison(old: old, new: future) }
    }
}
