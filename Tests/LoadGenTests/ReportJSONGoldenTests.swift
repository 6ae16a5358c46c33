import Foundation
import Testing

@testable import LoadGen

/// The JSON report byte for byte: scripts diff reports, so the same run must always give the
/// same bytes. The files under Golden/ were written by the report as it was before it moved
/// onto StrictJSON's JSONValue and writer.
@Suite struct ReportJSONGoldenTests {
    static let cases: [(String, @Sendable () -> RunResult)] = [
        ("flash-sale", { ReportFixtures.flashSale() }),
        ("empty", { ReportFixtures.empty() }),
        ("everything", { ReportJSONGoldenTests.everything() }),
    ]

    /// Every optional part present, strings that need escapes, numbers JSON cannot spell.
    static func everything() -> RunResult {
        var result = ReportFixtures.flashSale(scenario: "odd \"name\"\n\t\\ \u{1}\u{2028}ünï")
        result.runID = "t3k9x2a"
        result.smoke = true
        result.targetRate = .nan
        result.warmupSeconds = -0.0
        result.iterationEndings = [
            IterationEnding(step: "start", answer: "sold-out", expected: true, count: 6000),
            IterationEnding(step: "pay", answer: "timeout", expected: false, count: 2),
        ]
        result.business = BusinessFigures(orders: 2000, orderSpanSeconds: 3.2879, groupsStarted: 2000, groupsSucceeded: 7, groupsFailed: 1)
        result.checks.append(CheckOutcome(name: "quote \" and \u{7f}", passed: true, detail: ""))
        return result
    }

    static func golden(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/report-\(name).json")
    }

    @Test(arguments: cases.map(\.0))
    func theReportIsTheSameBytesAsBefore(name: String) throws {
        let make = try #require(Self.cases.first { $0.0 == name }).1
        let expected = try String(contentsOf: Self.golden(name), encoding: .utf8)
        #expect(JSONReport.render(make()) == expected)
    }
}
