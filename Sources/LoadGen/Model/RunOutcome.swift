/// Iterations that ended before their last step, by the step and the answer that ended them
/// (the iteration rule: a step that is not answered 2xx ends its iteration).
public struct IterationEnding: Sendable, Equatable {
    /// The step's name.
    public var step: String
    /// A problem type (`sold-out`), a status code (`500`) or a transport error (`timeout`).
    public var answer: String
    /// The step's `expect` accepts the answer (sold-out in a flash sale): the scenario meant it.
    public var expected: Bool
    public var count: Int

    public init(step: String, answer: String, expected: Bool, count: Int) {
        self.step = step
        self.answer = answer
        self.expected = expected
        self.count = count
    }
}

/// What the run did to the business, read from the database after settling, for the run's
/// deals: the figures the scenario files point at (orders/s, groups/s).
public struct BusinessFigures: Sendable, Equatable {
    /// Orders placed (every status).
    public var orders: Int
    /// From the first order to the last; nil with fewer than two orders.
    public var orderSpanSeconds: Double?
    public var groupsStarted: Int
    public var groupsSucceeded: Int
    public var groupsFailed: Int

    public init(orders: Int, orderSpanSeconds: Double?, groupsStarted: Int, groupsSucceeded: Int, groupsFailed: Int) {
        self.orders = orders
        self.orderSpanSeconds = orderSpanSeconds
        self.groupsStarted = groupsStarted
        self.groupsSucceeded = groupsSucceeded
        self.groupsFailed = groupsFailed
    }

    /// Orders over `measuredSeconds` (0 without a measured part).
    public func ordersPerSecond(measuredSeconds: Double) -> Double {
        measuredSeconds > 0 ? Double(orders) / measuredSeconds : 0
    }

    /// Orders over the time from the first to the last: the rate while buyers got them (a
    /// flash sale goes on answering sold-out after that). nil with fewer than two orders or
    /// all within a millisecond.
    public var ordersPerSecondWhilePlaced: Double? {
        guard orders >= 2, let span = orderSpanSeconds, span >= 0.001 else { return nil }
        return Double(orders) / span
    }

    /// Groups that succeeded over `measuredSeconds`: completed groups/s.
    public func groupsSucceededPerSecond(measuredSeconds: Double) -> Double {
        measuredSeconds > 0 ? Double(groupsSucceeded) / measuredSeconds : 0
    }
}

extension RunResult {
    /// Started iterations neither completed nor ended early before the measured part ended.
    public var iterationsUnfinished: Int {
        max(0, iterationsStarted - iterationsCompleted - iterationEndings.reduce(0) { $0 + $1.count })
    }
}
