public import Domain

/// A deal of the catalog: a product sold at a group price when `groupSize` buyers team up.
public struct Deal: Sendable, Equatable {
    public var id: Int64
    public var title: String
    public var description: String
    public var imageURL: String?
    /// ISO 4217 code; prices are integer minor units of it.
    public var currency: String
    public var listPrice: Int64
    public var groupPrice: Int64
    public var groupSize: Int
    public var groupTimeLimitSeconds: Int
    public var startsAt: Timestamp
    public var endsAt: Timestamp
    public var perUserLimit: Int
    public var status: DealStatus
    /// Bumped by every change; the deal's ETag.
    public var version: Int
    public var stockSlots: Int
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    /// True when buyers can start or join groups at `now`.
    public func isActive(at now: Timestamp) -> Bool {
        status == .active && startsAt <= now && now < endsAt
    }

    /// The fields a client can set, as they are now.
    public var draft: DealDraft {
        DealDraft(
            title: title, description: description, imageURL: imageURL, currency: currency, listPrice: listPrice,
            groupPrice: groupPrice, groupSize: groupSize, groupTimeLimitSeconds: groupTimeLimitSeconds,
            startsAt: startsAt, endsAt: endsAt, perUserLimit: perUserLimit, status: status
        )
    }
}

public enum DealStatus: String, Sendable, CaseIterable {
    case draft, active, paused, closed
}

/// Stock figures of a deal, summed over its slots (and per slot for operators).
public struct StockFigures: Sendable, Equatable {
    public struct Slot: Sendable, Equatable {
        public var slot: Int
        public var available: Int
        public var reserved: Int
        public var sold: Int
    }

    public var slots: [Slot]
    public var available: Int { slots.reduce(0) { $0 + $1.available } }
    public var reserved: Int { slots.reduce(0) { $0 + $1.reserved } }
    public var sold: Int { slots.reduce(0) { $0 + $1.sold } }
    public var total: Int { available + reserved + sold }
}
