import LoadGen
import Testing

@Suite struct ExpectationTests {
    @Test func emptyExpectationAcceptsOnly2xx() {
        let expect = Expectation()
        #expect(expect.accepts(status: 201, problemType: nil))
        #expect(!expect.accepts(status: 409, problemType: "sold-out"))
    }

    @Test func listedStatusesAndProblemTypesAreAccepted() {
        let expect = Expectation(statuses: [201], problemTypes: ["sold-out"])
        #expect(expect.accepts(status: 201, problemType: nil))
        #expect(expect.accepts(status: 409, problemType: "sold-out"))
        #expect(!expect.accepts(status: 409, problemType: "group-full"))
        #expect(!expect.accepts(status: 200, problemType: nil))
    }
}
