public import Postgres

/// The catalog's SQL, prepared on every pooled connection as it opens. Input only ever
/// arrives as bound parameters.
public enum CatalogStatements {
    /// Columns read into a `Deal`, in `Deal.init(row:)` order; times as Unix seconds.
    static let dealColumns = """
        id, title, description, image_url, currency, list_price, group_price, group_size,
        group_time_limit_seconds, extract(epoch FROM starts_at)::bigint AS starts_at,
        extract(epoch FROM ends_at)::bigint AS ends_at, per_user_limit, status, version, stock_slots,
        extract(epoch FROM created_at)::bigint AS created_at, extract(epoch FROM updated_at)::bigint AS updated_at, test_data
        """

    /// The read path's statement (loadtest/catalog/select.sql runs the same one in pgbench).
    static let findDeal = PreparedStatement("catalog_find_deal", "SELECT \(dealColumns) FROM deals WHERE id = $1::bigint")

    /// The deal and its row as JSON, for the audit of a change.
    static let findDealWithSnapshot = PreparedStatement(
        "catalog_find_deal_snapshot",
        "SELECT \(dealColumns), to_jsonb(deals)::text AS snapshot FROM deals WHERE id = $1::bigint"
    )

    /// A page of deals after a cursor: $1 status or NULL, $2 active now only, $3 include
    /// drafts, $4 after id, $5 limit, $6 test data only (true), none of it (false) or both (NULL).
    static let listDeals = PreparedStatement(
        "catalog_list_deals",
        """
        SELECT \(dealColumns) FROM deals
        WHERE ($1::text IS NULL OR status = $1::text)
          AND (NOT $2::bool OR (status = 'active' AND starts_at <= now() AND ends_at > now()))
          AND ($3::bool OR status <> 'draft')
          AND id > $4::bigint
          AND ($6::bool IS NULL OR test_data = $6::bool)
        ORDER BY id
        LIMIT $5::int
        """
    )

    /// Creates the deal, its stock slots (the initial stock spread evenly) and the audit row in
    /// one statement: $1…$12 the fields, $13 slot count, $14 initial stock, $15 actor, $16 request id,
    /// $17 test data.
    static let createDeal = PreparedStatement(
        "catalog_create_deal",
        """
        WITH deal AS (
            INSERT INTO deals (title, description, image_url, currency, list_price, group_price, group_size,
                               group_time_limit_seconds, starts_at, ends_at, per_user_limit, status, stock_slots, stock_total, test_data)
            VALUES ($1::text, $2::text, $3::text, $4::text, $5::bigint, $6::bigint, $7::int, $8::int,
                    to_timestamp($9::bigint), to_timestamp($10::bigint), $11::int, $12::text, $13::int, $14::int, $17::bool)
            RETURNING *
        ), slots AS (
            INSERT INTO deal_stock_slots (deal_id, slot, available)
            SELECT deal.id, s, $14::int / $13::int + CASE WHEN s < $14::int % $13::int THEN 1 ELSE 0 END
            FROM deal, generate_series(0, $13::int - 1) AS s
        ), audit AS (
            INSERT INTO audit_log (actor, action, entity, entity_id, before, after, request_id)
            SELECT $15::text, 'deal.create', 'deal', deal.id::text, NULL,
                   to_jsonb(deal) || jsonb_build_object('initial_stock', $14::int), $16::text
            FROM deal
        )
        SELECT \(dealColumns) FROM deal
        """
    )

    /// Writes every field of a deal: $1 id, $2…$13 the fields, only if still at version $14; with
    /// the audit row: $15 the row as read (JSON), $16 actor, $17 request id. No row when the
    /// version moved on meanwhile or the deal was closed.
    static let updateDeal = PreparedStatement(
        "catalog_update_deal",
        """
        WITH deal AS (
            UPDATE deals SET title = $2::text, description = $3::text, image_url = $4::text, currency = $5::text,
                list_price = $6::bigint, group_price = $7::bigint, group_size = $8::int,
                group_time_limit_seconds = $9::int, starts_at = to_timestamp($10::bigint),
                ends_at = to_timestamp($11::bigint), per_user_limit = $12::int, status = $13::text,
                version = version + 1, updated_at = now()
            WHERE id = $1::bigint AND version = $14::int AND status <> 'closed'
            RETURNING *
        ), audit AS (
            INSERT INTO audit_log (actor, action, entity, entity_id, before, after, request_id)
            SELECT $16::text, 'deal.update', 'deal', deal.id::text, $15::jsonb, to_jsonb(deal), $17::text FROM deal
        )
        SELECT \(dealColumns) FROM deal
        """
    )

    /// Closes a deal that is not closed yet, with the audit row: $2 actor, $3 request id.
    static let closeDeal = PreparedStatement(
        "catalog_close_deal",
        """
        WITH before AS (
            SELECT to_jsonb(deals) AS snapshot FROM deals WHERE id = $1::bigint
        ), deal AS (
            UPDATE deals SET status = 'closed', version = version + 1, updated_at = now()
            WHERE id = $1::bigint AND status <> 'closed'
            RETURNING *
        ), audit AS (
            INSERT INTO audit_log (actor, action, entity, entity_id, before, after, request_id)
            SELECT $2::text, 'deal.close', 'deal', deal.id::text, (SELECT snapshot FROM before), to_jsonb(deal), $3::text
            FROM deal
        )
        SELECT \(dealColumns) FROM deal
        """
    )

    /// Adds $2 units spread evenly over the slots of a deal that is not closed (gb_add_stock:
    /// the slots are locked in slot order, as every other writer does), with the audit row:
    /// $3 actor, $4 request id. Answers the slots after the change; none when refused.
    static let addStock = PreparedStatement(
        "catalog_add_stock",
        "SELECT slot, available, reserved, sold FROM gb_add_stock($1::bigint, $2::int, $3::text, $4::text)"
    )

    /// Whether any buyer ever ordered deal $1 (it may then not go back to draft).
    static let dealHasOrders = PreparedStatement(
        "catalog_deal_has_orders", "SELECT EXISTS (SELECT 1 FROM orders WHERE deal_id = $1::bigint)"
    )

    /// An admin action outside the catalog (e.g. issuing tokens): $1 actor, $2 action, $3 entity,
    /// $4 entity id, $5 after (JSON text), $6 request id.
    static let recordAudit = PreparedStatement(
        "catalog_record_audit",
        """
        INSERT INTO audit_log (actor, action, entity, entity_id, before, after, request_id)
        VALUES ($1::text, $2::text, $3::text, $4::text, NULL, $5::jsonb, $6::text)
        """
    )

    static let stockOfDeal = PreparedStatement(
        "catalog_stock_of_deal",
        "SELECT slot, available, reserved, sold FROM deal_stock_slots WHERE deal_id = $1::bigint ORDER BY slot"
    )

    /// Audit rows, newest first: $1 entity id or NULL, $2 before this id, $3 limit.
    static let listAudit = PreparedStatement(
        "catalog_list_audit",
        """
        SELECT id, extract(epoch FROM at)::bigint AS at, actor, action, entity, entity_id,
               before::text AS before, after::text AS after, request_id
        FROM audit_log
        WHERE ($1::text IS NULL OR entity_id = $1::text) AND id < $2::bigint
        ORDER BY id DESC
        LIMIT $3::int
        """
    )

    /// Everything the catalog prepares on each connection.
    public static let all: [PreparedStatement] = [
        findDeal, findDealWithSnapshot, listDeals, createDeal, updateDeal, closeDeal, addStock, dealHasOrders, stockOfDeal,
        listAudit, recordAudit,
    ]
}
