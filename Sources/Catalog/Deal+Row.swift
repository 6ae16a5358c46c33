import Domain
import Postgres

extension Deal {
    init(row: PostgresRow) throws {
        guard let id = row.int(0), let title = row.string(1), let description = row.string(2), let currency = row.string(4),
            let listPrice = row.int(5), let groupPrice = row.int(6), let groupSize = row.int(7), let limit = row.int(8),
            let startsAt = row.int(9), let endsAt = row.int(10), let perUserLimit = row.int(11),
            let status = row.string(12).flatMap(DealStatus.init(rawValue:)), let version = row.int(13), let slots = row.int(14),
            let createdAt = row.int(15), let updatedAt = row.int(16), let testData = row.bool(17)
        else { throw RowError(table: "deals") }
        let fields = DealDraft(
            title: title, description: description, imageURL: row.string(3), currency: currency, listPrice: Int64(listPrice),
            groupPrice: Int64(groupPrice), groupSize: groupSize, groupTimeLimitSeconds: limit,
            startsAt: Timestamp(secondsSinceEpoch: Int64(startsAt)), endsAt: Timestamp(secondsSinceEpoch: Int64(endsAt)),
            perUserLimit: perUserLimit, status: status, testData: testData
        )
        self.init(
            id: Int64(id), fields: fields, version: version, stockSlots: slots,
            createdAt: Timestamp(secondsSinceEpoch: Int64(createdAt)), updatedAt: Timestamp(secondsSinceEpoch: Int64(updatedAt))
        )
    }
}
