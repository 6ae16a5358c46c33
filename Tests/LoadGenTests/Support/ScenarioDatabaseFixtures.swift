import Foundation
import GroupBuyTesting
import IOCore
@testable import LoadGen
import Postgres
import Testing

let scenarioTestDatabaseURL = ProcessInfo.processInfo.environment["GROUPBUY_TEST_DATABASE_URL"]

/// A migrated scratch database and a loop to talk to it, for checks that read whole tables.
struct CheckWorld {
    let database: ScratchDatabase
    let group: EventLoopGroup
    var loop: EventLoop { group.loops[0] }
    var url: String { database.url }

    static func with<Result>(_ body: (CheckWorld) async throws -> Result) async throws -> Result {
        let database = try await ScratchDatabase.create(prefix: "gbload_checks", adminURL: try #require(scenarioTestDatabaseURL))
        let group = try EventLoopGroup(count: 1)
        let world = CheckWorld(database: database, group: group)
        do {
            try await world.migrate()
            let result = try await body(world)
            group.shutdown()
            try await database.drop()
            return result
        } catch {
            group.shutdown()
            try? await database.drop()
            throw error
        }
    }

    func migrate() async throws {
        let migrator = try Migrator.load(directory: scenarioRepositoryRoot.appendingPathComponent("migrations").path)
        _ = try await sql { connection in try await migrator.migrate(on: connection) }
    }

    func sql<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        try await ScenarioDatabase(url: url, loop: loop).withConnection(body)
    }

    /// Runs one statement; answers the first column of the first row.
    @discardableResult
    func sql(_ text: String, _ parameters: [PostgresValue] = []) async throws -> String? {
        try await sql { connection in
            let rows = try await connection.query(text, parameters)
            return rows.count > 0 ? rows[0].string(0) : nil
        }
    }

    /// An active deal with `stock` units over 4 slots; answers its id.
    func deal(stock: Int = 100, groupSize: Int = 2) async throws -> Int64 {
        let id = try await sql(
            """
            INSERT INTO deals (title, currency, list_price, group_price, group_size, group_time_limit_seconds, starts_at, ends_at,
                               per_user_limit, status, stock_slots, stock_total)
            VALUES ('checks', 'EUR', 2000, 1500, $1::int, 3600, now() - interval '1 minute', now() + interval '1 hour', 5, 'active', 4, $2::bigint)
            RETURNING id
            """,
            [.int(groupSize), .int(stock)]
        )
        let deal = try #require(id.flatMap { Int64($0) })
        try await sql(
            "INSERT INTO deal_stock_slots (deal_id, slot, available) SELECT $1::bigint, s, $2::int / 4 + CASE WHEN s < $2::int % 4 THEN 1 ELSE 0 END FROM generate_series(0, 3) s",
            [.int(Int(deal)), .int(stock)]
        )
        return deal
    }

    /// Starts a group for `user` the way the service does; answers (group id, order id).
    func startGroup(deal: Int64, user: String) async throws -> (group: Int64, order: Int64) {
        let body = try #require(
            try await sql("SELECT body FROM gb_order_in_group($1, $2::bigint, NULL, 1, 900, 'slots', NULL, NULL, 0)", [.text(user), .int(Int(deal))])
        )
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        let group = try #require((json["group"] as? [String: Any])?["id"] as? Int)
        let order = try #require((json["order"] as? [String: Any])?["id"] as? Int)
        return (Int64(group), Int64(order))
    }

    /// A succeeded payment of `order` (as the webhook leaves it); answers its id.
    func succeededPayment(order: Int64, intent: String) async throws -> Int64 {
        let id = try await sql(
            "INSERT INTO payments (order_id, intent_id, amount, currency, status) VALUES ($1::bigint, $2, 1500, 'EUR', 'succeeded') RETURNING id",
            [.int(Int(order)), .text(intent)]
        )
        return try #require(id.flatMap { Int64($0) })
    }
}
