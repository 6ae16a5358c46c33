/// A load-test scenario as read from a file in loadtest/scenarios/ (format: loadtest/scenarios/README.md).
///
/// What to create before the run (users, deals, provider knobs), what to send (flows of
/// steps), how hard (the load profile), and what must hold afterwards (settle and checks).
/// `ScenarioParser` makes one from YAML and has checked every reference in it: deal names
/// used by templates exist, saved variables are saved by an earlier step, targets are known.
public struct Scenario: Sendable {
    public var name: String
    public var description: String
    /// Buyer ids created for the run (tokens issued through the admin API), used round-robin.
    public var users: Int
    /// How many distinct buyers one iteration acts as (`as: 0`, `as: 1`, …).
    public var usersPerIteration: Int
    public var deals: [DealSpec]
    /// Settings posted to psp-sandbox's `/_sandbox/config` before the run (JSON object text), if any.
    public var sandboxConfig: String?
    /// Flows chosen per iteration by weight.
    public var flows: [Flow]
    public var load: LoadProfile
    public var settle: SettleSpec
    public var checks: CheckSpec
    /// Scaled down by `scaledForSmoke()`: reports mark the run as a smoke run.
    public var smoke = false

    public init(
        name: String, description: String, users: Int, usersPerIteration: Int, deals: [DealSpec], sandboxConfig: String?,
        flows: [Flow], load: LoadProfile, settle: SettleSpec, checks: CheckSpec
    ) {
        self.name = name
        self.description = description
        self.users = users
        self.usersPerIteration = usersPerIteration
        self.deals = deals
        self.sandboxConfig = sandboxConfig
        self.flows = flows
        self.load = load
        self.settle = settle
        self.checks = checks
    }

    /// Whether any step talks to the payment provider (the run then needs `--psp-url`).
    public var usesProvider: Bool {
        sandboxConfig != nil || flows.contains { $0.steps.contains { $0.target == .provider } }
    }
}

/// A deal the scenario creates through `POST /v1/admin/deals`.
public struct DealSpec: Sendable, Equatable {
    /// The name templates use: `${deal.hot}`.
    public var name: String
    public var stock: Int
    public var groupSize: Int
    public var perUserLimit: Int
    public var groupPrice: Int
    public var listPrice: Int
    /// The sale window ends this long after setup. Groups expire at the window's end at the
    /// latest, which is how a scenario gets short group time limits (the minimum limit is 60 s).
    public var endsIn: Duration
    /// How many copies to create (`${deal.any}` picks among all of them); names get `-1`, `-2`, ….
    public var copies: Int

    public init(name: String, stock: Int, groupSize: Int, perUserLimit: Int, groupPrice: Int, listPrice: Int, endsIn: Duration, copies: Int) {
        self.name = name
        self.stock = stock
        self.groupSize = groupSize
        self.perUserLimit = perUserLimit
        self.groupPrice = groupPrice
        self.listPrice = listPrice
        self.endsIn = endsIn
        self.copies = copies
    }
}

/// A sequence of steps one iteration runs back to back.
public struct Flow: Sendable {
    public var name: String
    /// Relative weight among the scenario's flows (mixed scenarios).
    public var weight: Int
    public var steps: [Step]

    public init(name: String, weight: Int, steps: [Step]) {
        self.name = name
        self.weight = weight
        self.steps = steps
    }
}

/// Where a step's request goes.
public enum Target: String, Sendable, Equatable {
    /// The GroupBuy service (`--url`).
    case service
    /// The payment provider (`--psp-url`, psp-sandbox), authorised with `--psp-key`.
    case provider
}

/// Whose bearer token a service request carries.
public enum Actor: Sendable, Equatable {
    case anonymous
    /// The iteration's n-th buyer (0-based, < `usersPerIteration`).
    case buyer(Int)
    case admin
}

/// One request of a flow.
///
/// An iteration goes on to its next step only after a 2xx answer: any other answer, expected
/// or not, ends the iteration (later steps usually need what this one would have saved).
public struct Step: Sendable {
    /// The name results are reported under (steps of one name share a histogram).
    public var name: String
    public var target: Target
    public var actor: Actor
    public var method: String
    /// Origin-form path, e.g. `/v1/groups/${group}/join`.
    public var path: Template
    public var headers: [(name: String, value: Template)]
    public var body: Template?
    /// Probability in 0...1 that the step runs at all; a skipped step saves nothing, and any
    /// later step that uses one of its variables is skipped too.
    public var chance: Double
    /// Variables to take from a 2xx JSON answer: name → dotted path (`order.id`).
    public var saves: [(variable: String, path: String)]
    public var expect: Expectation
    /// Line in the scenario file (for messages).
    public var line: Int

    public init(
        name: String, target: Target, actor: Actor, method: String, path: Template, headers: [(name: String, value: Template)], body: Template?,
        chance: Double, saves: [(variable: String, path: String)], expect: Expectation, line: Int
    ) {
        self.name = name
        self.target = target
        self.actor = actor
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.chance = chance
        self.saves = saves
        self.expect = expect
        self.line = line
    }
}

/// Which answers count as success for the error rate: listed status codes, and problem types
/// by their last path segment (`sold-out`). Empty means "any 2xx".
public struct Expectation: Sendable, Equatable {
    public var statuses: Set<Int>
    public var problemTypes: Set<String>

    public init(statuses: Set<Int> = [], problemTypes: Set<String> = []) {
        self.statuses = statuses
        self.problemTypes = problemTypes
    }

    public func accepts(status: Int, problemType: String?) -> Bool {
        if statuses.isEmpty && problemTypes.isEmpty { return (200..<300).contains(status) }
        if statuses.contains(status) { return true }
        if let problemType, problemTypes.contains(problemType) { return true }
        return false
    }
}

/// Text with `${…}` references, resolved for each request.
public struct Template: Sendable, Equatable {
    public var parts: [TemplatePart]

    public init(_ parts: [TemplatePart]) {
        self.parts = parts
    }

    public static func literal(_ text: String) -> Template { Template([.literal(text)]) }
}

public enum TemplatePart: Sendable, Equatable {
    case literal(String)
    /// `${deal.NAME}`: the id of the scenario's deal (its first copy).
    case dealID(String)
    /// `${deal.any}`: the id of a deal picked at random among all the scenario created.
    case anyDealID
    /// `${NAME}`: a variable an earlier step of the iteration saved.
    case saved(String)
    /// `${random(A,B)}`: an integer drawn uniformly in A...B.
    case randomInt(ClosedRange<Int>)
    /// `${user.N}`: the id of the iteration's n-th buyer.
    case userID(Int)
    /// `${run}`: this run's unique id (for Idempotency-Keys that must not collide across runs).
    case runID
    /// `${iteration}`: a number unique to the iteration within the run.
    case iteration
}

/// How requests are paced.
public struct LoadProfile: Sendable, Equatable {
    public enum Mode: Sendable, Equatable {
        /// Iterations start at a given arrival rate whatever the server does; latency is
        /// measured from each request's intended send time (no coordinated omission).
        case open(RateSchedule)
        /// `vus` virtual users each run iterations back to back.
        case closed(vus: Int)
    }

    public var mode: Mode
    /// Run before measuring; its requests are not in the results.
    public var warmup: Duration
    /// The measured part (open mode with steps: the sum of the steps).
    public var duration: Duration
    /// Open: the rate rises linearly from zero over this time. Closed: VUs start spread over it.
    public var ramp: Duration
    /// Requests on the wire at most (open mode: due requests wait beyond it, their clock running).
    public var maxInFlight: Int
    /// A request not answered this long after its intended send time is a timeout.
    public var timeout: Duration
    /// Stop starting iterations after this many (nil: until the duration ends).
    public var iterations: Int?

    public init(mode: Mode, warmup: Duration, duration: Duration, ramp: Duration, maxInFlight: Int, timeout: Duration, iterations: Int?) {
        self.mode = mode
        self.warmup = warmup
        self.duration = duration
        self.ramp = ramp
        self.maxInFlight = maxInFlight
        self.timeout = timeout
        self.iterations = iterations
    }
}

/// Arrival rates over time: one constant rate, or steps held one after another.
public struct RateSchedule: Sendable, Equatable {
    public struct Stage: Sendable, Equatable {
        /// Iterations started per second.
        public var rate: Double
        public var duration: Duration

        public init(rate: Double, duration: Duration) {
            self.rate = rate
            self.duration = duration
        }
    }

    public var stages: [Stage]

    public init(stages: [Stage]) {
        self.stages = stages
    }
}

/// Waiting after the load for the service's background work to finish.
public struct SettleSpec: Sendable, Equatable {
    /// Wait until every scenario deal's sale window has ended (so its groups have expired).
    public var untilDealsEnd: Bool
    /// Give up (and fail the run) when not settled by then.
    public var timeout: Duration

    public init(untilDealsEnd: Bool, timeout: Duration) {
        self.untilDealsEnd = untilDealsEnd
        self.timeout = timeout
    }
}

/// What must hold after the run, beyond the invariants every run checks.
public struct CheckSpec: Sendable, Equatable {
    /// Unexpected answers (and transport errors) over all requests, at most.
    public var maxErrorRate: Double
    /// Deals that must end with every unit taken: reserved + sold == total, none available.
    public var soldOut: [String]
    /// At least this many groups of the scenario's deals succeeded / failed.
    public var minGroupsSucceeded: Int
    public var minGroupsFailed: Int

    public init(maxErrorRate: Double, soldOut: [String], minGroupsSucceeded: Int, minGroupsFailed: Int) {
        self.maxErrorRate = maxErrorRate
        self.soldOut = soldOut
        self.minGroupsSucceeded = minGroupsSucceeded
        self.minGroupsFailed = minGroupsFailed
    }
}
