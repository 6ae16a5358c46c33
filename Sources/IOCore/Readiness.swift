internal import CLinux

/// What a registered descriptor is ready for, as reported by epoll.
public struct Readiness: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let readable = Readiness(rawValue: GB_EPOLLIN)
    public static let writable = Readiness(rawValue: GB_EPOLLOUT)
    /// The peer shut down its writing side (EPOLLRDHUP).
    public static let readHangup = Readiness(rawValue: GB_EPOLLRDHUP)
    /// Both directions are closed (EPOLLHUP).
    public static let hangup = Readiness(rawValue: GB_EPOLLHUP)
    public static let error = Readiness(rawValue: GB_EPOLLERR)
}

/// Which readiness a registration asks epoll for.
public enum Interest: Sendable {
    /// Edge-triggered read, write and peer hang-up: registered once, never modified, the
    /// owner tracks readiness itself (no epoll_ctl per state change).
    case edgeTriggeredReadWrite
    /// Level-triggered read (listening sockets, the wake-up eventfd, foreign libraries).
    case levelTriggeredRead
    /// Level-triggered read and write.
    case levelTriggeredReadWrite

    var events: UInt32 {
        switch self {
        case .edgeTriggeredReadWrite: GB_EPOLLIN | GB_EPOLLOUT | GB_EPOLLRDHUP | GB_EPOLLET
        case .levelTriggeredRead: GB_EPOLLIN
        case .levelTriggeredReadWrite: GB_EPOLLIN | GB_EPOLLOUT
        }
    }
}

/// An object that owns a descriptor registered with an event loop.
public protocol IOEventHandler: AnyObject {
    /// Called on the loop thread when the descriptor is ready.
    func handleReadiness(_ readiness: Readiness)
}

/// A registration in a loop's table: the slot and a generation, so an event that was
/// already queued for a descriptor closed in the same batch is recognised and dropped.
public struct Registration: Hashable, Sendable {
    let slot: UInt32
    let generation: UInt32

    var token: UInt64 { UInt64(generation) << 32 | UInt64(slot) }

    init(slot: UInt32, generation: UInt32) {
        self.slot = slot
        self.generation = generation
    }

    init(token: UInt64) {
        self.slot = UInt32(truncatingIfNeeded: token)
        self.generation = UInt32(truncatingIfNeeded: token >> 32)
    }
}
