import Foundation
import FoundationXML
import Testing

@testable import LoadGen

@Suite struct ReportHTMLTests {
    let html = HTMLReport.render(ReportFixtures.flashSale())

    /// The value of every `points` attribute of the polylines, in document order.
    private func polylines(_ html: String) -> [[Substring]] {
        html.components(separatedBy: "<polyline ").dropFirst().compactMap { element in
            guard let start = element.range(of: "points=\""), let end = element[start.upperBound...].firstIndex(of: "\"") else { return nil }
            return element[start.upperBound..<end].split(separator: " ")
        }
    }

    private func occurrences(of needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    private func isWellFormedXML(_ text: String) -> Bool {
        let parser = XMLParser(data: Data(text.utf8))
        // On Linux parse() can answer true for a mismatched end tag while it records the error.
        let finished = parser.parse()
        return finished && parser.parserError == nil
    }

    @Test func isOneWellFormedPageWithThreeCharts() {
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(html.hasSuffix("</html>\n"))
        #expect(isWellFormedXML(html))
        #expect(!isWellFormedXML("<p><b></p>"), "the parser must catch unbalanced markup for this test to mean anything")
        #expect(occurrences(of: "<svg", in: html) == 3)
        #expect(occurrences(of: "</svg>", in: html) == 3)
    }

    @Test func isSelfContained() {
        #expect(!html.contains("<script"))
        #expect(!html.contains("<link"))
        #expect(!html.contains("src="))
        #expect(!html.contains("url("))
        #expect(!html.contains("@import"))
    }

    @Test func timeSeriesHaveOnePointPerSecond() {
        let lines = polylines(html)
        // requests/s, errors/s, p50, p99, then the distribution.
        #expect(lines.count == 5)
        #expect(lines.prefix(4).map(\.count) == [10, 10, 10, 10])
        #expect(lines.last?.count == LatencyDistribution(ReportFixtures.flashSale().overall.latency).points.count)
    }

    @Test func errorsPeakWhereTheTimelineHasThem() throws {
        // The errors/s series: 0 everywhere but second 4, so its 5th point is higher (smaller y) than the rest.
        let errors = try #require(polylines(html).dropFirst().first)
        let ys = errors.compactMap { $0.split(separator: ",").last.flatMap { Double($0) } }
        #expect(ys.count == 10)
        #expect(ys[4] < ys[0] && Set(ys.enumerated().filter { $0.offset != 4 }.map(\.element)).count == 1)
    }

    @Test func summaryAndBreakdownsAndChecks() {
        #expect(html.contains("<td>start</td><td class=\"num\">1000</td><td class=\"num\">100.0</td><td class=\"num\">5</td>"))
        #expect(html.contains("<td class=\"num\">500µs</td><td class=\"num\">900µs</td><td class=\"num\">990µs</td>"))
        #expect(html.contains("<tr><td>201</td><td class=\"num\">900</td><td class=\"num\">100</td><td class=\"num\">1000</td></tr>"))
        #expect(html.contains("<tr><td>sold-out</td>"))
        #expect(html.contains("<tr><td>reset</td>"))
        #expect(html.contains("<span class=\"fail\">FAIL</span></td><td>error-rate</td><td>0.64% &gt; 0.50%</td>"))
        #expect(html.contains("<span class=\"fail\">FAILED</span>"))
    }

    @Test func escapesScenarioAndCheckText() {
        var result = ReportFixtures.flashSale(scenario: "<script>&")
        result.checks = [CheckOutcome(name: "a\"b", passed: true, detail: "<b>'x'</b>")]
        let html = HTMLReport.render(result)
        #expect(!html.contains("<script"))
        #expect(html.contains("<title>gbload: &lt;script&gt;&amp;</title>"))
        #expect(html.contains("<td>a&quot;b</td><td>&lt;b&gt;&#39;x&#39;&lt;/b&gt;</td>"))
        #expect(isWellFormedXML(html))
    }

    @Test func emptyRunDrawsEmptyChartsWithoutNaN() {
        let html = HTMLReport.render(ReportFixtures.empty())
        #expect(isWellFormedXML(html))
        #expect(occurrences(of: "<svg", in: html) == 3)
        #expect(occurrences(of: ">no data</text>", in: html) == 3)
        #expect(polylines(html).isEmpty)
        #expect(!html.contains("NaN") && !html.lowercased().contains("infinity") && !html.contains("inf<"))
        #expect(html.contains("No checks ran."))
    }

    @Test func noNaNOrInfinityInAnyCoordinate() {
        for page in [html, HTMLReport.render(ReportFixtures.empty())] {
            #expect(!page.contains("NaN"))
            #expect(!page.contains("nan"))
            #expect(!page.lowercased().contains("inf\""))
            #expect(!page.lowercased().contains("infinity"))
        }
    }

    @Test func stalledSecondsSwitchTheLatencyAxisToLog() {
        var result = ReportFixtures.flashSale()
        result.timeline[3].p99 = 1_000_000
        let html = HTMLReport.render(result)
        #expect(HTMLReport.latencyChart(result.timeline).y.scale == .log)
        #expect(HTMLReport.latencyChart(ReportFixtures.flashSale().timeline).y.scale == .linear)
        #expect(isWellFormedXML(html))
    }

    @Test func distributionAxisUsesHDRPercentileLabels() {
        let chart = HTMLReport.distributionChart(LatencyDistribution(ReportFixtures.flashSale().overall.latency))
        // 1100 values: the iteration reaches 99.95%, past 3 nines, so the axis ends at 4.
        #expect(chart.x.ticks.map(\.label) == ["0%", "90%", "99%", "99.9%", "99.99%"])
        #expect(chart.x.max == 4)
        #expect(HTMLReport.percentileLabel(nines: 4) == "99.99%")
        // The 1.5 s tail is thousands of times the median: the latency axis is logarithmic.
        #expect(chart.y.scale == .log)
        #expect(chart.y.ticks.first.map(\.label) == "100µs")
    }
}
