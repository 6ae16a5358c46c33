public import Domain

/// One row of the audit log.
public struct AuditEntry: Sendable, Equatable {
    public var id: Int64
    public var at: Timestamp
    public var actor: String
    public var action: String
    public var entity: String
    public var entityID: String
    /// The entity before and after, as JSON text (nil where it did not exist / did not change).
    public var before: String?
    public var after: String?
    public var requestID: String?
}
