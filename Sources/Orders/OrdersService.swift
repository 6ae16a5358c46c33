public import Domain
public import Idempotency
public import IOCore
public import Inventory
public import Postgres

/// Groups and orders as the APIs use them: each operation borrows a connection of the pool of
/// the caller's loop for as long as it takes, so no caller ever holds one.
public struct OrdersService: Sendable {
    let pools: PostgresPools
    let store: OrdersStore
    let idempotencyKeys: IdempotencyKeys

    public init(pools: PostgresPools, store: OrdersStore) {
        self.pools = pools
        self.store = store
        self.idempotencyKeys = IdempotencyKeys(ttlSeconds: store.settings.idempotencyTTLSeconds)
    }

    /// Units one order may hold (the schema's bound; the deal's per-user limit is usually lower).
    public static var quantities: ClosedRange<Int> { OrdersStore.quantities }

    private func withConnection<Result>(on loop: EventLoop, _ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await pools.pool(for: loop).withConnection(body)
    }

    /// Starts a group for a deal with the caller's order in it.
    public func startGroup(
        user: String, dealID: Int64, quantity: Int, idempotency: IdempotencyClaim?, on loop: EventLoop
    ) async throws -> StoredResponse {
        try await withConnection(on: loop) {
            try await store.startGroup(user: user, dealID: dealID, quantity: quantity, idempotency: idempotency, on: $0)
        }
    }

    /// Joins an open group with the caller's order.
    public func joinGroup(
        user: String, groupID: Int64, quantity: Int, idempotency: IdempotencyClaim?, on loop: EventLoop
    ) async throws -> StoredResponse {
        try await withConnection(on: loop) {
            try await store.joinGroup(user: user, groupID: groupID, quantity: quantity, idempotency: idempotency, on: $0)
        }
    }

    /// Cancels an unpaid order of `user` (nil: whoever owns it); answers the order's JSON.
    public func cancel(orderID: Int64, user: String?, on loop: EventLoop) async throws -> String {
        try await withConnection(on: loop) { try await store.cancel(orderID: orderID, user: user, on: $0) }
    }

    /// The order and who owns it; nil when there is none.
    public func order(id: Int64, on loop: EventLoop) async throws -> (owner: String, json: String)? {
        try await withConnection(on: loop) { try await store.order(id: id, on: $0) }
    }

    /// The order with its state history (admins).
    public func orderWithHistory(id: Int64, on loop: EventLoop) async throws -> String? {
        try await withConnection(on: loop) { try await store.orderWithHistory(id: id, on: $0) }
    }

    /// The user's orders, newest first.
    public func orders(user: String, before cursor: Cursor?, limit: Int, on loop: EventLoop) async throws -> JSONPage {
        try await withConnection(on: loop) { try await store.orders(user: user, before: cursor, limit: limit, on: $0) }
    }

    /// Every user's orders matching `filter`, newest first (admins).
    public func orders(
        matching filter: OrderFilter, before cursor: Cursor?, limit: Int, on loop: EventLoop
    ) async throws -> JSONPage {
        try await withConnection(on: loop) { try await store.orders(matching: filter, before: cursor, limit: limit, on: $0) }
    }

    public func group(id: Int64, on loop: EventLoop) async throws -> String? {
        try await withConnection(on: loop) { try await store.group(id: id, on: $0) }
    }

    /// A deal's groups in id order; `status == "open"` lists only groups that can still be joined.
    public func groups(dealID: Int64, status: String?, after cursor: Cursor?, limit: Int, on loop: EventLoop) async throws -> JSONPage {
        try await withConnection(on: loop) { try await store.groups(dealID: dealID, status: status, after: cursor, limit: limit, on: $0) }
    }

    /// Groups of every deal, newest first, with leader and order ids (admins).
    public func groups(status: String?, dealID: Int64?, before cursor: Cursor?, limit: Int, on loop: EventLoop) async throws -> JSONPage {
        try await withConnection(on: loop) { try await store.groups(status: status, dealID: dealID, before: cursor, limit: limit, on: $0) }
    }

    /// Refunds a paid or confirmed order (admins; audited), once per Idempotency-Key. `answer`
    /// makes the stored answer of the order's JSON (the API's status and body).
    public func refund(
        orderID: Int64, actor: String, requestID: String, idempotency: IdempotencyClaim?, on loop: EventLoop,
        answer: (String) -> StoredResponse
    ) async throws -> StoredResponse {
        try await withConnection(on: loop) { connection in
            try await idempotencyKeys.run(idempotency, user: actor, on: connection) { connection in
                answer(try await store.refund(orderID: orderID, actor: actor, requestID: requestID, on: connection))
            }
        }
    }

    /// The stock invariant for one deal or all; reservations overdue by more than
    /// `allowedLagSeconds` count as stuck.
    public func inventoryReport(dealID: Int64?, allowedLagSeconds: Int, on loop: EventLoop) async throws -> InventoryCheck.Report {
        try await withConnection(on: loop) { try await InventoryCheck.run(dealID: dealID, allowedLagSeconds: allowedLagSeconds, on: $0) }
    }
}
