public import Domain
public import Idempotency
public import Inventory
public import Postgres

/// Groups and orders on one connection. Stateless apart from its settings: one value serves
/// every loop.
public struct OrdersStore: Sendable {
    public struct Settings: Sendable {
        public var strategy: InventoryStrategy
        /// How long a buyer has to pay (never past the group's own time limit).
        public var paymentWindowSeconds: Int
        /// How long an Idempotency-Key and its first answer are kept.
        public var idempotencyTTLSeconds: Int

        public init(strategy: InventoryStrategy = .slots, paymentWindowSeconds: Int = 900, idempotencyTTLSeconds: Int = 86_400) {
            self.strategy = strategy
            self.paymentWindowSeconds = paymentWindowSeconds
            self.idempotencyTTLSeconds = idempotencyTTLSeconds
        }
    }

    /// Units one order may hold (the schema's bound; the deal's per-user limit is usually lower).
    public static let quantities = 1...1_000

    public let settings: Settings

    public init(settings: Settings) {
        self.settings = settings
    }

    /// Starts a group for a deal with the caller's order in it.
    public func startGroup(
        user: String, dealID: Int64, quantity: Int, idempotency: IdempotencyClaim?, on connection: PostgresConnection
    ) async throws -> StoredResponse {
        try await placeOrder(OrdersStatements.startGroup, user: user, target: dealID, quantity: quantity, idempotency: idempotency, on: connection)
    }

    /// Joins an open group with the caller's order.
    public func joinGroup(
        user: String, groupID: Int64, quantity: Int, idempotency: IdempotencyClaim?, on connection: PostgresConnection
    ) async throws -> StoredResponse {
        try await placeOrder(OrdersStatements.joinGroup, user: user, target: groupID, quantity: quantity, idempotency: idempotency, on: connection)
    }

    /// Cancels an unpaid order of `user` (nil: whoever owns it); answers the order's JSON.
    public func cancel(orderID: Int64, user: String?, on connection: PostgresConnection) async throws -> String {
        try await translatingRefusals {
            let rows = try await connection.execute(OrdersStatements.cancelOrder.name, [.int(Int(orderID)), .optional(user)])
            try rows[0].throwIfRefused(code: 0, detail: 1)
            return rows[0].string(1) ?? "null"
        }
    }

    /// The order and who owns it; nil when there is none.
    public func order(id: Int64, on connection: PostgresConnection) async throws -> (owner: String, json: String)? {
        let rows = try await connection.execute(OrdersStatements.order.name, [.int(Int(id))])
        guard rows.count == 1, let owner = rows[0].string(0), let json = rows[0].string(1) else { return nil }
        return (owner, json)
    }

    /// The order with its state history (admins).
    public func orderWithHistory(id: Int64, on connection: PostgresConnection) async throws -> String? {
        let rows = try await connection.execute(OrdersStatements.orderWithHistory.name, [.int(Int(id))])
        return rows.count == 1 ? rows[0].string(0) : nil
    }

    /// The user's orders, newest first.
    public func orders(user: String, before cursor: Cursor?, limit: Int, on connection: PostgresConnection) async throws -> JSONPage {
        let rows = try await connection.execute(
            OrdersStatements.ordersOfUser.name, [.text(user), .int(Int(cursor?.afterID ?? Int64.max)), .int(limit + 1)]
        )
        return Self.page(rows, limit: limit)
    }

    /// Every user's orders matching `filter`, newest first (admins).
    public func orders(matching filter: OrderFilter, before cursor: Cursor?, limit: Int, on connection: PostgresConnection) async throws -> JSONPage {
        let rows = try await connection.execute(
            OrdersStatements.adminOrders.name,
            [
                .optional(filter.status), .optional(filter.dealID.map { String($0) }), .optional(filter.userID),
                .optional(filter.groupID.map { String($0) }), .int(Int(cursor?.afterID ?? Int64.max)), .int(limit + 1),
            ]
        )
        return Self.page(rows, limit: limit)
    }

    public func group(id: Int64, on connection: PostgresConnection) async throws -> String? {
        let rows = try await connection.execute(OrdersStatements.group.name, [.int(Int(id))])
        return rows.count == 1 ? rows[0].string(0) : nil
    }

    /// A deal's groups in id order; `status == "open"` lists only groups that can still be joined.
    public func groups(dealID: Int64, status: String?, after cursor: Cursor?, limit: Int, on connection: PostgresConnection) async throws -> JSONPage {
        let rows = try await connection.execute(
            OrdersStatements.groupsOfDeal.name,
            [.int(Int(dealID)), .optional(status), .bool(status == "open"), .int(Int(cursor?.afterID ?? 0)), .int(limit + 1)]
        )
        return Self.page(rows, limit: limit)
    }

    /// Groups of every deal, newest first, with leader and order ids (admins).
    public func groups(status: String?, dealID: Int64?, before cursor: Cursor?, limit: Int, on connection: PostgresConnection) async throws -> JSONPage {
        let rows = try await connection.execute(
            OrdersStatements.adminGroups.name,
            [.optional(status), .optional(dealID.map { String($0) }), .int(Int(cursor?.afterID ?? Int64.max)), .int(limit + 1)]
        )
        return Self.page(rows, limit: limit)
    }

    /// Refunds a paid or confirmed order (admins; audited). Answers the order's JSON.
    public func refund(orderID: Int64, actor: String, requestID: String, on connection: PostgresConnection) async throws -> String {
        try await translatingRefusals {
            let rows = try await connection.execute(OrdersStatements.adminRefund.name, [.int(Int(orderID)), .text(actor), .text(requestID)])
            try rows[0].throwIfRefused(code: 0, detail: 1)
            return rows[0].string(1) ?? "null"
        }
    }

    // MARK: - Helpers

    private func placeOrder(
        _ statement: PreparedStatement, user: String, target: Int64, quantity: Int, idempotency: IdempotencyClaim?,
        on connection: PostgresConnection
    ) async throws -> StoredResponse {
        let parameters: [PostgresValue] = [
            .text(user), .int(Int(target)), .int(quantity), .int(settings.paymentWindowSeconds), .text(settings.strategy.rawValue),
            .optional(idempotency?.key), .optional(idempotency?.requestHash), .int(settings.idempotencyTTLSeconds),
        ]
        return try await translatingRefusals {
            let rows = try await connection.execute(statement.name, parameters)
            try rows[0].throwIfRefused(code: 2, detail: 1)
            guard let status = rows[0].int(0), let body = rows[0].string(1) else {
                throw UnexpectedAnswer(statement: statement.name)
            }
            return StoredResponse(status: status, body: body)
        }
    }

    struct UnexpectedAnswer: Error, CustomStringConvertible {
        let statement: String
        var description: String { "\(statement) answered no status or body" }
    }

    static func page(_ rows: PostgresRows, limit: Int) -> JSONPage {
        var items: [String] = []
        items.reserveCapacity(min(rows.count, limit))
        var lastID: Int64 = 0
        for index in 0..<min(rows.count, limit) {
            items.append(rows[index].string(1) ?? "null")
            lastID = Int64(rows[index].int(0) ?? 0)
        }
        return JSONPage(items: items, nextCursor: rows.count > limit ? Cursor(afterID: lastID) : nil)
    }
}
