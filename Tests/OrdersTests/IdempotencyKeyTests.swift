import Postgres
import SQLTesting
import Testing

/// Idempotency keys of gb_order_in_group (gb_idempotency_begin/finish): a replay answers the
/// first answer and has no effect; another body, or the key still in use, is refused.
@Suite(.needsTestDatabase)
struct IdempotencyKeyTests {
    @Test func aReplayAnswersTheFirstAnswerAndOrdersNothing() async throws {
        let (first, again, orders) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [5])
                let first = try await session.placeOrder(user: "buyer", deal: deal, key: "k1", requestHash: "h1")
                let again = try await session.placeOrder(user: "buyer", deal: deal, key: "k1", requestHash: "h1")
                return (first, again, try await session.int("SELECT count(*) FROM orders"))
            }
        }
        #expect(first.statusCode == 201)
        #expect(again.statusCode == 201)
        #expect(again.body == first.body)
        #expect(orders == 1)
    }

    /// (second request's user, hash) → its answer: the key is the user's, the body must match.
    @Test(arguments: [("buyer", "h2", "GB012"), ("someone else", "h2", nil)])
    func theKeyBelongsToOneUserAndOneRequest(user: String, hash: String, refusal: String?) async throws {
        let (second, orders) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [5])
                _ = try await session.placedOrder(user: "buyer", deal: deal)
                _ = try await session.placeOrder(user: "buyer", deal: deal, key: "k1", requestHash: "h1")
                let second = try await session.placeOrder(user: user, deal: deal, key: "k1", requestHash: hash)
                return (second, try await session.int("SELECT count(*) FROM orders"))
            }
        }
        #expect(second.refusal == refusal)
        #expect(orders == (refusal == nil ? 3 : 2))
    }

    /// A request with the key while the first still runs (another session holds the key's
    /// advisory lock): refused at once, not waited for.
    @Test func aKeyInUseIsRefusedWithoutWaiting() async throws {
        let (placement, orders) = try await FunctionsDatabase.with { database in
            try await database.session { first in
                try await database.session { second in
                    // A wait fails the test instead of hanging it.
                    _ = try await second.query("SET lock_timeout = '10s'")
                    let deal = try await second.makeDeal(slots: [5])
                    _ = try await first.query("BEGIN")
                    _ = try await first.query(
                        "SELECT pg_advisory_xact_lock(hashtextextended('buyer' || E'\\n' || 'k1', 0))")
                    let placement = try await second.placeOrder(user: "buyer", deal: deal, key: "k1", requestHash: "h1")
                    _ = try await first.query("ROLLBACK")
                    return (placement, try await second.int("SELECT count(*) FROM orders"))
                }
            }
        }
        #expect(placement.refusal == "GB013")
        #expect(orders == 0)
    }

    /// A refused request stores nothing under its key: sent again once it can succeed, it does.
    @Test func aRefusalIsNotRemembered() async throws {
        let (refused, later) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [0])
                let refused = try await session.placeOrder(user: "buyer", deal: deal, key: "k1", requestHash: "h1")
                _ = try await session.query("SELECT * FROM gb_add_stock($1::bigint, 5, 'admin', NULL)", [.int(deal)])
                return (refused, try await session.placeOrder(user: "buyer", deal: deal, key: "k1", requestHash: "h1"))
            }
        }
        #expect(refused.refusal == "GB003")
        #expect(later.statusCode == 201)
    }

    /// A key past its lifetime is free again: the request takes effect anew.
    @Test func anExpiredKeyTakesEffectAgain() async throws {
        let (first, again, orders) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [5])
                let first = try await session.placeOrder(user: "buyer", deal: deal, key: "k1", requestHash: "h1")
                _ = try await session.query("UPDATE idempotency_keys SET expires_at = now() - interval '1 second'")
                let again = try await session.placeOrder(user: "buyer", deal: deal, key: "k1", requestHash: "h2")
                return (first, again, try await session.int("SELECT count(*) FROM orders"))
            }
        }
        #expect(first.statusCode == 201)
        #expect(again.statusCode == 201)
        #expect(again.order != first.order)
        #expect(orders == 2)
    }
}
