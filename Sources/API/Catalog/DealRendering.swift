import Catalog
import Domain
import HTTPServer

/// The JSON shapes of catalog resources (see docs/API.md).
enum DealRendering {
    static func write(_ deal: Deal, into json: inout JSONWriter) {
        json.object { object in
            object.field("id", Int(deal.id))
            object.field("title", deal.title)
            object.field("description", deal.description)
            object.key("imageUrl")
            if let imageURL = deal.imageURL { object.string(imageURL) } else { object.null() }
            object.field("currency", deal.currency)
            object.field("listPrice", Int(deal.listPrice))
            object.field("groupPrice", Int(deal.groupPrice))
            object.field("groupSize", deal.groupSize)
            object.field("groupTimeLimitSeconds", deal.groupTimeLimitSeconds)
            object.field("startsAt", deal.startsAt.rfc3339)
            object.field("endsAt", deal.endsAt.rfc3339)
            object.field("perUserLimit", deal.perUserLimit)
            object.field("status", deal.status.rawValue)
            object.field("testData", deal.testData)
            object.field("version", deal.version)
            object.field("createdAt", deal.createdAt.rfc3339)
            object.field("updatedAt", deal.updatedAt.rfc3339)
        }
    }

    static func write(_ stock: StockFigures, dealID: Int64, into json: inout JSONWriter) {
        json.object { object in
            object.field("dealId", Int(dealID))
            object.field("total", stock.total)
            object.field("available", stock.available)
            object.field("reserved", stock.reserved)
            object.field("sold", stock.sold)
            object.key("slots")
            object.array { array in
                for slot in stock.slots {
                    array.object { item in
                        item.field("slot", slot.slot)
                        item.field("available", slot.available)
                        item.field("reserved", slot.reserved)
                        item.field("sold", slot.sold)
                    }
                }
            }
        }
    }

    static func write(_ entry: AuditEntry, into json: inout JSONWriter) {
        json.object { object in
            object.field("id", Int(entry.id))
            object.field("at", entry.at.rfc3339)
            object.field("actor", entry.actor)
            object.field("action", entry.action)
            object.field("entity", entry.entity)
            object.field("entityId", entry.entityID)
            object.key("before")
            if let before = entry.before { object.rawJSON(before) } else { object.null() }
            object.key("after")
            if let after = entry.after { object.rawJSON(after) } else { object.null() }
            object.key("requestId")
            if let requestID = entry.requestID { object.string(requestID) } else { object.null() }
        }
    }
}
