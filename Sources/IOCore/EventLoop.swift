internal import CLinux
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One event loop: a thread with its own epoll instance, timer wheel, buffer pool and job
/// queues. It is also a Swift executor (see `EventLoop+Executor.swift`), so async code
/// started on it runs on its thread and resumes there after every suspension.
///
/// Loop-thread-only state (handlers, timers, buffers) is touched from its thread alone;
/// `execute`, `enqueue`, `stop` and the figures are safe from any thread.
public final class EventLoop: @unchecked Sendable {
    /// Settings a loop is created with.
    public struct Configuration: Sendable {
        /// Data bytes per pooled buffer chunk.
        public var bufferChunkSize = 16 * 1024
        /// Scratch bytes per chunk, for the owner's bookkeeping.
        public var bufferScratchBytes = 0
        /// Chunks allocated up front.
        public var buffersPreallocated = 64
        /// Free chunks kept at most.
        public var buffersMaxFree = 4096
        /// CPU to pin the loop thread to, if any.
        public var cpu: Int?
        /// Events taken per epoll_wait.
        public var eventBatchSize = 256

        public init() {}
    }

    /// Position in its group (0-based); also the label in metrics.
    public let index: Int
    /// Timer wheel; loop thread only.
    public let timers: TimerWheel
    /// Buffer pool; loop thread only (its figures are readable anywhere).
    public let buffers: BufferPool
    /// Iteration figures, readable anywhere.
    public let statistics = LoopStatistics()
    /// The monotonic time cached at the start of the current iteration; loop thread only.
    public internal(set) var now: LoopInstant

    let configuration: Configuration
    let epoll: Epoll
    let wakeupFD: Int32
    var registrations = RegistrationTable()
    var localWork = LocalWorkQueue()
    let remoteWork = Mutex(RemoteWorkQueue())
    let threadID = Atomic<UInt>(0)
    var isStopping = false
    var iterationObservers: [any LoopIterationObserver] = []
    private let finished = Mutex(false)

    static let wakeupToken = UInt64.max

    public init(index: Int, configuration: Configuration = Configuration()) throws(IOError) {
        self.index = index
        self.configuration = configuration
        self.epoll = try Epoll(capacity: configuration.eventBatchSize)
        self.wakeupFD = try Syscall.checked("eventfd") { gb_eventfd() }
        self.now = .now()
        self.timers = TimerWheel(now: now)
        self.buffers = BufferPool(
            chunkSize: configuration.bufferChunkSize,
            scratchBytes: configuration.bufferScratchBytes,
            preallocate: configuration.buffersPreallocated,
            maxFree: configuration.buffersMaxFree
        )
        try epoll.add(wakeupFD, events: Interest.levelTriggeredRead.events, token: Self.wakeupToken)
    }

    deinit {
        Syscall.close(wakeupFD)
    }

    /// Whether the caller runs on this loop's thread.
    @inline(__always)
    public var inEventLoop: Bool {
        pthread_equal(pthread_self(), threadID.load(ordering: .relaxed)) != 0
    }

    /// Index of the loop whose thread is calling, or nil off loop threads (a thread-local read).
    @inline(__always)
    public static var currentIndex: Int? {
        let index = gb_current_loop_index()
        return index >= 0 ? Int(index) : nil
    }

    /// Traps unless called on this loop's thread.
    @inline(__always)
    public func preconditionInEventLoop(file: StaticString = #fileID, line: UInt = #line) {
        precondition(inEventLoop, "must run on event loop \(index)", file: file, line: line)
    }

    /// Runs `work` on the loop thread soon. Safe from any thread.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        if inEventLoop {
            localWork.append(.closure(work))
        } else {
            submitRemote(.closure(work))
        }
    }

    /// Asks the loop to return from `run()` after the current iteration. Safe from any thread.
    public func stop() {
        execute { [self] in isStopping = true }
    }

    /// Runs the loop on the calling thread until `stop()`.
    public func run() {
        threadID.store(pthread_self(), ordering: .relaxed)
        gb_set_current_loop_index(Int32(index))
        if let cpu = configuration.cpu { _ = gb_pin_current_thread(Int32(cpu)) }
        while !isStopping {
            runOneIteration()
        }
        // Work submitted after this point is never run: owners stop their tasks before the loop.
        finished.withLock { $0 = true }
    }

    /// Whether `run()` has returned.
    public var hasFinished: Bool { finished.withLock { $0 } }

    private func runOneIteration() {
        let timeout: Int32
        if !localWork.isEmpty {
            timeout = 0
        } else if let milliseconds = timers.millisecondsUntilNextTimer() {
            timeout = Int32(min(milliseconds, 60_000))
        } else {
            timeout = -1
        }
        let ready: Int
        do {
            ready = try epoll.wait(timeoutMilliseconds: timeout)
        } catch {
            // EBADF/EINVAL would mean our own epoll fd is gone: nothing sane to continue with.
            fatalError("event loop \(index): \(error)")
        }
        let woke = LoopInstant.now()
        now = woke
        for position in 0..<ready {
            let event = epoll.events[position]
            if event.token == Self.wakeupToken {
                drainWakeups()
            } else {
                dispatch(Registration(token: event.token), Readiness(rawValue: event.events))
            }
        }
        runRemoteWork()
        timers.advance(to: now)
        runLocalWork()
        for observer in iterationObservers { observer.loopIterationDidEnd() }
        statistics.recordIteration(events: ready, busyNanoseconds: LoopInstant.now().nanoseconds &- woke.nanoseconds)
    }

    private func drainWakeups() {
        var value: UInt64 = 0
        _ = Glibc.read(wakeupFD, &value, MemoryLayout<UInt64>.size)
    }

    func submitRemote(_ work: LoopWork) {
        let shouldWake = remoteWork.withLock { queue in
            queue.items.append(work)
            defer { queue.wakeupPending = true }
            return !queue.wakeupPending
        }
        if shouldWake {
            var one: UInt64 = 1
            _ = Glibc.write(wakeupFD, &one, MemoryLayout<UInt64>.size)
        }
    }

    private func runRemoteWork() {
        var batch = localWork.takeSpare()
        remoteWork.withLock { queue in
            swap(&batch, &queue.items)
            queue.wakeupPending = false
        }
        for work in batch { run(work) }
        batch.removeAll(keepingCapacity: true)
        localWork.returnSpare(batch)
    }

    private func runLocalWork() {
        // One round: work queued while running waits for the next iteration, so a chain of
        // jobs that keep re-enqueueing cannot starve I/O.
        var batch = localWork.takeAll()
        for work in batch { run(work) }
        batch.removeAll(keepingCapacity: true)
        localWork.returnSpare(batch)
    }

    @inline(__always)
    private func run(_ work: LoopWork) {
        switch work {
        case .job(let job):
            job.runSynchronously(isolatedTo: asUnownedSerialExecutor(), taskExecutor: asUnownedTaskExecutor())
        case .closure(let closure):
            closure()
        }
    }
}
