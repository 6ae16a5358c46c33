/// One value per event loop of a group, found by the loop's index: a loop reaches its own
/// value with one array read, no lock and no hop. The values are made once, for every loop,
/// and never replaced (a value that changes is a class, or counters, owned by its loop).
///
/// Sendable values (pools, clients, counters written by one thread) may be read from any
/// thread; a value that is not Sendable (a loop's own table) only on its loop, by an owner
/// that vouches for that (`@unchecked Sendable`).
package struct PerLoop<Value> {
    /// The loops, in index order.
    package let loops: [EventLoop]
    @usableFromInline let values: ContiguousArray<Value>

    /// Makes the value of each loop, in index order. `loops` must be a whole group in index
    /// order (`EventLoopGroup.loops`), so that a loop's index is its position.
    package init<Failure: Error>(loops: [EventLoop], _ make: (EventLoop) throws(Failure) -> Value) throws(Failure) {
        precondition(loops.enumerated().allSatisfy { $0.offset == $0.element.index }, "loops must be in index order")
        var values = ContiguousArray<Value>()
        values.reserveCapacity(loops.count)
        for loop in loops { values.append(try make(loop)) }
        self.loops = loops
        self.values = values
    }

    /// The value of `loop`, which must be one of `loops`.
    @inlinable @inline(__always)
    package subscript(loop: EventLoop) -> Value {
        assert(loop.index < values.count && loops[loop.index] === loop, "loop \(loop.index) is not one of these loops")
        return values[loop.index]
    }

    /// The value of the loop whose thread is calling; nil on any other thread (including the
    /// loops of another group).
    @inlinable
    package var current: Value? {
        guard let index = EventLoop.currentIndex, index < values.count, loops[index].inEventLoop else { return nil }
        return values[index]
    }
}

/// The values in loop order, for what visits every loop: starting, closing, summing figures.
extension PerLoop: RandomAccessCollection {
    @inlinable package var startIndex: Int { 0 }
    @inlinable package var endIndex: Int { values.count }

    /// The value of the loop with index `position`.
    @inlinable package subscript(position: Int) -> Value { values[position] }
}

extension PerLoop: Sendable where Value: Sendable {}
