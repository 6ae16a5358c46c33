internal import CLinux
import IOCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Where log lines go: bounded in-memory queues drained to a file descriptor by one writer
/// thread, so that logging never blocks an event loop.
///
/// Each loop thread has its own single-producer ring (no lock, no contention); all other
/// threads share one ring behind a mutex. A line that does not fit is dropped and counted.
public final class LogSink: Sendable {
    /// Lines dropped because their queue was full, since start.
    public var droppedLines: Int { dropped.load(ordering: .relaxed) }

    private let loopRings: [ByteRing]
    private let sharedRing: ByteRing
    /// Serialises producers on the shared ring only: the writer drains without it, so a
    /// writer stuck on a full pipe never holds up a thread that logs.
    private let sharedProducers = Mutex(())
    private let output: Int32
    private let interval: Duration
    private let dropped = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let writer = Mutex<pthread_t?>(nil)

    /// - Parameters:
    ///   - loopCount: loops whose threads get a ring of their own (by `EventLoop.currentIndex`).
    ///   - bytesPerQueue: capacity of each ring.
    ///   - output: the descriptor lines are written to (not closed by the sink).
    ///   - interval: how long the writer sleeps when the queues are empty.
    public init(loopCount: Int, bytesPerQueue: Int = 1 << 20, output: Int32 = 1, interval: Duration = .milliseconds(20)) {
        self.loopRings = (0..<loopCount).map { _ in ByteRing(capacity: bytesPerQueue) }
        self.sharedRing = ByteRing(capacity: bytesPerQueue)
        self.output = output
        self.interval = interval
    }

    /// Starts the writer thread. Call once.
    public func start() {
        // A closed log pipe must cost log lines, not the process.
        signal(SIGPIPE, SIG_IGN)
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { context in
            let sink = Unmanaged<LogSink>.fromOpaque(context!).takeRetainedValue()
            gb_set_thread_name("gb-log-writer")
            sink.runWriter()
            return nil
        }, context)
        precondition(result == 0, "cannot start the log writer thread (error \(result))")
        writer.withLock { $0 = thread }
    }

    /// Queues one complete line (ending with a newline). Never blocks a loop thread.
    public func write(_ line: UnsafeRawBufferPointer) {
        let accepted: Bool
        if let index = EventLoop.currentIndex, index < loopRings.count {
            accepted = loopRings[index].push(line)
        } else {
            accepted = sharedProducers.withLock { _ in sharedRing.push(line) }
        }
        if !accepted { dropped.add(1, ordering: .relaxed) }
    }

    /// Builds a line with `build` in a stack buffer of `capacity` bytes and queues it.
    @inline(__always)
    public func log(level: StaticString, capacity: Int = 1024, _ build: (inout LogLine) -> Void) {
        withUnsafeTemporaryAllocation(byteCount: capacity, alignment: 8) { buffer in
            var line = LogLine(buffer: buffer, level: level)
            build(&line)
            write(line.finish())
        }
    }

    /// Waits until everything queued before the call is written (bounded by `timeout`).
    /// For shutdown and tests; not for loop threads.
    @discardableResult
    public func flush(timeout: Duration = .seconds(5)) -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while pendingBytes > 0 {
            if ContinuousClock.now >= deadline { return false }
            usleep(1_000)
        }
        return true
    }

    /// Writes what is queued and stops the writer thread.
    public func shutdown() {
        stopping.store(true, ordering: .releasing)
        if let thread = writer.withLock({ value -> pthread_t? in
            defer { value = nil }
            return value
        }) {
            pthread_join(thread, nil)
        }
    }

    private var pendingBytes: Int {
        loopRings.reduce(0) { $0 + $1.pendingBytes } + sharedRing.pendingBytes
    }

    private func runWriter() {
        let sleepMicroseconds = UInt32(clamping: interval.components.seconds * 1_000_000 + interval.components.attoseconds / 1_000_000_000_000)
        while true {
            let stop = stopping.load(ordering: .acquiring)
            var written = 0
            for ring in loopRings { written += ring.drain(writeOut) }
            written += sharedRing.drain(writeOut)
            if stop && written == 0 { return }
            if written == 0 { usleep(sleepMicroseconds) }
        }
    }

    private func writeOut(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) {
        writeFully(first)
        writeFully(second)
    }

    private func writeFully(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let result = Glibc.write(output, bytes.baseAddress! + offset, bytes.count - offset)
            if result < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return  // the output is gone (closed pipe): logs are lost, the service goes on.
            }
            offset += result
        }
    }
}
