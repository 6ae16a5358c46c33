/// Something to run on a loop: a Swift job or a closure.
enum LoopWork: @unchecked Sendable {
    case job(UnownedJob)
    case closure(() -> Void)
}

/// Work submitted from other threads; guarded by the loop's mutex.
struct RemoteWorkQueue {
    var items: [LoopWork] = []
    /// The eventfd was written and the loop has not drained the queue since: no need to write again.
    var wakeupPending = false
}

/// Work submitted on the loop thread itself: no lock. Two arrays are swapped back and
/// forth so that steady-state queueing never allocates.
struct LocalWorkQueue {
    private var items: [LoopWork] = []
    private var spare: [LoopWork] = []

    init() {
        items.reserveCapacity(256)
        spare.reserveCapacity(256)
    }

    var isEmpty: Bool { items.isEmpty }

    mutating func append(_ work: LoopWork) {
        items.append(work)
    }

    /// Takes everything queued, leaving an empty array with capacity in its place.
    mutating func takeAll() -> [LoopWork] {
        var taken = spare
        spare = []
        swap(&taken, &items)
        return taken
    }

    /// An empty array with capacity, to be given back with `returnSpare`.
    mutating func takeSpare() -> [LoopWork] {
        let taken = spare
        spare = []
        return taken
    }

    mutating func returnSpare(_ array: [LoopWork]) {
        if array.capacity > spare.capacity { spare = array }
    }
}
