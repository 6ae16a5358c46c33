import Testing

@testable import LoadGen

@Suite struct ReportUnitsTests {
    @Test(arguments: [
        (UInt64(0), "0µs"), (1, "1µs"), (999, "999µs"), (1_000, "1.00ms"), (1_210, "1.21ms"), (999_994, "999.99ms"),
        (999_996, "1.00s"), (1_000_000, "1.00s"), (1_500_000, "1.50s"), (61_000_000, "61.00s"),
    ])
    func latencyInHumanUnits(microseconds: UInt64, expected: String) {
        #expect(Units.latency(microseconds) == expected)
    }

    @Test(arguments: [
        (3.14159, 2, "3.14"), (0.07, 2, "0.07"), (12.0, 0, "12"), (0.5, 0, "1"), (-0.001, 2, "0.00"), (-2.5, 1, "-2.5"),
        (100.0, 1, "100.0"), (Double.nan, 2, "0"), (Double.infinity, 1, "0"),
    ])
    func fixedDecimalsWithoutExponent(value: Double, decimals: Int, expected: String) {
        #expect(Units.fixed(value, decimals: decimals) == expected)
    }

    @Test func percentOfNothingIsZero() {
        #expect(Units.percent(Units.ratio(0, 0)) == "0.00%")
        #expect(Units.percent(Units.ratio(5, 1000)) == "0.50%")
        #expect(Units.percent(0.0123) == "1.23%")
    }

    @Test func rfc3339InUTC() {
        #expect(Units.rfc3339(secondsSince1970: 0) == "1970-01-01T00:00:00.000Z")
        #expect(Units.rfc3339(secondsSince1970: 1_738_324_800.5) == "2025-01-31T12:00:00.500Z")
        #expect(Units.rfc3339(secondsSince1970: 951_782_400) == "2000-02-29T00:00:00.000Z")
    }

    @Test func latencyTickLabelsShareTheLargestTicksUnit() {
        #expect(Units.latencyTickLabels([0, 500, 1_000, 1_500]) == ["0", "0.5ms", "1ms", "1.5ms"])
        #expect(Units.latencyTickLabels([0, 200, 400]) == ["0", "200µs", "400µs"])
        #expect(Units.latencyTickLabels([0, 1_000_000, 2_000_000]) == ["0", "1s", "2s"])
    }

    @Test func logAxisLabelsUseEachTicksOwnUnit() {
        #expect([100, 1_000, 10_000, 1_500_000].map(Units.compactLatency) == ["100µs", "1ms", "10ms", "1.5s"])
    }

    @Test func niceLinearTicksCoverTheRange() {
        #expect(NiceTicks.linear(0, 4_998) == [0, 1_000, 2_000, 3_000, 4_000, 5_000])
        #expect(NiceTicks.linear(0, 1).map(Units.compact) == ["0", "0.2", "0.4", "0.6", "0.8", "1"])
        // An empty range still gets an axis.
        #expect(NiceTicks.linear(5, 5).map(Units.compact) == ["5", "5.2", "5.4", "5.6", "5.8", "6"])
        #expect(NiceTicks.linear(0, 37, count: 8) == [0, 5, 10, 15, 20, 25, 30, 35, 40])
    }

    @Test func logTicksArePowersOfTen() {
        #expect(NiceTicks.log10(300, 120_000) == [100, 1_000, 10_000, 100_000, 1_000_000])
        #expect(NiceTicks.log10(300, 5_000) == [100, 200, 500, 1_000, 2_000, 5_000, 10_000])
    }

    @Test func htmlEscapesMarkupCharacters() {
        #expect(HTML.escape("<script>&\"'") == "&lt;script&gt;&amp;&quot;&#39;")
    }
}
