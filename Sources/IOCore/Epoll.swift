internal import CLinux

/// One epoll instance: add, modify, remove, wait. Nothing else lives here.
final class Epoll {
    let fd: Int32
    let capacity: Int
    let events: UnsafeMutablePointer<gb_epoll_event>

    init(capacity: Int = 256) throws(IOError) {
        self.fd = try Syscall.checked("epoll_create1") { gb_epoll_create() }
        self.capacity = capacity
        self.events = .allocate(capacity: capacity)
    }

    deinit {
        events.deallocate()
        Syscall.close(fd)
    }

    func add(_ descriptor: Int32, events: UInt32, token: UInt64) throws(IOError) {
        _ = try Syscall.checked("epoll_ctl") { gb_epoll_ctl(fd, GB_EPOLL_ADD, descriptor, events, token) }
    }

    func modify(_ descriptor: Int32, events: UInt32, token: UInt64) throws(IOError) {
        _ = try Syscall.checked("epoll_ctl") { gb_epoll_ctl(fd, GB_EPOLL_MOD, descriptor, events, token) }
    }

    /// Removes a descriptor. Errors are ignored: a closed descriptor has already left the set.
    func remove(_ descriptor: Int32) {
        _ = gb_epoll_ctl(fd, GB_EPOLL_DEL, descriptor, 0, 0)
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever, 0: poll); returns how many events are ready.
    func wait(timeoutMilliseconds: Int32) throws(IOError) -> Int {
        switch try Syscall.retryingInterrupts("epoll_wait", {
            Int(gb_epoll_wait(fd, events, Int32(capacity), timeoutMilliseconds))
        }) {
        case .processed(let count): return count
        case .wouldBlock: return 0
        }
    }
}
