import Foundation
import Testing

@testable import LoadGen

@Suite struct ReportJSONTests {
    let json = JSONReport.render(ReportFixtures.flashSale())

    private func parse(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any])
    }

    @Test func topLevelKeysAreTheDocumentedOnesInOrder() throws {
        let keys = [
            "format", "version", "scenario", "run_id", "smoke", "mode", "target_rate", "virtual_users", "started_at", "started_at_epoch",
            "measured_seconds", "warmup_seconds", "passed", "error_rate", "iterations", "business", "overall", "steps", "latency_distribution",
            "timeline", "checks",
        ]
        let document = try parse(json)
        #expect(Set(document.keys) == Set(keys))
        let positions = keys.map { json.range(of: "\n  \"\($0)\": ")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
    }

    @Test func headerFigures() throws {
        let document = try parse(json)
        #expect(document["format"] as? String == "gbload-report")
        #expect(document["version"] as? Int == 2)
        #expect(document["scenario"] as? String == "flash-sale")
        #expect(document["mode"] as? String == "open")
        #expect(document["target_rate"] as? Double == 50)
        #expect(document["virtual_users"] is NSNull)
        #expect(document["started_at"] as? String == "2025-01-31T12:00:00.500Z")
        #expect(document["started_at_epoch"] as? Double == 1_738_324_800.5)
        #expect(document["measured_seconds"] as? Double == 10)
        #expect(document["passed"] as? Bool == false)
        #expect(document["error_rate"] as? Double == 7.0 / 1102.0)
        let iterations = try #require(document["iterations"] as? [String: Any])
        #expect(iterations["started"] as? Int == 100 && iterations["completed"] as? Int == 98 && iterations["unfinished"] as? Int == 2)
        #expect((iterations["ended_early"] as? [Any])?.isEmpty == true)
        #expect(document["run_id"] is NSNull && document["business"] is NSNull)
        #expect(document["smoke"] as? Bool == false)
    }

    @Test func stepFiguresInMicroseconds() throws {
        let document = try parse(json)
        let steps = try #require(document["steps"] as? [[String: Any]])
        #expect(steps.map { $0["name"] as? String } == ["start", "pay"])
        let start = steps[0]
        #expect(start["requests"] as? Int == 1000)
        #expect(start["errors"] as? Int == 5)
        #expect(start["error_rate"] as? Double == 0.005)
        #expect(start["throughput"] as? Double == 100)
        #expect(start["latency"] as? [String: Int] == ["count": 1000, "p50": 500, "p90": 900, "p99": 990, "p99_9": 999, "max": 1000, "mean": 501])
        #expect(start["statuses"] as? [String: Int] == ["201": 900, "409": 95, "500": 5])
        #expect(start["problem_types"] as? [String: Int] == ["sold-out": 95, "-": 5])
        #expect(start["transport_errors"] as? [String: Int] == [:])
        #expect(steps[1]["transport_errors"] as? [String: Int] == ["reset": 2])

        let overall = try #require(document["overall"] as? [String: Any])
        #expect(overall["name"] as? String == "all")
        #expect(overall["requests"] as? Int == 1102)
        let latency = try #require(overall["latency"] as? [String: Int])
        #expect(latency["p50"] == 550)
        // 1.5 s recorded with 3 significant digits: the top of its bucket, within 0.1%.
        #expect(try #require(latency["max"]) >= 1_500_000 && latency["max"]! <= 1_501_500)
    }

    @Test func statusKeysAreInNumericOrder() {
        let statuses = json.range(of: "\"statuses\": {\"201\": 900, \"409\": 95, \"500\": 5}")
        #expect(statuses != nil)
    }

    @Test func distributionRisesToTheMax() throws {
        let document = try parse(json)
        let points = try #require(document["latency_distribution"] as? [[String: Any]])
        let percentiles = points.compactMap { ($0["percentile"] as? NSNumber)?.doubleValue }
        let values = points.compactMap { $0["value_us"] as? Int }
        let counts = points.compactMap { $0["count"] as? Int }
        #expect(percentiles.count == points.count && values.count == points.count && counts.count == points.count)
        #expect(percentiles.first == 0 && percentiles.last == 100)
        #expect(values.first == 1)
        #expect(counts.last == 1100)
        #expect(percentiles == percentiles.sorted() && values == values.sorted() && counts == counts.sorted())
        // 5 ticks per half distance reach past 99.9% for 1100 values.
        #expect(percentiles.contains { $0 > 99.9 && $0 < 100 })
        let overall = try #require(document["overall"] as? [String: Any])
        #expect(values.last == (overall["latency"] as? [String: Int])?["max"])
    }

    @Test func timelineAndChecks() throws {
        let document = try parse(json)
        let timeline = try #require(document["timeline"] as? [[String: Int]])
        #expect(timeline.count == 10)
        #expect(timeline[4] == ["second": 4, "requests": 110, "errors": 7, "p50_us": 500, "p99_us": 990, "max_us": 1000, "in_flight": 3, "covered_seconds": 1])
        let checks = try #require(document["checks"] as? [[String: Any]])
        #expect(checks.map { $0["name"] as? String } == ["no-oversell", "error-rate"])
        #expect(checks.map { $0["passed"] as? Bool } == [true, false])
        #expect(checks[1]["detail"] as? String == "0.64% > 0.50%")
    }

    @Test func renderingIsDeterministic() {
        #expect(JSONReport.render(ReportFixtures.flashSale()) == json)
    }

    @Test func emptyRunIsValidWithoutNaN() throws {
        let text = JSONReport.render(ReportFixtures.empty())
        let document = try parse(text)
        #expect(document["error_rate"] as? Double == 0)
        #expect(document["latency_distribution"] as? [Any] != nil)
        #expect((document["latency_distribution"] as? [Any])?.isEmpty == true)
        #expect(document["target_rate"] is NSNull)
        #expect(document["virtual_users"] as? Int == 10)
        #expect(!text.lowercased().contains("nan") && !text.lowercased().contains("inf"))
    }

    @Test func stringsAreEscaped() throws {
        var result = ReportFixtures.flashSale(scenario: "quote\" back\\slash\nnew\u{1}line")
        result.checks = [CheckOutcome(name: "tab\there", passed: true, detail: "é ✓")]
        let document = try parse(JSONReport.render(result))
        #expect(document["scenario"] as? String == "quote\" back\\slash\nnew\u{1}line")
        #expect((document["checks"] as? [[String: Any]])?.first?["detail"] as? String == "é ✓")
    }
}
