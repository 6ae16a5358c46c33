/// Admin calls for many deals (creating, closing), several at a time but not all at once.
enum BoundedConcurrency {
    /// `body(index)` for every index below `count`, at most `limit` at a time; the results in
    /// index order. The first error thrown ends the whole map with it.
    static func map<Result: Sendable>(
        _ count: Int, limit: Int, _ body: @escaping @Sendable (Int) async throws -> Result
    ) async throws -> [Result] {
        try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            var results: [Result?] = Array(repeating: nil, count: count)
            var next = 0
            func start() {
                let index = next
                next += 1
                group.addTask { (index, try await body(index)) }
            }
            while next < min(max(1, limit), count) { start() }
            while let (index, result) = try await group.next() {
                results[index] = result
                if next < count { start() }
            }
            return results.map { $0! }
        }
    }
}
