/// How a deal's stock is reserved (`inventory.strategy`; docs/ORDERS.md).
public enum InventoryStrategy: String, Sendable, CaseIterable {
    /// Stock spread over several slot rows; buyers lock different rows with SKIP LOCKED.
    case slots
    /// The textbook baseline: one row per deal, one conditional UPDATE. Kept for the benchmark.
    case singleRow = "single_row"
}
