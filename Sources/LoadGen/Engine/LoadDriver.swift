internal import CLinux
import Histogram
import IOCore

#if canImport(Glibc)
import Glibc
#endif

/// How one loop's driver runs: its share of the load and the run's clock (monotonic ns).
struct DriverPlan: Sendable {
    enum Pacing: Sendable {
        /// Arrivals `loopIndex`, `loopIndex + loopCount`, … of the schedule.
        case open(ArrivalSchedule)
        /// Virtual users with these global indices (of `total`), started spread over `ramp` ns.
        case closed(users: [Int], total: Int, ramp: UInt64)
    }

    var pacing: Pacing
    var loopIndex: Int
    var loopCount: Int
    var start: UInt64
    var measureStart: UInt64
    var end: UInt64
    var timeout: UInt64
    /// Connections per target on this loop (its share of `maxInFlight`).
    var maxConnections: Int
    /// Iterations this loop may start (its share of the scenario's cap).
    var iterationCap: Int?
    var cpu: Int?
    var seed: UInt64
}

/// A loop's view of the run at one moment, for the progress line.
struct DriverSnapshot: Sendable {
    var completedAll: Int
    var requests: Int
    var errors: Int
    var inFlight: Int
    var overall: Histogram<UInt64>
    var isDone: Bool
    var lastCompletion: UInt64
}

/// Drives one loop's share of the load: paces iterations (a timerfd for open-loop arrivals,
/// the timer wheel for closed-loop users), walks each iteration through its flow's steps,
/// hands requests to connections or a FIFO backlog, classifies and records answers.
///
/// Callback-driven on the loop thread: no task or continuation per request, and in steady
/// state no allocation (iterations and connections are reused, requests render into pooled
/// chunks). Only steps that save variables allocate (the saved bytes).
final class LoadDriver: LoadConnectionOwner, IOEventHandler, TimerTarget, @unchecked Sendable {
    struct TargetPool {
        let address: SocketAddress
        var idle: [any LoadConnection] = []
        /// Every open connection (idle or busy), so `finish` can close them.
        var all: [any LoadConnection] = []
        var open = 0
        var pumping = false
        var backlog = Backlog()
    }

    let loop: EventLoop
    let scenario: CompiledScenario
    let plan: DriverPlan
    let transport: any LoadTransport
    private let renderer: RequestRenderer
    private(set) var recorder: LoopRecorder
    private var random: FastRandom
    private var pools: [TargetPool]
    private var spareIterations: [Iteration] = []
    /// Requests on the wire or waiting in a backlog.
    private var inFlight = 0
    private var completedAll = 0
    private var started = 0
    private var finished = false
    private let scratch: UnsafeMutableRawBufferPointer

    // Open loop: the next arrival (global index) and when it is due.
    private var nextArrival = 0
    private var nextArrivalTime: UInt64?
    private var pacingFD: Int32 = -1
    private var pacingRegistration: Registration?

    // Closed loop.
    private var users: [VirtualUser] = []

    private static let secondTag = 1
    private static let sweepTag = 2
    private lazy var secondTimer = LoopTimer(target: self, tag: Self.secondTag)
    private lazy var sweepTimer = LoopTimer(target: self, tag: Self.sweepTag)
    private var nextSecond = 0

    init(loop: EventLoop, scenario: CompiledScenario, plan: DriverPlan, transport: any LoadTransport = HTTP1Transport()) {
        self.loop = loop
        self.scenario = scenario
        self.plan = plan
        self.transport = transport
        self.renderer = RequestRenderer(scenario: scenario)
        self.recorder = LoopRecorder(stepCount: scenario.stepNames.count, measureStart: plan.measureStart, measureEnd: plan.end)
        self.random = FastRandom(seed: plan.seed)
        self.pools = scenario.targets.map { TargetPool(address: $0.address) }
        self.scratch = .allocate(byteCount: 256 * 1024, alignment: 16)
    }

    deinit {
        scratch.deallocate()
    }

    // MARK: - Starting and stopping

    /// Starts pacing. Loop thread only.
    func begin() throws(LoadRunnerError) {
        loop.preconditionInEventLoop()
        if let cpu = plan.cpu { _ = gb_pin_current_thread(Int32(cpu)) }
        // Timer slack 1 ns: the kernel would otherwise round our wake-ups by 50 µs.
        _ = gb_set_timer_slack(1)
        switch plan.pacing {
        case .open:
            pacingFD = gb_timerfd_create()
            guard pacingFD >= 0 else { throw LoadRunnerError("timerfd_create failed: errno \(errno)") }
            do {
                pacingRegistration = try loop.register(fd: pacingFD, interest: .levelTriggeredRead, handler: self)
            } catch {
                throw LoadRunnerError("registering the pacing timer: \(error)")
            }
            nextArrival = plan.loopIndex
            scheduleNextArrival()
        case .closed(let globalIndices, let total, let ramp):
            for (position, global) in globalIndices.enumerated() {
                let user = VirtualUser(driver: self, index: position)
                users.append(user)
                let offset = total > 0 ? ramp / UInt64(total) * UInt64(global) : 0
                loop.timers.schedule(user.timer, at: LoopInstant(nanoseconds: plan.start + offset))
            }
        }
        loop.timers.schedule(secondTimer, at: LoopInstant(nanoseconds: plan.measureStart + 1_000_000_000))
    }

    /// Stops everything and returns what was measured. Requests still in flight are dropped
    /// uncounted: they neither completed in the measured part nor failed. Loop thread only.
    func finish() -> LoopRecorder {
        loop.preconditionInEventLoop()
        finished = true
        nextArrivalTime = nil
        if let pacingRegistration { loop.deregister(fd: pacingFD, registration: pacingRegistration) }
        pacingRegistration = nil
        if pacingFD >= 0 { Syscall.close(pacingFD) }
        pacingFD = -1
        for user in users { loop.timers.cancel(user.timer) }
        users = []
        loop.timers.cancel(secondTimer)
        loop.timers.cancel(sweepTimer)
        for index in pools.indices {
            let all = pools[index].all
            pools[index].idle = []
            while pools[index].backlog.popFirst() != nil {}
            for connection in all { connection.close() }
        }
        inFlight = 0
        return recorder
    }

    func snapshot() -> DriverSnapshot {
        var requests = 0
        var errors = 0
        for step in recorder.steps {
            requests += step.requests
            errors += step.errors
        }
        return DriverSnapshot(completedAll: completedAll, requests: requests, errors: errors, inFlight: inFlight, overall: recorder.overall, isDone: isDone,
            lastCompletion: recorder.lastCompletion
        )
    }

    /// Nothing more will start and nothing is in flight.
    var isDone: Bool {
        guard inFlight == 0 else { return false }
        switch plan.pacing {
        case .open: return nextArrivalTime == nil
        case .closed: return capReached || LoopInstant.now().nanoseconds >= plan.end
        }
    }

    private var capReached: Bool {
        if let cap = plan.iterationCap { return started >= cap }
        return false
    }

    // MARK: - Pacing

    private func scheduleNextArrival() {
        guard case .open(let schedule) = plan.pacing else { return }
        if let cap = plan.iterationCap, started >= cap {
            nextArrivalTime = nil
        } else if let seconds = schedule.time(ofArrival: nextArrival) {
            nextArrivalTime = plan.start + UInt64(seconds * 1e9)
        } else {
            nextArrivalTime = nil
        }
        if let due = nextArrivalTime { _ = gb_timerfd_set_absolute(pacingFD, due) }
    }

    /// The pacing timerfd fired: start every arrival that is due, each with its own
    /// intended time (a late wake-up does not move them).
    func handleReadiness(_ readiness: Readiness) {
        var expirations: UInt64 = 0
        _ = Glibc.read(pacingFD, &expirations, MemoryLayout<UInt64>.size)
        guard !finished else { return }
        let now = LoopInstant.now().nanoseconds
        while let due = nextArrivalTime, due <= now {
            startIteration(number: nextArrival, intended: due, virtualUser: -1)
            nextArrival += plan.loopCount
            scheduleNextArrival()
        }
    }

    func timerFired(_ timer: LoopTimer) {
        switch timer.tag {
        case Self.secondTag:
            recorder.recordInFlight(inFlight, endOfSecond: nextSecond)
            nextSecond += 1
            let next = plan.measureStart + UInt64(nextSecond + 1) * 1_000_000_000
            if next <= plan.end + 1_000_000_000 { loop.timers.schedule(secondTimer, at: LoopInstant(nanoseconds: next)) }
        case Self.sweepTag:
            sweepBacklogs()
        default:
            break
        }
    }

    /// Closed loop: a virtual user is ready for its next iteration.
    fileprivate func userReady(_ user: VirtualUser) {
        guard !finished, !capReached else { return }
        let now = LoopInstant.now().nanoseconds
        guard now < plan.end else { return }
        let number = started * plan.loopCount + plan.loopIndex
        startIteration(number: number, intended: now, virtualUser: user.index)
    }

    // MARK: - Iterations

    private func startIteration(number: Int, intended: UInt64, virtualUser: Int) {
        let iteration = spareIterations.popLast() ?? Iteration(variables: scenario.variables.count)
        var flow = 0
        if scenario.flows.count > 1 {
            let pick = random.below(scenario.totalWeight)
            while scenario.cumulativeWeights[flow] <= pick { flow += 1 }
        }
        let measured = recorder.isMeasured(intended)
        iteration.reset(flow: flow, number: number, intended: intended, timeout: plan.timeout, measured: measured, virtualUser: virtualUser)
        started += 1
        if measured { recorder.iterationsStarted += 1 }
        advance(iteration)
    }

    /// Sends the iteration's current step, skipping steps by chance or for missing variables;
    /// ends the iteration (completed) after its last step.
    private func advance(_ iteration: Iteration) {
        let steps = scenario.flows[iteration.flow].steps
        while iteration.step < steps.count {
            let step = steps[iteration.step]
            var skip = step.chance < 1 && random.unit() >= step.chance
            if !skip {
                for slot in step.requiredSlots where iteration.saved[slot] == nil {
                    skip = true
                    break
                }
            }
            if !skip {
                dispatch(iteration, target: step.target)
                return
            }
            iteration.step += 1
        }
        endIteration(iteration, completed: true, after: nil)
    }

    private func endIteration(_ iteration: Iteration, completed: Bool, after failure: TransportErrorKind?) {
        if completed && iteration.measured && LoopInstant.now().nanoseconds < plan.end { recorder.iterationsCompleted += 1 }
        let userIndex = iteration.virtualUser
        spareIterations.append(iteration)
        guard userIndex >= 0, userIndex < users.count else { return }
        let user = users[userIndex]
        if failure == .connect {
            // Refused connections fail at once: pause the user instead of spinning.
            loop.timers.schedule(user.timer, at: LoopInstant.now().advanced(by: .milliseconds(10)))
        } else {
            userReady(user)
        }
    }

    // MARK: - Connections and the backlog

    private func dispatch(_ iteration: Iteration, target: Int) {
        inFlight += 1
        pools[target].backlog.append(iteration)
        pump(target)
    }

    /// Gives waiting requests connections, oldest first: idle ones, then new ones up to the cap.
    private func pump(_ target: Int) {
        // Re-entry (a send that fails at once ends an iteration that dispatches again) only
        // queues: the outer loop below picks it up.
        guard !pools[target].pumping else { return }
        pools[target].pumping = true
        defer { pools[target].pumping = false }
        while let head = pools[target].backlog.first {
            let now = LoopInstant.now().nanoseconds
            if head.deadline <= now {
                _ = pools[target].backlog.popFirst()
                fail(head, kind: .timeout, at: now)
                continue
            }
            let connection: any LoadConnection
            if let idle = pools[target].idle.popLast() {
                connection = idle
            } else if pools[target].open < plan.maxConnections {
                pools[target].open += 1
                connection = transport.makeConnection(loop: loop, target: target, address: pools[target].address, owner: self)
                pools[target].all.append(connection)
            } else {
                armSweep()
                return
            }
            _ = pools[target].backlog.popFirst()
            send(head, on: connection)
        }
    }

    private func send(_ iteration: Iteration, on connection: any LoadConnection) {
        let step = scenario.flows[iteration.flow].steps[iteration.step]
        iteration.method = step.method
        if renderer.render(step, iteration: iteration, random: &random, into: connection.requestBuffer, scratch: scratch) {
            connection.send(for: iteration, oversized: nil)
            return
        }
        let oversized = BufferChunk(unpooledCapacity: renderer.estimatedSize(step, iteration: iteration) + scratch.count)
        _ = renderer.render(step, iteration: iteration, random: &random, into: oversized, scratch: scratch)
        connection.send(for: iteration, oversized: oversized)
    }

    private func armSweep() {
        guard !sweepTimer.isArmed else { return }
        loop.timers.schedule(sweepTimer, at: LoopInstant.now().advanced(by: .milliseconds(5)))
    }

    /// Waiting requests whose deadline passed are timeouts, though never sent.
    private func sweepBacklogs() {
        let now = LoopInstant.now().nanoseconds
        var waiting = false
        for target in pools.indices {
            while let head = pools[target].backlog.first, head.deadline <= now {
                _ = pools[target].backlog.popFirst()
                fail(head, kind: .timeout, at: now)
            }
            if !pools[target].backlog.isEmpty { waiting = true }
        }
        if waiting { armSweep() }
    }

    private func fail(_ iteration: Iteration, kind: TransportErrorKind, at now: UInt64) {
        inFlight -= 1
        completedAll += 1
        let step = scenario.flows[iteration.flow].steps[iteration.step]
        recorder.recordFailure(step: step.nameIndex, at: now, kind: kind)
        if iteration.measured && now < plan.end { recorder.recordEnding(step: step.nameIndex, answer: kind.rawValue, expected: false) }
        endIteration(iteration, completed: false, after: kind)
    }

    // MARK: - LoadConnectionOwner

    func exchangeCompleted(on connection: any LoadConnection, iteration: Iteration, response: LoadResponse) {
        let now = LoopInstant.now().nanoseconds
        inFlight -= 1
        completedAll += 1
        let step = scenario.flows[iteration.flow].steps[iteration.step]
        let status = response.status
        var problem: UnsafeRawBufferPointer?
        if status >= 400, response.isProblemJSON { problem = ResponseInspection.problemType(in: response.bodyBytes) }
        let accepted: Bool
        if step.expect.problemTypes.isEmpty || problem == nil {
            accepted = step.expect.accepts(status: status, problemType: nil)
        } else {
            accepted = step.expect.accepts(status: status, problemType: recorder.intern(problem!))
        }
        recorder.recordAnswer(
            step: step.nameIndex, at: now, latency: now &- iteration.intended, status: status, problemType: problem, isError: !accepted
        )
        let success = status >= 200 && status < 300
        if success {
            for save in step.saves {
                iteration.saved[save.slot] = ResponseInspection.value(at: save.path, in: response.bodyBytes)
            }
        }
        if connection.active == 0 && connection.isOpen && !finished { pools[connection.target].idle.append(connection) }
        if success {
            iteration.step += 1
            iteration.intended = now
            iteration.deadline = now &+ plan.timeout
            iteration.retried = false
            advance(iteration)
        } else {
            if iteration.measured && now < plan.end {
                let answer = problem.map { recorder.intern($0) } ?? String(status)
                recorder.recordEnding(step: step.nameIndex, answer: answer, expected: accepted)
            }
            endIteration(iteration, completed: false, after: nil)
        }
        pump(connection.target)
    }

    func exchangeFailed(on connection: any LoadConnection, iteration: Iteration, kind: TransportErrorKind, stale: Bool) {
        let now = LoopInstant.now().nanoseconds
        if stale && !iteration.retried && now < iteration.deadline && !finished {
            // The server closed the idle connection as we reused it: once more on a new one.
            iteration.retried = true
            pools[connection.target].backlog.prepend(iteration)
            pump(connection.target)
            return
        }
        fail(iteration, kind: kind, at: now)
        pump(connection.target)
    }

    func connectionClosed(_ connection: any LoadConnection) {
        let target = connection.target
        pools[target].open -= 1
        if let index = pools[target].idle.firstIndex(where: { $0 === connection }) { pools[target].idle.remove(at: index) }
        if let index = pools[target].all.firstIndex(where: { $0 === connection }) { pools[target].all.remove(at: index) }
        if !finished { pump(target) }
    }
}

/// A closed-loop virtual user: its timer starts it (spread over the ramp) or resumes it
/// after a pause.
final class VirtualUser: TimerTarget {
    unowned let driver: LoadDriver
    let index: Int
    private(set) lazy var timer = LoopTimer(target: self)

    init(driver: LoadDriver, index: Int) {
        self.driver = driver
        self.index = index
    }

    func timerFired(_ timer: LoopTimer) {
        driver.userReady(self)
    }
}
