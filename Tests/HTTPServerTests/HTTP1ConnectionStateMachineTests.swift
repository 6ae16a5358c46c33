import HTTPCodec
import IOCore
import Testing

@testable import HTTPServer

/// The HTTP/1.1 connection's decisions, driven as events with no socket, loop or buffer.
@Suite struct HTTP1ConnectionStateMachineTests {
    typealias Machine = HTTP1ConnectionStateMachine
    static let start = LoopInstant(nanoseconds: 1_000_000_000)

    static func machine(maxRequests: Int = 0) -> Machine {
        var server = ServerConfiguration()
        server.maxRequestsPerConnection = maxRequests
        return Machine(configuration: Machine.Configuration(server), now: start)
    }

    static func at(_ seconds: Int) -> LoopInstant { start.advanced(by: .seconds(seconds)) }

    /// Serves one request without a body: head in, dispatched, response queued and sent.
    static func serve(_ machine: inout Machine, keepAlive: Bool = true, now: LoopInstant = start) {
        let outcome1 = machine.headReceived(keepAliveRequested: keepAlive, hasBody: false, routed: true, now: now)
        #expect(outcome1 == .dispatch)
        _ = machine.requestDispatched(now: now)
        machine.requestFinished(keepAlive: machine.responseKeepsAlive, now: now)
    }

    @Test func pipelinedRequestsAreParsedFromTheBufferBeforeReadingAgain() {
        var machine = Self.machine()
        #expect(machine.nextStep(bufferedBytes: 100, pendingOutput: false) == .parseHead)
        Self.serve(&machine)
        // The next request is already buffered: parse it, do not read.
        #expect(machine.nextStep(bufferedBytes: 40, pendingOutput: false) == .parseHead)
        // But not while the previous response is still leaving.
        #expect(machine.nextStep(bufferedBytes: 40, pendingOutput: true) == .wait)
        machine.needMoreBytes()
        #expect(machine.nextStep(bufferedBytes: 40, pendingOutput: false) == .read)
        machine.bytesRead(10, space: 1000, intoEmptyBuffer: false, now: Self.start)
        #expect(machine.nextStep(bufferedBytes: 50, pendingOutput: false) == .parseHead)
        // The read was short: the socket is drained until epoll says otherwise.
        machine.needMoreBytes()
        #expect(machine.nextStep(bufferedBytes: 50, pendingOutput: false) == .wait)
        let outcome2 = machine.readinessReported(.readable)
        #expect(outcome2)
        #expect(machine.nextStep(bufferedBytes: 50, pendingOutput: false) == .read)
    }

    @Test func aHandledRequestStopsReadingUntilItsResponseIsQueued() {
        var machine = Self.machine()
        _ = machine.headReceived(keepAliveRequested: true, hasBody: false, routed: true, now: Self.start)
        _ = machine.requestDispatched(now: Self.start)
        #expect(machine.state == .handling)
        #expect(machine.nextStep(bufferedBytes: 100, pendingOutput: false) == .wait)
        machine.requestFinished(keepAlive: true, now: Self.start)
        #expect(machine.state == .awaitingHead)
    }

    @Test func connectionCloseStopsReadingRequestsAndLingersOnceTheResponseHasLeft() {
        var machine = Self.machine()
        Self.serve(&machine, keepAlive: false)
        #expect(machine.state == .closing)
        // A pipelined request after it is never parsed, even once the output has left.
        #expect(machine.nextStep(bufferedBytes: 40, pendingOutput: false) == .wait)
        machine.writeWouldBlock(now: Self.start)
        let outcome3 = machine.writeCompleted()
        #expect(outcome3)
        let outcome4 = machine.lingerStarted(now: Self.start)
        #expect(outcome4)
        #expect(machine.state == .lingering)
        #expect(machine.nextStep(bufferedBytes: 0, pendingOutput: false) == .discardInput)
        let outcome5 = machine.timerAction(now: Self.start, bufferedBytes: 0, pendingOutput: false)
        #expect(outcome5 == .arm(.linger, at: Self.start.advanced(by: Machine.lingerDuration)))
    }

    @Test func keepAliveEndsAtTheRequestLimitAfterAHalfCloseAndWhileDraining() {
        var limited = Self.machine(maxRequests: 2)
        Self.serve(&limited)
        #expect(limited.state == .awaitingHead)
        Self.serve(&limited)
        #expect(limited.state == .closing)

        var halfClosed = Self.machine()
        _ = halfClosed.headReceived(keepAliveRequested: true, hasBody: false, routed: true, now: Self.start)
        _ = halfClosed.requestDispatched(now: Self.start)
        // EOF while handling: the client may still read the answer.
        let outcome6 = halfClosed.endOfInput()
        #expect(!outcome6)
        #expect(!halfClosed.responseKeepsAlive)

        var draining = Self.machine()
        _ = draining.headReceived(keepAliveRequested: true, hasBody: false, routed: true, now: Self.start)
        _ = draining.requestDispatched(now: Self.start)
        let outcome7 = draining.drainRequested(bufferedBytes: 0, pendingOutput: false)
        #expect(!outcome7)
        #expect(!draining.responseKeepsAlive)
        draining.requestFinished(keepAlive: draining.responseKeepsAlive, now: Self.start)
        let outcome8 = draining.writeCompleted()
        #expect(outcome8)
        let outcome9 = draining.lingerStarted(now: Self.start)
        #expect(outcome9)
        let outcome10 = draining.timerAction(now: Self.start, bufferedBytes: 0, pendingOutput: false)
        #expect(outcome10 == .arm(.linger, at: Self.start.advanced(by: Machine.drainingLingerDuration)))
    }

    @Test func aDrainClosesIdleAndLingeringConnectionsAtOnce() {
        var idle = Self.machine()
        Self.serve(&idle)
        let outcome11 = idle.drainRequested(bufferedBytes: 0, pendingOutput: false)
        #expect(outcome11)
        var partial = Self.machine()
        let outcome12 = partial.drainRequested(bufferedBytes: 7, pendingOutput: false)
        #expect(!outcome12)
        var writing = Self.machine()
        Self.serve(&writing)
        let outcome13 = writing.drainRequested(bufferedBytes: 0, pendingOutput: true)
        #expect(!outcome13)
    }

    @Test func endOfInputClosesAnIdleConnectionAndARequestCutShort() {
        var idle = Self.machine()
        let outcome14 = idle.endOfInput()
        #expect(outcome14)
        var body = Self.machine()
        let outcome15 = body.headReceived(keepAliveRequested: true, hasBody: true, routed: true, now: Self.start)
        #expect(outcome15 == .readBody)
        let outcome16 = body.endOfInput()
        #expect(outcome16)
    }

    @Test func bodiesAreReadOnlyForRoutedRequests() {
        var routed = Self.machine()
        let outcome17 = routed.headReceived(keepAliveRequested: true, hasBody: true, routed: true, now: Self.start)
        #expect(outcome17 == .readBody)
        #expect(routed.state == .readingBody)
        // Bytes after the head may already hold the body.
        #expect(routed.nextStep(bufferedBytes: 80, pendingOutput: false) == .continueBody)
        routed.needMoreBytes()
        #expect(routed.nextStep(bufferedBytes: 80, pendingOutput: false) == .read)
        let outcome18 = routed.timerAction(now: Self.start, bufferedBytes: 80, pendingOutput: false)
        #expect(outcome18 == .arm(.body, at: Self.at(30)))

        var unrouted = Self.machine()
        let outcome19 = unrouted.headReceived(keepAliveRequested: true, hasBody: true, routed: false, now: Self.start)
        #expect(outcome19 == .dispatchLeavingBodyUnread)
        _ = unrouted.requestDispatched(now: Self.start)
        #expect(!unrouted.responseKeepsAlive)
    }

    @Test func theTimerFollowsTheState() {
        var machine = Self.machine()
        // A new connection: the header timeout, from its first bytes.
        let outcome20 = machine.timerAction(now: Self.start, bufferedBytes: 10, pendingOutput: false)
        #expect(outcome20 == .arm(.header, at: Self.at(10)))
        let outcome21 = machine.timerAction(now: Self.start, bufferedBytes: 10, pendingOutput: false)
        #expect(outcome21 == .keep)
        _ = machine.headReceived(keepAliveRequested: true, hasBody: false, routed: true, now: Self.at(1))
        let outcome22 = machine.requestDispatched(now: Self.at(1))
        #expect(outcome22 == Self.at(31))
        let outcome23 = machine.timerAction(now: Self.at(1), bufferedBytes: 10, pendingOutput: false)
        #expect(outcome23 == .arm(.deadline, at: Self.at(31)))
        machine.requestFinished(keepAlive: true, now: Self.at(2))
        // Idle counts from the moment the connection fell idle, not from each later look.
        let outcome24 = machine.timerAction(now: Self.at(2), bufferedBytes: 0, pendingOutput: false)
        #expect(outcome24 == .arm(.idle, at: Self.at(62)))
        let outcome25 = machine.timerAction(now: Self.at(5), bufferedBytes: 0, pendingOutput: false)
        #expect(outcome25 == .keep)
        // The next request's first bytes restart the header timeout.
        machine.bytesRead(5, space: 100, intoEmptyBuffer: true, now: Self.at(7))
        let outcome26 = machine.timerAction(now: Self.at(7), bufferedBytes: 5, pendingOutput: false)
        #expect(outcome26 == .arm(.header, at: Self.at(17)))
        // A blocked write gets the write timeout whatever the state.
        machine.writeWouldBlock(now: Self.at(8))
        let outcome27 = machine.timerAction(now: Self.at(8), bufferedBytes: 5, pendingOutput: true)
        #expect(outcome27 == .arm(.write, at: Self.at(38)))
    }

    @Test func firedTimersCloseOrAnswer() {
        var silent = Self.machine()
        let outcome28 = silent.timerFired(.header, bufferedBytes: 0)
        #expect(outcome28 == .close(counted: .timedOut))
        var slowloris = Self.machine()
        let outcome29 = slowloris.timerFired(.header, bufferedBytes: 12)
        #expect(outcome29 == .answerAndClose(.requestTimeout, detail: "request head not received in time", counted: .timedOut))
        var stalledBody = Self.machine()
        _ = stalledBody.headReceived(keepAliveRequested: true, hasBody: true, routed: true, now: Self.start)
        let outcome30 = stalledBody.timerFired(.body, bufferedBytes: 50)
        #expect(outcome30 == .answerAndClose(.requestTimeout, detail: "request body not received in time", counted: .timedOut))
        var stuck = Self.machine()
        let outcome31 = stuck.timerFired(.deadline, bufferedBytes: 0)
        #expect(outcome31 == .answerAndClose(.serviceUnavailable, detail: "request deadline exceeded", counted: .deadlineExceeded))
        var idle = Self.machine()
        let outcome32 = idle.timerFired(.idle, bufferedBytes: 0)
        #expect(outcome32 == .close(counted: nil))
        var unread = Self.machine()
        let outcome33 = unread.timerFired(.write, bufferedBytes: 0)
        #expect(outcome33 == .close(counted: .timedOut))
        // A closed connection does nothing more.
        var closed = Self.machine()
        let outcome34 = closed.closed()
        #expect(outcome34)
        let outcome35 = closed.closed()
        #expect(!outcome35)
        let outcome36 = closed.timerFired(.idle, bufferedBytes: 0)
        #expect(outcome36 == nil)
        let outcome37 = closed.timerAction(now: Self.start, bufferedBytes: 0, pendingOutput: false)
        #expect(outcome37 == .cancel)
    }

    @Test func anErrorAnswerIsTheLastResponse() {
        var machine = Self.machine()
        machine.answeringAndClosing(now: Self.start)
        #expect(machine.nextStep(bufferedBytes: 100, pendingOutput: false) == .wait)
        let outcome38 = machine.timerAction(now: Self.start, bufferedBytes: 0, pendingOutput: true)
        #expect(outcome38 == .arm(.write, at: Self.at(30)))
        let outcome39 = machine.writeCompleted()
        #expect(outcome39)
    }

    @Test func aProtocolDeadlineEarlierThanTheServersWins() {
        var machine = Self.machine()
        _ = machine.headReceived(keepAliveRequested: true, hasBody: false, routed: true, now: Self.start)
        let outcome40 = machine.requestDispatched(now: Self.start, deadline: Self.at(2))
        #expect(outcome40 == Self.at(2))
        var later = Self.machine()
        _ = later.headReceived(keepAliveRequested: true, hasBody: false, routed: true, now: Self.start)
        let outcome41 = later.requestDispatched(now: Self.start, deadline: Self.at(300))
        #expect(outcome41 == Self.at(30))
    }

    @Test func aSocketErrorCloses() {
        var machine = Self.machine()
        let outcome42 = machine.readinessReported([.readable, .error])
        #expect(!outcome42)
    }
}
