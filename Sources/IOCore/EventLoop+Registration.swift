/// The loop's descriptor table: slot index and generation travel in each epoll token.
struct RegistrationTable {
    struct Slot {
        var handler: (any IOEventHandler)?
        var generation: UInt32 = 0
    }

    private(set) var slots: ContiguousArray<Slot> = []
    private var freeSlots: [UInt32] = []
    private(set) var count = 0

    mutating func insert(_ handler: any IOEventHandler) -> Registration {
        let slot: UInt32
        if let reused = freeSlots.popLast() {
            slot = reused
        } else {
            slot = UInt32(slots.count)
            slots.append(Slot())
        }
        slots[Int(slot)].handler = handler
        count += 1
        return Registration(slot: slot, generation: slots[Int(slot)].generation)
    }

    /// The handler for a token, or nil when the registration has been removed since.
    @inline(__always)
    func handler(for registration: Registration) -> (any IOEventHandler)? {
        let index = Int(registration.slot)
        guard index < slots.count, slots[index].generation == registration.generation else { return nil }
        return slots[index].handler
    }

    mutating func remove(_ registration: Registration) {
        let index = Int(registration.slot)
        guard index < slots.count, slots[index].generation == registration.generation,
            slots[index].handler != nil
        else { return }
        slots[index].handler = nil
        slots[index].generation &+= 1
        freeSlots.append(registration.slot)
        count -= 1
    }
}

extension EventLoop {
    /// Adds `fd` to this loop's epoll set; `handler` is called on readiness until `deregister`.
    /// Loop thread only. The loop keeps a strong reference to `handler` while registered.
    public func register(
        fd: Int32,
        interest: Interest,
        handler: any IOEventHandler
    ) throws(IOError) -> Registration {
        preconditionInEventLoop()
        let registration = registrations.insert(handler)
        do {
            try epoll.add(fd, events: interest.events, token: registration.token)
        } catch {
            registrations.remove(registration)
            throw error
        }
        return registration
    }

    /// Changes what a registered descriptor is watched for. Loop thread only.
    public func reregister(fd: Int32, interest: Interest, registration: Registration) throws(IOError) {
        preconditionInEventLoop()
        try epoll.modify(fd, events: interest.events, token: registration.token)
    }

    /// Removes `fd` from the epoll set; events already fetched for it are dropped.
    /// Call before closing the descriptor. Loop thread only.
    public func deregister(fd: Int32, registration: Registration) {
        preconditionInEventLoop()
        epoll.remove(fd)
        registrations.remove(registration)
    }

    /// Number of registered descriptors (connections, listeners, clients). Loop thread only.
    public var registrationCount: Int { registrations.count }

    @inline(__always)
    func dispatch(_ registration: Registration, _ readiness: Readiness) {
        registrations.handler(for: registration)?.handleReadiness(readiness)
    }
}
