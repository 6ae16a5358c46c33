import HTTPCodec
import IOCore

/// One run of a flow: where it is, when its current request was meant to leave, and what
/// its steps saved. Pooled per driver, so starting an iteration allocates nothing.
final class Iteration {
    /// Index of the flow and of the current step in it.
    var flow = 0
    var step = 0
    /// Unique within the run (`${iteration}`), and the base of its users (round-robin).
    var number = 0
    /// When the current request was meant to be sent (monotonic ns): latency starts here.
    var intended: UInt64 = 0
    /// `intended` + timeout: unanswered by then is a timeout.
    var deadline: UInt64 = 0
    /// Started in the measured part (counts towards iterations started/completed).
    var measured = false
    /// Closed loop: the virtual user running it; -1 in open loop.
    var virtualUser = -1
    /// Retried once on a new connection after a stale keep-alive close.
    var retried = false
    /// The method of the request in flight (a HEAD answer has no body).
    var method = HTTPMethod.get
    /// Saved variables by slot; nil when the producing step was skipped or failed.
    var saved: [[UInt8]?]

    init(variables: Int) {
        saved = Array(repeating: nil, count: variables)
    }

    /// Readies a pooled iteration for a new run of `flow`.
    func reset(flow: Int, number: Int, intended: UInt64, timeout: UInt64, measured: Bool, virtualUser: Int) {
        self.flow = flow
        self.step = 0
        self.number = number
        self.intended = intended
        self.deadline = intended &+ timeout
        self.measured = measured
        self.virtualUser = virtualUser
        self.retried = false
        for index in saved.indices where saved[index] != nil { saved[index] = nil }
    }
}

/// The generator for flow picks, chances and `${random}`; one per loop.
typealias FastRandom = SplitMix64

/// A FIFO of iterations waiting for a connection (their clocks running); a growable ring.
struct Backlog {
    private var slots: ContiguousArray<Iteration?> = ContiguousArray(repeating: nil, count: 64)
    private var head = 0
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    var first: Iteration? { count == 0 ? nil : slots[head] }

    mutating func append(_ iteration: Iteration) {
        if count == slots.count { grow() }
        slots[(head + count) & (slots.count - 1)] = iteration
        count += 1
    }

    /// Puts an iteration back at the front (a retry keeps its place).
    mutating func prepend(_ iteration: Iteration) {
        if count == slots.count { grow() }
        head = (head - 1) & (slots.count - 1)
        slots[head] = iteration
        count += 1
    }

    mutating func popFirst() -> Iteration? {
        guard count > 0 else { return nil }
        let iteration = slots[head]
        slots[head] = nil
        head = (head + 1) & (slots.count - 1)
        count -= 1
        return iteration
    }

    private mutating func grow() {
        var bigger = ContiguousArray<Iteration?>(repeating: nil, count: slots.count * 2)
        for offset in 0..<count { bigger[offset] = slots[(head + offset) & (slots.count - 1)] }
        slots = bigger
        head = 0
    }
}
