import Suggestions
import Testing

@Suite struct SuggestionTests {
    @Test(arguments: [
        ("GROUPBUY_SERVER_PROT", "GROUPBUY_SERVER_PORT"),
        ("prot", "port"),
        ("usersPerIteration", "users_per_iteration"),
        ("deal", "deals"),
    ])
    func aTypoGetsTheClosestKnownName(typed: String, meant: String) {
        let known = ["GROUPBUY_SERVER_PORT", "GROUPBUY_SERVER_HOST", "port", "host", "users_per_iteration", "deals", "orders"]
        #expect(Suggestion.closest(to: typed, among: known) == meant)
        #expect(Suggestion.hint(for: typed, among: known) == " (did you mean `\(meant)`?)")
    }

    @Test func aNameFarFromEveryKnownOneGetsNoSuggestion() {
        #expect(Suggestion.closest(to: "completely_different", among: ["port", "host"]) == nil)
        #expect(Suggestion.hint(for: "xyz", among: []) == "")
    }

    @Test func aSwapOfNeighboursIsOneEdit() {
        #expect(Suggestion.distance("prot", "port") == 1)
        #expect(Suggestion.distance("port", "port") == 0)
        #expect(Suggestion.distance("", "abc") == 3)
    }
}
