/// Something a `LoopTimer` calls back when it fires.
public protocol TimerTarget: AnyObject {
    /// Called on the loop thread; the timer is disarmed before the call and may be re-armed.
    func timerFired(_ timer: LoopTimer)
}

/// An intrusive timer node. Its owner creates it once and re-arms it as often as it likes,
/// so arming a timeout on the hot path allocates nothing.
public final class LoopTimer {
    /// The owner's label for what this timer is for (e.g. which timeout).
    public var tag: Int
    /// When it fires; meaningful while armed.
    public fileprivate(set) var deadline = LoopInstant(nanoseconds: 0)
    // The owner outlives its armed timer: owners cancel their timers before they go.
    unowned(unsafe) let target: any TimerTarget
    fileprivate var deadlineTick: UInt64 = 0
    fileprivate var next: LoopTimer?
    fileprivate unowned(unsafe) var previous: LoopTimer?
    fileprivate var list = TimerWheel.notArmed

    public init(target: any TimerTarget, tag: Int = 0) {
        self.target = target
        self.tag = tag
    }

    /// Whether the timer is scheduled.
    public var isArmed: Bool { list != TimerWheel.notArmed }
}

/// A hashed timing wheel with 1 ms ticks (after h2o's and the Varghese–Lauck design):
/// O(1) arm and cancel, and a bitmap of occupied slots to find the next wake-up quickly.
///
/// Not thread-safe: one per event loop, used on its thread only.
public final class TimerWheel {
    static let notArmed = -1
    static let firingList = -2

    private let tickNanoseconds: UInt64
    private let slotMask: Int
    private var slots: [LoopTimer?]
    private var occupied: [UInt64]
    private var firing: LoopTimer?
    private unowned(unsafe) var firingTail: LoopTimer?
    private var currentTick: UInt64
    /// How many timers are armed.
    public private(set) var count = 0

    /// `slotCount` must be a power of two; a lap of the wheel is `slotCount` ticks.
    public init(now: LoopInstant, tickNanoseconds: UInt64 = 1_000_000, slotCount: Int = 1024) {
        precondition(slotCount > 0 && slotCount & (slotCount - 1) == 0 && slotCount % 64 == 0)
        self.tickNanoseconds = tickNanoseconds
        self.slotMask = slotCount - 1
        self.slots = Array(repeating: nil, count: slotCount)
        self.occupied = Array(repeating: 0, count: slotCount / 64)
        self.currentTick = now.nanoseconds / tickNanoseconds
    }

    /// Arms (or re-arms) `timer` to fire at `deadline`; a deadline already past fires on the next advance.
    public func schedule(_ timer: LoopTimer, at deadline: LoopInstant) {
        if timer.isArmed { cancel(timer) }
        // Round up so a timer never fires before its deadline.
        var tick = (deadline.nanoseconds + tickNanoseconds - 1) / tickNanoseconds
        if tick <= currentTick { tick = currentTick + 1 }
        timer.deadline = deadline
        timer.deadlineTick = tick
        link(timer, into: Int(truncatingIfNeeded: tick) & slotMask)
        count += 1
    }

    /// Disarms `timer`; nothing happens if it is not armed.
    public func cancel(_ timer: LoopTimer) {
        guard timer.isArmed else { return }
        unlink(timer)
        count -= 1
    }

    /// Fires every timer due at `now`, in the order of their ticks.
    public func advance(to now: LoopInstant) {
        let nowTick = now.nanoseconds / tickNanoseconds
        guard nowTick > currentTick else { return }
        // After a long stall every slot is visited once; deadlines decide what is due.
        let lap = UInt64(slotMask + 1)
        let first = nowTick - currentTick > lap ? nowTick - lap + 1 : currentTick + 1
        for tick in first...nowTick {
            collectDue(inSlot: Int(truncatingIfNeeded: tick) & slotMask, nowTick: nowTick)
        }
        currentTick = nowTick
        // Fire one at a time: a callback may cancel or re-arm any timer, including queued ones.
        while let timer = firing {
            unlink(timer)
            count -= 1
            timer.target.timerFired(timer)
        }
    }

    /// Milliseconds until the next occupied slot (an upper bound on when a timer is due),
    /// or nil when no timer is armed.
    public func millisecondsUntilNextTimer() -> Int? {
        guard count > 0 else { return nil }
        let slotCount = slotMask + 1
        let start = Int(truncatingIfNeeded: currentTick + 1) & slotMask
        var distance = 0
        while distance < slotCount {
            let slot = (start + distance) & slotMask
            let word = occupied[slot >> 6] >> UInt64(slot & 63)
            if word != 0 {
                distance += word.trailingZeroBitCount
                let ticks = UInt64(distance + 1)
                return Int((ticks * tickNanoseconds + 999_999) / 1_000_000)
            }
            distance += 64 - (slot & 63)
        }
        return Int((UInt64(slotCount) * tickNanoseconds) / 1_000_000)
    }

    private func collectDue(inSlot slot: Int, nowTick: UInt64) {
        var node = slots[slot]
        while let timer = node {
            node = timer.next
            if timer.deadlineTick <= nowTick {
                unlink(timer)
                link(timer, into: TimerWheel.firingList)
            }
        }
    }

    private func link(_ timer: LoopTimer, into list: Int) {
        timer.list = list
        timer.previous = nil
        if list == TimerWheel.firingList {
            // Append, so timers fire in the order of their ticks.
            timer.next = nil
            if let tail = firingTail {
                tail.next = timer
                timer.previous = tail
            } else {
                firing = timer
            }
            firingTail = timer
            return
        }
        timer.next = slots[list]
        slots[list]?.previous = timer
        slots[list] = timer
        occupied[list >> 6] |= 1 << UInt64(list & 63)
    }

    private func unlink(_ timer: LoopTimer) {
        let list = timer.list
        if let previous = timer.previous {
            previous.next = timer.next
        } else if list == TimerWheel.firingList {
            firing = timer.next
        } else {
            slots[list] = timer.next
            if timer.next == nil { occupied[list >> 6] &= ~(1 << UInt64(list & 63)) }
        }
        if list == TimerWheel.firingList && timer === firingTail { firingTail = timer.previous }
        timer.next?.previous = timer.previous
        timer.next = nil
        timer.previous = nil
        timer.list = TimerWheel.notArmed
    }
}
