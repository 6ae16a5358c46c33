public import Domain
public import Inventory
public import Postgres

/// A creating request's Idempotency-Key and a digest of the request it came with.
public struct IdempotencyClaim: Sendable, Equatable {
    public var key: String
    /// Hex SHA-256 of what makes two requests "the same" (method, path, body).
    public var requestHash: String

    public init(key: String, requestHash: String) {
        self.key = key
        self.requestHash = requestHash
    }
}

/// An answer made by the database: HTTP status and JSON body (the first answer again, when
/// an Idempotency-Key was replayed).
public struct StoredResponse: Sendable, Equatable {
    public var status: Int
    public var body: String

    public init(status: Int, body: String) {
        self.status = status
        self.body = body
    }
}

/// A page of JSON items rendered by the database.
public struct JSONPage: Sendable {
    public var items: [String]
    public var nextCursor: Cursor?

    public init(items: [String], nextCursor: Cursor?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

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
        try await Self.refusalsTranslated {
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

    public struct OrderFilter: Sendable {
        public var status: String?
        public var dealID: Int64?
        public var userID: String?
        public var groupID: Int64?

        public init(status: String? = nil, dealID: Int64? = nil, userID: String? = nil, groupID: Int64? = nil) {
            self.status = status
            self.dealID = dealID
            self.userID = userID
            self.groupID = groupID
        }
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
        try await Self.refusalsTranslated {
            let rows = try await connection.execute(OrdersStatements.adminRefund.name, [.int(Int(orderID)), .text(actor), .text(requestID)])
            try rows[0].throwIfRefused(code: 0, detail: 1)
            return rows[0].string(1) ?? "null"
        }
    }

    /// Runs `effect` in a transaction with `idempotency` (when given) claimed first and its
    /// answer stored last, both in that transaction: a retry gets the first answer, the key
    /// with another request is refused, and a refusal stores nothing (the retry runs again).
    public func idempotent(
        _ idempotency: IdempotencyClaim?, user: String, on connection: PostgresConnection,
        _ effect: (PostgresConnection) async throws -> StoredResponse
    ) async throws -> StoredResponse {
        guard let idempotency else { return try await effect(connection) }
        return try await Self.refusalsTranslated {
            try await connection.transaction { connection in
                let stored = try await connection.execute(
                    OrdersStatements.idempotencyBegin.name, [.text(user), .text(idempotency.key), .text(idempotency.requestHash)]
                )
                try stored[0].throwIfRefused(code: 2, detail: 1)
                if let status = stored[0].int(0), let body = stored[0].string(1) { return StoredResponse(status: status, body: body) }
                let answer = try await effect(connection)
                _ = try await connection.execute(
                    OrdersStatements.idempotencyFinish.name,
                    [
                        .text(user), .text(idempotency.key), .text(idempotency.requestHash), .int(answer.status), .text(answer.body),
                        .int(settings.idempotencyTTLSeconds),
                    ]
                )
                return answer
            }
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
        return try await Self.refusalsTranslated {
            let rows = try await connection.execute(statement.name, parameters)
            try rows[0].throwIfRefused(code: 2, detail: 1)
            guard let status = rows[0].int(0), let body = rows[0].string(1) else {
                throw UnexpectedAnswer(statement: statement.name)
            }
            return StoredResponse(status: status, body: body)
        }
    }

    /// Runs `body`, again when PostgreSQL rolled it back for a deadlock or a serialization
    /// failure (our own operations take locks in one order and should cause neither), and turns
    /// GB errors raised by the database (the transition triggers) into `OrdersError`.
    public static func refusalsTranslated<Result>(_ body: () async throws -> Result) async throws -> Result {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch let error as PostgresError {
                if let refusal = OrdersError(error) { throw refusal }
                guard error.isRetryable, attempt < 3 else { throw error }
                attempt += 1
            }
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
