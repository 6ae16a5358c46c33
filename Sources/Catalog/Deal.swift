public import Domain

/// A deal of the catalog: a product sold at a group price when `groupSize` buyers team up.
/// The fields an admin sets are its `fields` (readable directly: `deal.title`); the rest the
/// service keeps.
@dynamicMemberLookup
public struct Deal: Sendable, Equatable {
    public var id: Int64
    public var fields: DealDraft
    /// Bumped by every change; the deal's ETag.
    public var version: Int
    public var stockSlots: Int
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public subscript<Value>(dynamicMember field: KeyPath<DealDraft, Value>) -> Value {
        fields[keyPath: field]
    }

    /// True when buyers can start or join groups at `now`.
    public func isActive(at now: Timestamp) -> Bool {
        fields.status == .active && fields.startsAt <= now && now < fields.endsAt
    }
}
