internal import CHiredis
public import IOCore

// hiredis' async API does no I/O waiting of its own: an "adapter" tells it when the socket is
// ready (redisAsyncHandleRead/Write) and hiredis tells the adapter what it wants to wait for
// (the ev hooks). This is our adapter, in the manner of hiredis' adapters/*.h, with the loop's
// epoll in place of libevent. Reads are always watched (level-triggered). Output is not
// written as each command is queued but once at the end of the loop iteration, so that the
// commands of one iteration leave in one write(2) without any epoll_ctl; writability is
// watched only while connecting and while the socket buffer is full.
extension RedisConnection: IOEventHandler {
    /// Starts the non-blocking connect and attaches the context to the loop. Failures end
    /// the connection through `finish`, which resumes the connect waiter.
    func open() {
        guard let context = redisAsyncConnect(configuration.host, Int32(configuration.port)) else {
            finish(.connectFailed("out of memory creating a hiredis context"))
            return
        }
        if context.pointee.err != 0 {
            let message = String(cString: groupbuy_redis_errstr(context))
            redisAsyncFree(context)  // nothing attached yet: no hook runs
            finish(.connectFailed(message))
            return
        }
        self.context = context
        _ = groupbuy_redis_attach(
            context, Unmanaged.passUnretained(self).toOpaque(),
            { _ in },  // addRead: reads are always watched
            { _ in },  // delRead: an unwanted readable socket only makes hiredis read early
            { data in RedisConnection.from(data!).hiredisWantsToWrite() },
            { data in RedisConnection.from(data!).watchWrites(false) },
            { data in RedisConnection.from(data!).contextDidEnd() }
        )
        socket = groupbuy_redis_fd(context)
        do {
            registration = try loop.register(fd: socket, interest: .levelTriggeredReadWrite, handler: self)
            watchingWrites = true
        } catch {
            abort(.connectFailed("cannot watch the socket: \(error)"))
            return
        }
        // Connected is signalled by the first writability, as with every hiredis adapter.
        _ = redisAsyncSetConnectCallback(context) { context, status in
            guard let context, let data = context.pointee.data else { return }
            RedisConnection.from(data).didConnect(status == REDIS_OK, context)
        }
        loop.timers.schedule(timer, at: connectDeadline)
    }

    /// Called on the loop when the socket is ready.
    public func handleReadiness(_ readiness: Readiness) {
        guard let context else { return }
        // hiredis may free the context in here, and with it the registration holding us.
        let retained = Unmanaged.passRetained(self)
        defer { retained.release() }
        let failed = !readiness.isDisjoint(with: [.error, .hangup])
        if readiness.contains(.writable) || (failed && phase == .connecting) {
            redisAsyncHandleWrite(context)
        }
        guard let context = self.context, failed || readiness.contains(.readable) else { return }
        redisAsyncHandleRead(context)
    }

    private func didConnect(_ succeeded: Bool, _ context: UnsafePointer<redisAsyncContext>) {
        guard succeeded else {
            // hiredis frees the context right after this callback; the cleanup hook finishes.
            closeReason = .connectFailed(Self.message(context, otherwise: "connect failed"))
            return
        }
        phase = .connected
        loop.addIterationObserver(self)
        loop.timers.cancel(timer)
        let waiter = connectWaiter
        connectWaiter = nil
        waiter?.resume()
    }

    /// hiredis' `addWrite`: output is waiting.
    private func hiredisWantsToWrite() {
        if phase == .connected && !isFlushing {
            needsFlush = true
        } else {
            // Connecting (the connect completes on writability), or the flush found the
            // socket buffer full.
            watchWrites(true)
        }
    }

    /// hiredis' `addWrite`/`delWrite`. Called from inside hiredis, so a failure cannot free
    /// the context here; it is ended on the next loop turn instead.
    private func watchWrites(_ wanted: Bool) {
        guard let registration, wanted != watchingWrites else { return }
        do {
            try loop.reregister(
                fd: socket,
                interest: wanted ? .levelTriggeredReadWrite : .levelTriggeredRead,
                registration: registration
            )
            watchingWrites = wanted
        } catch {
            loop.execute { [self] in abort(.connectionLost("cannot watch the socket: \(error)")) }
        }
    }

    /// hiredis' `cleanup` hook: the context is about to be freed and its socket closed (a
    /// failed connect, a broken connection, or our `redisAsyncFree`). It is the one place
    /// every ending passes through, so the connection ends here.
    private func contextDidEnd() {
        guard let context else { return }
        let reason = closeReason
            ?? (phase == .connecting
                ? .connectFailed(Self.message(context, otherwise: "connect failed"))
                : .connectionLost(Self.message(context, otherwise: "the connection closed")))
        closeReason = reason
        // Out of epoll before hiredis closes the descriptor, which could be reused at once.
        if let registration { loop.deregister(fd: socket, registration: registration) }
        registration = nil
        self.context = nil
        finish(reason)
    }

    private static func message(_ context: UnsafePointer<redisAsyncContext>, otherwise fallback: String) -> String {
        let text = String(cString: groupbuy_redis_errstr(context))
        return text.isEmpty ? fallback : text
    }
}

extension RedisConnection: LoopIterationObserver {
    /// Called by the loop at the end of each iteration: sends what this iteration queued.
    public func loopIterationDidEnd() {
        guard needsFlush, let context else { return }
        needsFlush = false
        let retained = Unmanaged.passRetained(self)
        defer { retained.release() }
        isFlushing = true
        defer { isFlushing = false }
        redisAsyncHandleWrite(context)
    }
}
