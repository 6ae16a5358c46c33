import Postgres

extension StockFigures {
    init(rows: PostgresRows) throws {
        var slots: [Slot] = []
        for index in 0..<rows.count {
            let row = rows[index]
            guard let slot = row.int(0), let available = row.int(1), let reserved = row.int(2), let sold = row.int(3) else {
                throw RowError(table: "deal_stock_slots")
            }
            slots.append(Slot(slot: slot, available: available, reserved: reserved, sold: sold))
        }
        self.init(slots: slots)
    }
}
