public import Domain

/// A job of the outbox as operators see it (`GET /v1/admin/outbox`, `gbctl outbox list`).
public struct OutboxJob: Sendable, Equatable {
    public var id: Int64
    /// `refund`.
    public var kind: String
    /// `queued`, `running`, `done` or `dead` (`OutboxJobs.states`).
    public var state: String
    public var attempts: Int
    public var lastError: String?
    /// What the job is about, as JSON text (e.g. `{"refundId": 7}`).
    public var payload: String
    /// When the next attempt may run.
    public var runAt: Timestamp
    /// While running: when the claim lapses.
    public var lockedUntil: Timestamp?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
}
