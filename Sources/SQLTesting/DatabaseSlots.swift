/// Bounds how many test databases exist at once. Swift Testing runs every test case in
/// parallel (a parameterized test is dozens), and each holds a loop, an admin session and up to
/// three sessions of its own; unbounded, they exhausted the test cluster's 200 connections,
/// which the other suites of the same run share. Four at a time keep both cores busy.
actor DatabaseSlots {
    static let shared = DatabaseSlots(count: 4)

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(count: Int) {
        free = count
    }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the slot to the first waiter, if any.
    func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
