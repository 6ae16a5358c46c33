import Synchronization

/// Lines a component logs (a `log` closure of its settings), kept for a test to read.
public final class CollectedLines: Sendable {
    private let lines = Mutex<[String]>([])

    public init() {}

    /// What to give as the component's log closure.
    public var sink: @Sendable (String) -> Void {
        { line in self.lines.withLock { $0.append(line) } }
    }

    public var all: [String] { lines.withLock { $0 } }
}
