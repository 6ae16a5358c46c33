import Foundation
import GroupBuyTesting
import Testing

@testable import LoadGen

/// What the reports say happened (issue 12: "8000 started, 2000 completed (25.00%)" for a
/// perfect flash sale read like a failure; orders/s and groups/s were missing; smoke runs were
/// not marked; the last partial second drew as a drop).
@Suite struct ReportOutcomeTests {
    /// A perfect flash sale: 8,000 buyers, 2,000 orders, 6,000 told sold-out, over 7.4 s
    /// (the last timeline second covers 0.4 s), orders placed within 3.2 s.
    static func perfectFlashSale(smoke: Bool = false) -> RunResult {
        let start = StepResult(
            name: "start-group", requests: 8000, errors: 0, latency: ReportFixtures.uniform(upTo: 1000), statuses: [201: 2000, 409: 6000],
            problemTypes: ["sold-out": 6000], transportErrors: [:], throughput: 8000 / 7.4
        )
        var timeline = (0..<7).map { TimelinePoint(second: $0, requests: 1100, errors: 0, p50: 500, p99: 990, max: 1000, inFlight: 64) }
        timeline.append(TimelinePoint(second: 7, requests: 300, errors: 0, p50: 500, p99: 990, max: 1000, inFlight: 0, covered: 0.4))
        var result = RunResult(
            scenario: "flash-sale", mode: "closed", targetRate: nil, virtualUsers: 64, startedAt: 1_738_324_800, measuredSeconds: 7.4,
            warmupSeconds: 0, steps: [start], overall: ReportFixtures.combined([start], throughput: 8000 / 7.4), iterationsStarted: 8000,
            iterationsCompleted: 2000, timeline: timeline, checks: [CheckOutcome(name: "sold out hot", passed: true, detail: "all 2000 units taken")]
        )
        result.runID = "t3k9x2a"
        result.smoke = smoke
        result.iterationEndings = [IterationEnding(step: "start-group", answer: "sold-out", expected: true, count: 6000)]
        result.business = BusinessFigures(orders: 2000, orderSpanSeconds: 3.2, groupsStarted: 2000, groupsSucceeded: 0, groupsFailed: 0)
        return result
    }

    // MARK: - Wording

    @Test func aPerfectFlashSaleSaysWhatHappened() {
        let text = TableReport.render(Self.perfectFlashSale())
        #expect(text.contains("iterations: 8,000 started\n  2,000 completed every step\n  6,000 ended at start-group on sold-out (as expected)\n"), "\(text)")
        #expect(!text.contains("25.00%"))
        #expect(text.contains("orders: 2,000 placed, 270.3/s over the measured part, 625.0/s from the first to the last (3.20s)\n"), "\(text)")
        #expect(text.contains("groups: 2,000 started, 0 succeeded (0.0/s over the measured part), 0 failed, 2,000 still open\n"))
        #expect(text.contains("\nrun t3k9x2a\n"))
    }

    @Test func unexpectedEndingsAndUnfinishedIterationsAreNamed() {
        var result = Self.perfectFlashSale()
        result.iterationsStarted = 8015
        result.iterationEndings.append(IterationEnding(step: "pay", answer: "500", expected: false, count: 3))
        result.iterationEndings.append(IterationEnding(step: "join", answer: "timeout", expected: false, count: 2))
        #expect(result.iterationsUnfinished == 10)
        let text = TableReport.render(result)
        #expect(text.contains("  3 ended at pay on 500 (unexpected)\n  2 ended at join on timeout (unexpected)\n  10 still running when the measured part ended\n"))
    }

    @Test func groupsSucceededPerSecondIsOverTheMeasuredPart() {
        var result = Self.perfectFlashSale()
        result.measuredSeconds = 10
        result.business = BusinessFigures(orders: 1, orderSpanSeconds: 0, groupsStarted: 200, groupsSucceeded: 130, groupsFailed: 70)
        let text = TableReport.render(result)
        #expect(text.contains("orders: 1 placed, 0.1/s over the measured part\n"), "one order has no first-to-last rate")
        #expect(text.contains("groups: 200 started, 130 succeeded (13.0/s over the measured part), 70 failed\n"))
        let json = JSONReport.render(result)
        #expect(json.contains(#""orders_per_second_first_to_last": null"#))
        #expect(json.contains(#""groups_succeeded_per_second": 13.0"#) || json.contains(#""groups_succeeded_per_second": 13"#))
    }

    @Test func aRunWithoutOrdersOrGroupsPrintsNoBusinessLines() {
        var result = Self.perfectFlashSale()
        result.business = BusinessFigures(orders: 0, orderSpanSeconds: nil, groupsStarted: 0, groupsSucceeded: 0, groupsFailed: 0)
        #expect(!TableReport.render(result).contains("orders:"))
        result.business = nil
        #expect(!TableReport.render(result).contains("groups:"))
    }

    @Test func theJSONReportCarriesTheOutcome() throws {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(JSONReport.render(Self.perfectFlashSale()).utf8)) as? [String: Any])
        #expect(document["run_id"] as? String == "t3k9x2a")
        let iterations = try #require(document["iterations"] as? [String: Any])
        #expect(iterations["unfinished"] as? Int == 0)
        let ended = try #require(iterations["ended_early"] as? [[String: Any]])
        #expect(ended.count == 1)
        #expect(ended[0]["step"] as? String == "start-group" && ended[0]["answer"] as? String == "sold-out")
        #expect(ended[0]["expected"] as? Bool == true && ended[0]["count"] as? Int == 6000)
        let business = try #require(document["business"] as? [String: Any])
        #expect(business["orders"] as? Int == 2000)
        #expect(abs((business["orders_per_second"] as? Double ?? 0) - 2000 / 7.4) < 1e-9)
        #expect(business["orders_per_second_first_to_last"] as? Double == 625)
        #expect(business["groups_started"] as? Int == 2000 && business["groups_succeeded"] as? Int == 0 && business["groups_failed"] as? Int == 0)
        let timeline = try #require(document["timeline"] as? [[String: Any]])
        #expect(timeline.last?["covered_seconds"] as? Double == 0.4)
        #expect(timeline.first?["covered_seconds"] as? Double == 1)
    }

    @Test func theHTMLReportListsTheOutcome() {
        let html = HTMLReport.render(Self.perfectFlashSale())
        #expect(html.contains("<li>6,000 ended at start-group on sold-out (as expected)</li>"))
        #expect(html.contains("<li>orders: 2,000 placed, 270.3/s over the measured part, 625.0/s from the first to the last (3.20s)</li>"))
        #expect(html.contains(" · run t3k9x2a"))
    }

    // MARK: - Smoke runs

    @Test func smokeRunsAreMarkedInEveryReport() throws {
        let smoke = Self.perfectFlashSale(smoke: true)
        let table = TableReport.render(smoke)
        #expect(table.hasPrefix("scenario flash-sale (SMOKE): closed loop, 64 virtual users, measured 7.4s after 0.0s warm-up\n" + RunResult.smokeNote + "\n"))
        let html = HTMLReport.render(smoke)
        #expect(html.contains("<title>gbload: flash-sale (smoke)</title>"))
        #expect(html.contains("<p class=\"smoke\">smoke run: scaled down"))
        let document = try #require(try JSONSerialization.jsonObject(with: Data(JSONReport.render(smoke).utf8)) as? [String: Any])
        #expect(document["smoke"] as? Bool == true)

        let full = Self.perfectFlashSale()
        #expect(!TableReport.render(full).contains("SMOKE") && !HTMLReport.render(full).contains("class=\"smoke\""))
    }

    @Test func scaledForSmokeMarksTheScenario() throws {
        let scenario = try ScenarioParser.parse("steps: [{request: GET /v1/deals}]\n", file: "t.yaml", environment: [:])
        #expect(!scenario.smoke)
        #expect(scenario.scaledForSmoke().smoke)
    }

    // MARK: - The last partial second

    @Test func coverageIsThePartOfEachSecondInsideTheMeasuredPart() {
        #expect(TimelinePoint.coverage(second: 0, measuredSeconds: 7.4) == 1)
        #expect(TimelinePoint.coverage(second: 6, measuredSeconds: 7.4) == 1)
        #expect(abs(TimelinePoint.coverage(second: 7, measuredSeconds: 7.4) - 0.4) < 1e-12)
        #expect(TimelinePoint.coverage(second: 8, measuredSeconds: 7.4) == 0)
        #expect(TimelinePoint.coverage(second: 2, measuredSeconds: 3) == 1)
    }

    @Test func aPartialLastSecondIsScaledToAFullSecondAndSaidSo() {
        let timeline = Self.perfectFlashSale().timeline
        let points = HTMLReport.ratePoints(timeline, \.requests)
        #expect(points.count == 8)
        #expect(abs((points.last?.y ?? 0) - 750) < 1e-9, "300 requests in 0.4 s: 750/s, not a drop to 300")
        #expect(points.dropLast().allSatisfy { $0.y == 1100 })
        let note = HTMLReport.partialSecondNote(timeline)
        #expect(note == "The last second (7s) covers 0.40s of the measured part: its requests/s and errors/s are scaled up to a full second.")
        #expect(HTMLReport.render(Self.perfectFlashSale()).contains("<p class=\"note\">The last second (7s) covers 0.40s"))
    }

    @Test func aSliverOfALastSecondIsLeftOutAndSaidSo() {
        var timeline = Self.perfectFlashSale().timeline
        timeline[7].covered = 0.05
        timeline[7].requests = 40
        let points = HTMLReport.ratePoints(timeline, \.requests)
        #expect(points.count == 7)
        #expect(HTMLReport.partialSecondNote(timeline)?.contains("too short to scale, it is left out of this chart") == true)
        // Whole seconds only: no note, every point as counted.
        let whole = Array(timeline.prefix(7))
        #expect(HTMLReport.partialSecondNote(whole) == nil)
        #expect(HTMLReport.ratePoints(whole, \.requests).count == 7)
    }

    // MARK: - Comparing

    @Test func comparingASmokeRunWithAFullOneWarns() throws {
        let full = JSONReport.render(Self.perfectFlashSale())
        let smoke = JSONReport.render(Self.perfectFlashSale(smoke: true))
        let mixed = try RunComparison(old: smoke, new: full)
        #expect(mixed.warnings == ["the old run is a smoke run (scaled down) and the new one a full run: their figures do not compare"])
        #expect(mixed.render().hasPrefix("warning: the old run is a smoke run"))
        #expect(try RunComparison(old: full, new: smoke).warnings.first?.hasPrefix("the new run is a smoke run") == true)
        #expect(try RunComparison(old: smoke, new: smoke).warnings == ["both runs are smoke runs (scaled down): their figures are no benchmark"])
        #expect(try RunComparison(old: full, new: full).warnings.isEmpty)
        #expect(!(try RunComparison(old: full, new: full).render().contains("warning")))
    }

    @Test func comparingTwoScenariosWarns() throws {
        var browse = Self.perfectFlashSale()
        browse.scenario = "browse"
        let comparison = try RunComparison(old: JSONReport.render(Self.perfectFlashSale()), new: JSONReport.render(browse))
        #expect(comparison.warnings == ["the runs are of two scenarios (old flash-sale, new browse): their figures do not compare"])
    }

    @Test func aVersion1ReportIsReadAsAFullRun() throws {
        let v1 = JSONReport.render(Self.perfectFlashSale()).replacingOccurrences(of: "\"version\": 2,", with: "\"version\": 1,")
            .replacingOccurrences(of: "\"smoke\": false,", with: "")
        #expect(!v1.contains("smoke"))
        #expect(try RunComparison(old: v1, new: JSONReport.render(Self.perfectFlashSale())).warnings.isEmpty)
        let smoke = JSONReport.render(Self.perfectFlashSale(smoke: true))
        #expect(try RunComparison(old: v1, new: smoke).warnings.count == 1)
    }

    @Test func gbloadCompareWarnsOnItsOutput() async throws {
        let smoke = try GBLoadProcess.scenarioFile(JSONReport.render(Self.perfectFlashSale(smoke: true)))
        let full = try GBLoadProcess.scenarioFile(JSONReport.render(Self.perfectFlashSale()))
        defer {
            try? FileManager.default.removeItem(atPath: smoke)
            try? FileManager.default.removeItem(atPath: full)
        }
        let result = try await GBLoadProcess.run(["compare", smoke, full])
        #expect(result.status == 0, "\(result.errorOutput)")
        #expect(result.output.hasPrefix("warning: the old run is a smoke run (scaled down) and the new one a full run"), "\(result.output)")
    }
}
