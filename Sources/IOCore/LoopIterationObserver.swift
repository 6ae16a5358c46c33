/// Called at the end of every loop iteration, after handlers, timers and jobs have run.
///
/// The HTTP server returns buffers to the pool here: by then no request value on any
/// stack still refers to them, so the pool's uniqueness check succeeds.
public protocol LoopIterationObserver: AnyObject {
    func loopIterationDidEnd()
}

extension EventLoop {
    /// Adds an observer; loop thread only. The loop keeps a strong reference until removed.
    public func addIterationObserver(_ observer: any LoopIterationObserver) {
        preconditionInEventLoop()
        iterationObservers.append(observer)
    }

    /// Removes an observer; loop thread only.
    public func removeIterationObserver(_ observer: any LoopIterationObserver) {
        preconditionInEventLoop()
        iterationObservers.removeAll { $0 === observer }
    }
}
