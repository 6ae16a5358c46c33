import HTTPCodec

/// One piece of a request as the renderer writes it: literal bytes fixed for the whole run
/// (deal ids and the run id are resolved when compiling), or a value of the iteration.
enum RenderPart: Sendable {
    case bytes([UInt8])
    case anyDealID
    /// A variable an earlier step saved (slot index).
    case saved(Int)
    case randomInt(ClosedRange<Int>)
    case userID(Int)
    /// `Authorization: Bearer <token>` value of the iteration's n-th buyer.
    case userToken(Int)
    case iteration
}

/// A step turned into render parts once per run, so sending it only copies bytes. A class:
/// the hot path reads it by reference instead of retaining each of its arrays.
final class CompiledStep: Sendable {
    /// Index into `CompiledScenario.stepNames`.
    let nameIndex: Int
    /// Index into `CompiledScenario.targets`.
    let target: Int
    let method: HTTPMethod
    /// Request line and header lines, up to (not including) Content-Length and the blank line.
    let head: [RenderPart]
    /// The body, if any.
    let body: [RenderPart]?
    /// Whether a Content-Length line is sent (bodies, and body-less POST/PUT/PATCH).
    let sendsContentLength: Bool
    /// Body length when the body has no dynamic parts.
    let constantBodyLength: Int?
    /// Bytes of the literal parts; dynamic parts are added at render time.
    let literalBytes: Int
    let chance: Double
    /// Variable slots this step reads: unset (skipped producer) → the step is skipped.
    let requiredSlots: [Int]
    /// Variable slot ← dotted path in a 2xx JSON answer.
    let saves: [(slot: Int, path: [String])]
    let expect: Expectation

    init(
        nameIndex: Int, target: Int, method: HTTPMethod, head: [RenderPart], body: [RenderPart]?, sendsContentLength: Bool,
        constantBodyLength: Int?, literalBytes: Int, chance: Double, requiredSlots: [Int], saves: [(slot: Int, path: [String])],
        expect: Expectation
    ) {
        self.nameIndex = nameIndex
        self.target = target
        self.method = method
        self.head = head
        self.body = body
        self.sendsContentLength = sendsContentLength
        self.constantBodyLength = constantBodyLength
        self.literalBytes = literalBytes
        self.chance = chance
        self.requiredSlots = requiredSlots
        self.saves = saves
        self.expect = expect
    }
}

struct CompiledFlow: Sendable {
    let name: String
    let weight: Int
    let steps: [CompiledStep]
}

/// Everything the drivers need from a scenario and its run context, shared read-only by all loops.
final class CompiledScenario: Sendable {
    let flows: [CompiledFlow]
    /// Cumulative flow weights, for a weighted pick.
    let cumulativeWeights: [Int]
    /// Distinct step names in the order they first appear.
    let stepNames: [String]
    /// Variable names by slot.
    let variables: [String]
    /// 0: the service; 1: the provider (when configured).
    let targets: [Endpoint]
    let users: [(id: [UInt8], token: [UInt8])]
    let usersPerIteration: Int
    let allDealIDs: [Int64]

    init(scenario: Scenario, context: RunContext) throws(LoadRunnerError) {
        var stepNames: [String] = []
        var variables: [String] = []
        func slot(_ name: String) -> Int {
            if let index = variables.firstIndex(of: name) { return index }
            variables.append(name)
            return variables.count - 1
        }
        var targets = [context.service]
        if let provider = context.provider { targets.append(provider) }
        let adminToken = context.adminToken
        var flows: [CompiledFlow] = []
        for flow in scenario.flows {
            var steps: [CompiledStep] = []
            for step in flow.steps {
                if !stepNames.contains(step.name) { stepNames.append(step.name) }
                let targetIndex: Int
                switch step.target {
                case .service: targetIndex = 0
                case .provider:
                    guard context.provider != nil else {
                        throw LoadRunnerError("step '\(step.name)' (line \(step.line)) targets the provider, but none is configured")
                    }
                    targetIndex = 1
                }
                steps.append(try Self.compile(
                    step, nameIndex: stepNames.firstIndex(of: step.name)!, target: targetIndex, endpoint: targets[targetIndex],
                    adminToken: adminToken, context: context, slot: slot
                ))
            }
            flows.append(CompiledFlow(name: flow.name, weight: max(0, flow.weight), steps: steps))
        }
        guard flows.contains(where: { $0.weight > 0 && !$0.steps.isEmpty }) else {
            throw LoadRunnerError("the scenario has no flow with steps and a positive weight")
        }
        var cumulative: [Int] = []
        var total = 0
        for flow in flows {
            total += flow.steps.isEmpty ? 0 : flow.weight
            cumulative.append(total)
        }
        self.flows = flows
        self.cumulativeWeights = cumulative
        self.stepNames = stepNames
        self.variables = variables
        self.targets = targets
        self.users = context.users.map { (Array($0.id.utf8), Array($0.token.utf8)) }
        self.usersPerIteration = max(1, scenario.usersPerIteration)
        self.allDealIDs = context.dealIDs.keys.sorted().flatMap { context.dealIDs[$0]! }
    }

    var totalWeight: Int { cumulativeWeights.last ?? 0 }

    private static func compile(
        _ step: Step, nameIndex: Int, target: Int, endpoint: Endpoint, adminToken: String, context: RunContext, slot: (String) -> Int
    ) throws(LoadRunnerError) -> CompiledStep {
        var builder = PartsBuilder()
        var required: [Int] = []
        func template(_ template: Template, into builder: inout PartsBuilder) throws(LoadRunnerError) {
            for part in template.parts {
                switch part {
                case .literal(let text): builder.literal(text)
                case .dealID(let name):
                    guard let id = context.dealIDs[name]?.first else {
                        throw LoadRunnerError("step '\(step.name)' (line \(step.line)) uses deal '\(name)', which setup did not create")
                    }
                    builder.literal(String(id))
                case .anyDealID:
                    guard !context.dealIDs.values.allSatisfy(\.isEmpty) else {
                        throw LoadRunnerError("step '\(step.name)' (line \(step.line)) uses ${deal.any}, but there are no deals")
                    }
                    builder.dynamic(.anyDealID)
                case .saved(let name):
                    let index = slot(name)
                    if !required.contains(index) { required.append(index) }
                    builder.dynamic(.saved(index))
                case .randomInt(let range): builder.dynamic(.randomInt(range))
                case .userID(let n):
                    guard !context.users.isEmpty else { throw LoadRunnerError("step '\(step.name)' (line \(step.line)) needs users") }
                    builder.dynamic(.userID(n))
                case .runID: builder.literal(context.runID)
                case .iteration: builder.dynamic(.iteration)
                }
            }
        }
        guard let method = HTTPMethod.allCases.first(where: { $0 != .other && $0.description == step.method }) else {
            throw LoadRunnerError("step '\(step.name)' (line \(step.line)): unknown method '\(step.method)'")
        }
        builder.literal(step.method)
        builder.literal(" ")
        try template(step.path, into: &builder)
        builder.literal(" HTTP/1.1\r\n")
        let names = Set(step.headers.map { $0.name.lowercased() })
        if !names.contains("host") { builder.literal("Host: \(endpoint.host)\r\n") }
        if !names.contains("authorization") {
            switch (target, step.actor) {
            case (0, .buyer(let n)):
                guard !context.users.isEmpty else { throw LoadRunnerError("step '\(step.name)' (line \(step.line)) acts as a buyer, but there are no users") }
                builder.literal("Authorization: Bearer ")
                builder.dynamic(.userToken(n))
                builder.literal("\r\n")
            case (0, .admin):
                builder.literal("Authorization: Bearer \(adminToken)\r\n")
            default:
                if let bearer = endpoint.bearer { builder.literal("Authorization: Bearer \(bearer)\r\n") }
            }
        }
        if step.body != nil && !names.contains("content-type") { builder.literal("Content-Type: application/json\r\n") }
        for header in step.headers {
            let lowered = header.name.lowercased()
            if lowered == "content-length" || lowered == "transfer-encoding" { continue }
            builder.literal("\(header.name): ")
            try template(header.value, into: &builder)
            builder.literal("\r\n")
        }
        let head = builder.finish()
        var body: [RenderPart]?
        var constantBodyLength: Int?
        var literalBytes = builder.literalBytes
        if let bodyTemplate = step.body {
            var bodyBuilder = PartsBuilder()
            try template(bodyTemplate, into: &bodyBuilder)
            let parts = bodyBuilder.finish()
            body = parts
            literalBytes += bodyBuilder.literalBytes
            if parts.allSatisfy({ if case .bytes = $0 { true } else { false } }) { constantBodyLength = bodyBuilder.literalBytes }
        }
        let sendsContentLength = body != nil || method == .post || method == .put || method == .patch
        let saves = step.saves.map { (slot: slot($0.variable), path: $0.path.split(separator: ".").map(String.init)) }
        return CompiledStep(
            nameIndex: nameIndex, target: target, method: method, head: head, body: body, sendsContentLength: sendsContentLength,
            constantBodyLength: constantBodyLength, literalBytes: literalBytes + 64, chance: step.chance, requiredSlots: required,
            saves: saves, expect: step.expect
        )
    }
}

/// Joins adjacent literals into one byte run.
struct PartsBuilder {
    private var parts: [RenderPart] = []
    private var pending: [UInt8] = []
    private(set) var literalBytes = 0

    mutating func literal(_ text: String) {
        pending += Array(text.utf8)
        literalBytes += text.utf8.count
    }

    mutating func dynamic(_ part: RenderPart) {
        flush()
        parts.append(part)
    }

    mutating func finish() -> [RenderPart] {
        flush()
        return parts
    }

    private mutating func flush() {
        if !pending.isEmpty { parts.append(.bytes(pending)) }
        pending = []
    }
}

/// A run that cannot start: the scenario and context do not fit together, or the loops failed.
public struct LoadRunnerError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
