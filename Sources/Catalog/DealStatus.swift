/// Where a deal is in its life: drafts are hidden from buyers, only active deals take orders.
public enum DealStatus: String, Sendable, CaseIterable {
    case draft, active, paused, closed
}
