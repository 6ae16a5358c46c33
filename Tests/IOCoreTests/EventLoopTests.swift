import CLinux
import IOCore
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Counts readiness callbacks and can run an action inside one.
private final class ReadinessProbe: IOEventHandler, @unchecked Sendable {
    let fd: Int32
    var calls = 0
    var onReady: ((ReadinessProbe) -> Void)?
    var registration: Registration?

    init(fd: Int32) { self.fd = fd }

    func handleReadiness(_ readiness: Readiness) {
        calls += 1
        var byte: UInt8 = 0
        while Glibc.read(fd, &byte, 1) > 0 {}
        onReady?(self)
    }
}

private func socketPair() -> (Int32, Int32) {
    var fds: [Int32] = [0, 0]
    let status = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &fds)
    precondition(status == 0)
    return (fds[0], fds[1])
}

@Suite struct EventLoopTests {
    @Test func executeFromAnotherThreadRunsOnTheLoopThread() async throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        #expect(!loop.inEventLoop)
        let ranOnLoop = try await loop.submit { loop.inEventLoop }
        #expect(ranOnLoop)
    }

    @Test func aTaskPreferringTheLoopRunsThereAndResumesThereAfterSuspending() async throws {
        let group = try EventLoopGroup(count: 2)
        defer { group.shutdown() }
        let loop = group.loops[1]
        let other = group.loops[0]
        let observations = try await Task(executorPreference: loop) { () -> [Bool] in
            var seen = [loop.inEventLoop]
            // Resumed from a different loop's thread: must come back to `loop`.
            _ = try await other.submit { 1 }
            seen.append(loop.inEventLoop)
            try await Task.sleep(for: .milliseconds(1))
            seen.append(loop.inEventLoop)
            await Task.yield()
            seen.append(loop.inEventLoop)
            return seen
        }.value
        #expect(observations == [true, true, true, true])
    }

    @Test func readinessReachesTheRegisteredHandlerUntilDeregistered() async throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let (local, peer) = socketPair()
        defer { close(peer) }
        let probe = ReadinessProbe(fd: local)
        let firstCall = Mutex<CheckedContinuation<Void, Never>?>(nil)
        probe.onReady = { _ in firstCall.withLock { $0?.resume(); $0 = nil } }
        await withCheckedContinuation { continuation in
            firstCall.withLock { $0 = continuation }
            loop.execute {
                probe.registration = try? loop.register(fd: local, interest: .edgeTriggeredReadWrite, handler: probe)
                var byte: UInt8 = 1
                _ = write(peer, &byte, 1)
            }
        }
        let calls = try await loop.submit { () -> Int in
            loop.deregister(fd: local, registration: probe.registration!)
            close(local)
            return probe.calls
        }
        #expect(calls >= 1)
        #expect(try await loop.submit { loop.registrationCount } == 0)
    }

    @Test func anEventForADescriptorDeregisteredEarlierInTheSameBatchIsDropped() async throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let (a, aPeer) = socketPair()
        let (b, bPeer) = socketPair()
        defer { close(aPeer); close(bPeer) }
        let probeA = ReadinessProbe(fd: a)
        let probeB = ReadinessProbe(fd: b)
        // Whichever runs first removes the other; the other's queued event must be ignored.
        probeA.onReady = { _ in if let r = probeB.registration { loop.deregister(fd: b, registration: r); probeB.registration = nil } }
        probeB.onReady = { _ in if let r = probeA.registration { loop.deregister(fd: a, registration: r); probeA.registration = nil } }
        try await loop.submit {
            probeA.registration = try loop.register(fd: a, interest: .edgeTriggeredReadWrite, handler: probeA)
            probeB.registration = try loop.register(fd: b, interest: .edgeTriggeredReadWrite, handler: probeB)
        }
        // Let the initial writability edges be consumed, then make both readable at once,
        // from the loop thread, so both events arrive in one epoll_wait batch.
        try await loop.submit { probeA.calls = 0; probeB.calls = 0 }
        try await loop.submit {
            var byte: UInt8 = 1
            _ = write(aPeer, &byte, 1)
            _ = write(bPeer, &byte, 1)
        }
        // Two more round trips through the loop guarantee the batch was processed.
        _ = try await loop.submit { 0 }
        _ = try await loop.submit { 0 }
        let (callsA, callsB) = try await loop.submit { (probeA.calls, probeB.calls) }
        #expect(callsA + callsB == 1)
        try await loop.submit {
            if let r = probeA.registration { loop.deregister(fd: a, registration: r) }
            if let r = probeB.registration { loop.deregister(fd: b, registration: r) }
            close(a)
            close(b)
        }
    }

    @Test func timersFireOnTheLoop() async throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let firedOnLoop: Bool = await withCheckedContinuation { continuation in
            loop.execute {
                loop.scheduleOnce(after: .milliseconds(5)) { continuation.resume(returning: loop.inEventLoop) }
            }
        }
        #expect(firedOnLoop)
        #expect(try await loop.submit { loop.timers.count } == 0)
    }

    @Test func repeatingTimerRepeatsUntilCancelled() async throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let ticks = Mutex(0)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            loop.execute {
                var handle: RepeatingTimer?
                handle = loop.scheduleRepeating(every: .milliseconds(2)) {
                    let count = ticks.withLock { $0 += 1; return $0 }
                    if count == 3 {
                        handle?.cancel()
                        continuation.resume()
                    }
                }
            }
        }
        let after = try await loop.submit { loop.timers.count }
        #expect(after == 0)
        #expect(ticks.withLock { $0 } == 3)
    }

    @Test func iterationsAndLagAreMeasured() async throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        for _ in 0..<10 { _ = try await loop.submit { 0 } }
        #expect(loop.statistics.iterations >= 10)
        #expect(loop.statistics.lag.snapshot().count == loop.statistics.iterations)
    }

    @Test func aPinnedLoopThreadMayRunOnOneCPUOnly() async throws {
        let group = try EventLoopGroup(count: 1, pinToCPUs: true)
        defer { group.shutdown() }
        // sched_getaffinity on the loop thread itself reports its own mask.
        let cpusOfLoopThread = try await group.loops[0].submit { gb_available_cpus() }
        #expect(cpusOfLoopThread == 1)
        let unpinned = try EventLoopGroup(count: 1)
        defer { unpinned.shutdown() }
        #expect(try await unpinned.loops[0].submit { gb_available_cpus() } == Int32(EventLoopGroup.availableCPUs))
    }
}
