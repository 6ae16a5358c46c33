import Foundation
package import Postgres

/// What `gb_order_in_group` answered: the group and order of its 201 answer, or a refusal.
package struct Placement: Sendable {
    package let statusCode: Int?
    package let body: String?
    package let refusal: String?

    /// The new order's group and the order, from the answer's JSON.
    package var group: Int? { member("group") }
    package var order: Int? { member("order") }

    private func member(_ name: String) -> Int? {
        guard let body, refusal == nil,
            let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        else { return nil }
        return (object[name] as? [String: Any])?["id"] as? Int
    }
}

extension PostgresConnection {
    /// Starts a group of `deal` (no `group`) or joins `group` (no `deal`) as the service does.
    package func placeOrder(
        user: String, deal: Int? = nil, group: Int? = nil, quantity: Int = 1, paymentWindowSeconds: Int = 900,
        strategy: String = "slots", key: String? = nil, requestHash: String = "request"
    ) async throws -> Placement {
        let rows = try await query(
            """
            SELECT status_code, body, refusal
            FROM gb_order_in_group(
                $1::text, $2::bigint, $3::bigint, $4::int, $5::int, $6::text, $7::text, $8::text, 86400
            )
            """,
            [
                .text(user), deal.map { .int($0) } ?? .null, group.map { .int($0) } ?? .null, .int(quantity),
                .int(paymentWindowSeconds), .text(strategy), .optional(key), .text(requestHash),
            ]
        )
        return Placement(statusCode: rows[0].int(0), body: rows[0].string(1), refusal: rows[0].string(2))
    }

    /// As `placeOrder`, for a fixture that needs the order: a refusal is an error. Answers the group and the order.
    @discardableResult
    package func placedOrder(
        user: String, deal: Int? = nil, group: Int? = nil, quantity: Int = 1
    ) async throws -> (group: Int, order: Int) {
        let placement = try await placeOrder(user: user, deal: deal, group: group, quantity: quantity)
        guard let group = placement.group, let order = placement.order else {
            throw FixtureFailure("\(user) could not order: \(placement.refusal ?? "?") \(placement.body ?? "")")
        }
        return (group, order)
    }

    /// The order's status.
    package func orderStatus(_ order: Int) async throws -> String? {
        try await value("SELECT status FROM orders WHERE id = $1::bigint", [.int(order)])
    }

    /// The group's status, members and paid members.
    package func groupState(_ group: Int) async throws -> [String] {
        let rows = try await query(
            "SELECT status, member_count, paid_count FROM groups WHERE id = $1::bigint", [.int(group)])
        return rows.count == 1 ? (0..<3).map { rows[0].string($0) ?? "NULL" } : []
    }

    /// Units `user` holds of `deal` in live orders (the per-user limit's count).
    package func heldQuantity(user: String, deal: Int) async throws -> Int? {
        try await int(
            "SELECT quantity FROM user_deal_quantities WHERE user_id = $1::text AND deal_id = $2::bigint",
            [.text(user), .int(deal)])
    }

    /// Moves the order's payment window (and its group's time limit, when `group` is set) into the past.
    package func expire(order: Int? = nil, group: Int? = nil) async throws {
        if let order {
            _ = try await query(
                "UPDATE orders SET expires_at = now() - interval '1 second' WHERE id = $1::bigint", [.int(order)])
        }
        if let group {
            _ = try await query(
                "UPDATE groups SET expires_at = now() - interval '1 second' WHERE id = $1::bigint", [.int(group)])
        }
    }
}
