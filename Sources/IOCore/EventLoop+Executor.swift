/// A loop is both the serial executor of anything isolated to it and a task executor:
/// a task started with `Task(executorPreference: loop)` runs its nonisolated async code on
/// the loop thread and comes back to it after every suspension. Postgres and Redis clients
/// resume their continuations from the same loop's readiness callbacks, so a handler's
/// whole life stays on one thread without locks.
extension EventLoop: SerialExecutor, TaskExecutor {
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if inEventLoop {
            localWork.append(.job(job))
        } else {
            submitRemote(.job(job))
        }
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    public func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }

    public func checkIsolated() {
        preconditionInEventLoop()
    }

    public func isIsolatingCurrentContext() -> Bool? {
        inEventLoop
    }
}
