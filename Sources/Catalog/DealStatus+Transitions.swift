extension DealStatus {
    /// Whether a deal may go from this status to `next` only while no buyer has ordered it.
    /// Drafts are hidden from buyers, so an ordered deal going back to draft would leave them
    /// with orders and groups of a deal they get 404 for. Every other change keeps orders alive:
    /// a paused deal takes no new orders, but its orders are still paid, cancelled and swept as
    /// usual, and a closed one (its own action) the same; a closed deal never changes again.
    /// The database enforces the same rule (the `deals_status_transition` trigger of 0004).
    public func requiresNoOrders(toBecome next: DealStatus) -> Bool {
        next == .draft && self != .draft
    }
}
