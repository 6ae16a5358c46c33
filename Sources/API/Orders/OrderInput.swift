import Domain
import HTTPServer
import Orders

/// Reads the bodies of the group and order routes, listing every problem in one 422.
enum OrderInput {
    /// `POST /v1/groups`: `{"dealId": 1, "quantity": 2}` (quantity defaults to 1).
    static func startGroup(_ request: Request) throws(HTTPError) -> (dealID: Int64, quantity: Int) {
        var reader = FieldReader(try JSONInput.object(of: request))
        let dealID = reader.integer("dealId", required: true)
        let quantity = reader.int("quantity") ?? 1
        reader.refuseUnknownFields()
        var problems = reader.problems
        if let dealID, dealID < 1 { problems.append(FieldProblem("dealId", "must be a positive id")) }
        problems += quantityProblems(quantity)
        guard problems.isEmpty, let dealID else { throw ErrorTranslation.validation(problems) }
        return (dealID, quantity)
    }

    /// `POST /v1/groups/{id}/join`: `{"quantity": 2}`, or no body at all for one unit.
    static func joinGroup(_ request: Request) throws(HTTPError) -> Int {
        guard !request.body.isEmpty else { return 1 }
        var reader = FieldReader(try JSONInput.object(of: request))
        let quantity = reader.int("quantity") ?? 1
        reader.refuseUnknownFields()
        let problems = reader.problems + quantityProblems(quantity)
        guard problems.isEmpty else { throw ErrorTranslation.validation(problems) }
        return quantity
    }

    private static func quantityProblems(_ quantity: Int) -> [FieldProblem] {
        OrdersService.quantities.contains(quantity)
            ? [] : [FieldProblem("quantity", "must be from \(OrdersService.quantities.lowerBound) to \(OrdersService.quantities.upperBound)")]
    }
}
