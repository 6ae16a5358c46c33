import LoadGen
import Testing

/// Each broken file gives one error naming the right line and saying what was expected.
@Suite struct ScenarioErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let label: String
        let text: String
        let line: Int
        /// Pieces the message must contain.
        let says: [String]
        var environment: [String: String] = [:]
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(
            label: "YAML syntax error", text: "name: x\nsteps:\n  - request: GET /v1/deals\n    as: [0\n", line: 5, says: ["YAML syntax"]
        ),
        Case(
            label: "unknown top-level key", text: "name: x\nuser_count: 3\nsteps: [{request: GET /v1/deals}]\n", line: 2,
            says: ["unknown key `user_count`", "`users`"]
        ),
        Case(
            label: "unknown step key with did-you-mean", text: "steps:\n  - request: GET /v1/deals\n    expected: 200\n", line: 3,
            says: ["unknown key `expected` in `steps[0]`", "did you mean `expect`?"]
        ),
        Case(
            label: "camelCase key", text: "usersPerIteration: 2\nsteps: [{request: GET /v1/deals}]\n", line: 1,
            says: ["did you mean `users_per_iteration`?"]
        ),
        Case(
            label: "unknown deal in a template",
            text: "deals:\n  hot: {stock: 10}\nsteps:\n  - request: POST /v1/groups\n    as: 0\n    body: '{\"dealId\": ${deal.hto}}'\n", line: 6,
            says: ["unknown deal `hto`", "did you mean `hot`?", "`hot`"]
        ),
        Case(
            label: "unknown deal in a block body, on its own line",
            text: "deals: {hot: {}}\nsteps:\n  - request: POST /v1/groups\n    body: |\n      {\n        \"dealId\": ${deal.cold}\n      }\n", line: 6,
            says: ["unknown deal `cold`"]
        ),
        Case(
            label: "variable used before it is saved",
            text: """
                steps:
                  - request: POST /v1/orders/${order}/pay
                    as: 0
                  - request: POST /v1/groups
                    as: 0
                    save: { order: order.id }
                """,
            line: 2, says: ["`${order}` is not saved by an earlier step", "no step before saves anything"]
        ),
        Case(
            label: "variable saved in another flow",
            text: """
                flows:
                  - name: a
                    steps: [{request: POST /v1/groups, as: 0, save: {group: group.id}}]
                  - name: b
                    steps: [{request: 'POST /v1/groups/${group}/join', as: 0}]
                """,
            line: 5, says: ["`${group}` is not saved by an earlier step of this flow"]
        ),
        Case(
            label: "bad duration", text: "load:\n  vus: 4\n  duration: 10 seconds\nsteps: [{request: GET /v1/deals}]\n", line: 3,
            says: ["`load.duration` must be a duration such as `500ms`", "found `10 seconds`"]
        ),
        Case(
            label: "missing request", text: "steps:\n  - name: start\n    as: 0\n", line: 2,
            says: ["`steps[0]` needs `request`"]
        ),
        Case(label: "no steps at all", text: "name: x\n", line: 1, says: ["needs `steps`", "or `flows`"]),
        Case(
            label: "as beyond users_per_iteration", text: "users_per_iteration: 2\nsteps:\n  - request: POST /v1/groups\n    as: 2\n", line: 4,
            says: ["buyer 2", "`users_per_iteration` is 2"]
        ),
        Case(
            label: "as is not a buyer", text: "steps:\n  - request: GET /v1/deals\n    as: alice\n", line: 3,
            says: ["`steps[0].as` must be a buyer number (0, 1, …), `admin` or `anonymous`", "found `alice`"]
        ),
        Case(
            label: "unknown environment variable", text: "steps:\n  - request: GET /v1/deals\n    headers:\n      X-Tag: ${env.GBLOAD_TAG}\n", line: 4,
            says: ["environment variable `GBLOAD_TAG` is not set"]
        ),
        Case(
            label: "unknown method", text: "steps:\n  - request: FETCH /v1/deals\n", line: 2, says: ["unknown method `FETCH`", "`GET`"]
        ),
        Case(
            label: "path without slash", text: "steps:\n  - request: GET v1/deals\n", line: 2, says: ["must start with `/`"]
        ),
        Case(
            label: "rate zero", text: "load: {mode: open, rate: 0}\nsteps: [{request: GET /v1/deals}]\n", line: 1, says: ["`load.rate` must be greater than 0"]
        ),
        Case(
            label: "weight zero",
            text: "flows:\n  - name: a\n    weight: 0\n    steps: [{request: GET /v1/deals}]\n", line: 3, says: ["`flows[0].weight` must be in 1...1000000"]
        ),
        Case(
            label: "body as a mapping", text: "steps:\n  - request: POST /v1/groups\n    body: {dealId: 1}\n", line: 3, says: ["`steps[0].body` must be text"]
        ),
        Case(
            label: "unknown problem type", text: "steps:\n  - request: POST /v1/groups\n    expect: [201, sold_out]\n", line: 3,
            says: ["unknown problem type `sold_out`", "did you mean `sold-out`?"]
        ),
        Case(
            label: "sold_out check of a missing deal", text: "deals: {hot: {}}\nsteps: [{request: GET /v1/deals}]\nchecks:\n  sold_out: [cold]\n", line: 4,
            says: ["`checks.sold_out` names `cold`"]
        ),
        Case(
            label: "rate in closed mode", text: "load:\n  vus: 4\n  mode: closed\n  rate: 10\nsteps: [{request: GET /v1/deals}]\n", line: 4,
            says: ["`load.rate` is for open mode"]
        ),
        Case(
            label: "unknown sandbox knob", text: "sandbox:\n  duplicates: 3\nsteps: [{request: GET /v1/deals}]\n", line: 2,
            says: ["unknown key `duplicates` in `sandbox`", "did you mean `duplicate`?"]
        ),
        Case(
            label: "unclosed reference", text: "steps:\n  - request: GET /v1/deals/${deal.hot\n", line: 2, says: ["`${` is not closed"]
        ),
        Case(
            label: "duplicate key", text: "steps: [{request: GET /v1/deals}]\nname: a\nname: b\n", line: 3, says: ["`name`", "twice"]
        ),
        Case(
            label: "list price below price", text: "deals:\n  hot: {price: 2000, list_price: 1000}\nsteps: [{request: GET /v1/deals}]\n", line: 2,
            says: ["`list_price` 1000 is below `price` 2000"]
        ),
        Case(
            label: "as on a provider step", text: "steps:\n  - request: POST /v1/payment_intents/x/confirm\n    target: provider\n    as: 0\n", line: 4,
            says: ["provider", "leave out `as`"]
        ),
    ]

    @Test(arguments: cases) func namesTheLineAndWhatIsWrong(_ example: Case) throws {
        let error = try #require(scenarioError(example.text, environment: example.environment), "\(example.label) parsed")
        #expect(error.file == "test.yaml")
        #expect(error.line == example.line, "\(error)")
        for piece in example.says {
            #expect(error.message.contains(piece), "\(error) does not say \(piece)")
        }
        #expect(error.description == "test.yaml:\(error.line): \(error.message)")
    }

    @Test func theEnvironmentFillsEnvReferences() throws {
        let text = "steps:\n  - request: GET /v1/deals\n    headers:\n      X-Tag: ${env.GBLOAD_TAG}\n"
        let step = try ScenarioParser.parse(text, file: "t.yaml", environment: ["GBLOAD_TAG": "nightly"]).flows[0].steps[0]
        #expect(step.headers[0].value == .literal("nightly"))
    }
}
