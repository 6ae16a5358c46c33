import Catalog
import Domain
import HTTPServer
import StrictJSON

/// Reads deal fields from a JSON object, listing every problem in one 422.
enum DealInput {
    static let fieldNames = [
        "title", "description", "imageUrl", "currency", "listPrice", "groupPrice", "groupSize",
        "groupTimeLimitSeconds", "startsAt", "endsAt", "perUserLimit", "status",
    ]

    /// A new deal and its initial stock.
    static func draft(_ members: JSONObject) throws(HTTPError) -> (DealDraft, initialStock: Int) {
        var reader = FieldReader(members)
        let title = reader.string("title", required: true)
        let description = reader.string("description") ?? ""
        let imageURL = reader.nullableString("imageUrl") ?? nil
        let currency = reader.string("currency", required: true)
        let listPrice = reader.integer("listPrice", required: true)
        let groupPrice = reader.integer("groupPrice", required: true)
        let groupSize = reader.int("groupSize", required: true)
        let groupTimeLimit = reader.int("groupTimeLimitSeconds", required: true)
        let startsAt = reader.timestamp("startsAt", required: true)
        let endsAt = reader.timestamp("endsAt", required: true)
        let perUserLimit = reader.int("perUserLimit", required: true)
        let status = reader.oneOf("status", [DealStatus.draft, .active, .paused]) ?? .draft
        let testData = reader.bool("testData") ?? false
        let stock = reader.int("stock") ?? 0
        reader.refuseUnknownFields()
        // Rules are checked even when some fields are missing or mistyped, so one answer lists
        // everything; stand-ins for the bad fields are chosen to break no rule of their own.
        let draft = DealDraft(
            title: title ?? "-", description: description, imageURL: imageURL, currency: currency ?? "XXX",
            listPrice: listPrice ?? DealDraft.Limits.price.upperBound, groupPrice: groupPrice ?? 1, groupSize: groupSize ?? 2,
            groupTimeLimitSeconds: groupTimeLimit ?? 60, startsAt: startsAt ?? Timestamp(secondsSinceEpoch: 0),
            endsAt: endsAt ?? Timestamp(secondsSinceEpoch: Int64.max), perUserLimit: perUserLimit ?? 1, status: status,
            testData: testData
        )
        let alreadyBad = Set(reader.problems.map(\.field))
        let problems = reader.problems + draft.problems.filter { !alreadyBad.contains($0.field) }
        guard problems.isEmpty else { throw ErrorTranslation.validation(problems) }
        return (draft, stock)
    }

    /// The fields present in a PATCH body (JSON merge patch: a member present changes it,
    /// `"imageUrl": null` removes the image).
    static func changes(_ members: JSONObject) throws(HTTPError) -> DealChanges {
        var reader = FieldReader(members)
        var changes = DealChanges()
        changes.title = reader.string("title")
        changes.description = reader.string("description")
        changes.imageURL = reader.nullableString("imageUrl")
        changes.currency = reader.string("currency")
        changes.listPrice = reader.integer("listPrice")
        changes.groupPrice = reader.integer("groupPrice")
        changes.groupSize = reader.int("groupSize")
        changes.groupTimeLimitSeconds = reader.int("groupTimeLimitSeconds")
        changes.startsAt = reader.timestamp("startsAt")
        changes.endsAt = reader.timestamp("endsAt")
        changes.perUserLimit = reader.int("perUserLimit")
        changes.status = reader.oneOf("status", [DealStatus.draft, .active, .paused])
        var problems: [FieldProblem] = []
        if members["testData"] != nil {
            _ = reader.bool("testData")
            problems.append(FieldProblem("testData", "is set when the deal is created and cannot change"))
        }
        reader.refuseUnknownFields()
        problems = reader.problems + problems
        guard problems.isEmpty else { throw ErrorTranslation.validation(problems) }
        guard !changes.isEmpty else {
            throw ErrorTranslation.validation([FieldProblem("body", "names no field to change; fields: \(fieldNames.joined(separator: ", "))")])
        }
        return changes
    }

    static func stockQuantity(_ members: JSONObject) throws(HTTPError) -> Int {
        var reader = FieldReader(members)
        let quantity = reader.int("quantity", required: true)
        reader.refuseUnknownFields()
        guard reader.problems.isEmpty, let quantity else { throw ErrorTranslation.validation(reader.problems) }
        return quantity
    }
}
