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
