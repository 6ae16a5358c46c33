/// Per-loop figures: each loop counts in its own `SingleWriterCounters` (plain stores on the
/// hot path), a scrape sums them from any thread.
extension PerLoop where Value == SingleWriterCounters {
    /// `count` counters for each of `loops`.
    package init(loops: [EventLoop], counters count: Int) {
        self.init(loops: loops) { _ in SingleWriterCounters(count: count) }
    }

    /// Counter `index` summed over every loop. Any thread.
    package func total(at index: Int) -> Int {
        reduce(0) { $0 + $1.value(at: index) }
    }
}
