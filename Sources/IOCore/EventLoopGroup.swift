internal import CLinux
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A fixed set of event loops, each on its own thread.
public final class EventLoopGroup: Sendable {
    /// The loops, in index order.
    public let loops: [EventLoop]
    private let threads: Mutex<[pthread_t]>
    private let nextLoop = Atomic<Int>(0)

    /// Creates and starts `count` loops (0: one per available CPU).
    /// With `pinToCPUs`, loop i is pinned to the i-th CPU the process may use.
    public init(
        count: Int = 0,
        pinToCPUs: Bool = false,
        configuration: EventLoop.Configuration = EventLoop.Configuration()
    ) throws(IOError) {
        let loopCount = count > 0 ? count : Self.availableCPUs
        var loops: [EventLoop] = []
        for index in 0..<loopCount {
            var perLoop = configuration
            if pinToCPUs { perLoop.cpu = Self.allowedCPUs[index % Self.allowedCPUs.count] }
            loops.append(try EventLoop(index: index, configuration: perLoop))
        }
        self.loops = loops
        var threads: [pthread_t] = []
        for loop in loops {
            threads.append(try Self.startThread(for: loop))
        }
        self.threads = Mutex(threads)
        for loop in loops { loop.waitUntilStarted() }
    }

    /// Number of CPUs this process may run on (respects taskset and cpusets).
    public static var availableCPUs: Int { Int(gb_available_cpus()) }

    /// The CPU ids this process may run on, ascending.
    static var allowedCPUs: [Int] {
        var ids = [Int32](repeating: 0, count: 1024)
        let count = Int(gb_allowed_cpus(&ids, Int32(ids.count)))
        return count > 0 ? ids[0..<count].map(Int.init) : [0]
    }

    /// Loops in turn, for spreading work that has no natural home.
    public func next() -> EventLoop {
        loops[nextLoop.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count]
    }

    /// Stops every loop and joins its thread. Call once, not from a loop thread.
    public func shutdown() {
        for loop in loops { loop.stop() }
        let joined = threads.withLock { threads in
            defer { threads = [] }
            return threads
        }
        for thread in joined { pthread_join(thread, nil) }
    }

    private static func startThread(for loop: EventLoop) throws(IOError) -> pthread_t {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(loop).toOpaque()
        let result = pthread_create(&thread, nil, { context in
            let loop = Unmanaged<EventLoop>.fromOpaque(context!).takeRetainedValue()
            gb_set_thread_name("gb-loop-\(loop.index)")
            loop.run()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<EventLoop>.fromOpaque(context).release()
            throw IOError(errno: result, call: "pthread_create")
        }
        return thread
    }
}
