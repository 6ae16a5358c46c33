public import Postgres

/// The SQL of groups and orders, prepared on every pooled connection. The work is in the
/// functions of migrations/0003 and 0004; these call them and read pages. A function that
/// refuses answers the refusal's SQLSTATE in its `refusal` column and the message in `body`.
public enum OrdersStatements {
    /// $1 user, $2 deal, $3 quantity, $4 payment window (s), $5 strategy, $6 idempotency key
    /// or NULL, $7 request hash, $8 key lifetime (s). Answers the HTTP status and JSON body.
    static let startGroup = PreparedStatement(
        "orders_start_group",
        """
        SELECT status_code, body, refusal
        FROM gb_order_in_group($1::text, $2::bigint, NULL, $3::int, $4::int, $5::text, $6::text, $7::text, $8::int)
        """
    )

    /// As `startGroup`, with $2 the group.
    static let joinGroup = PreparedStatement(
        "orders_join_group",
        """
        SELECT status_code, body, refusal
        FROM gb_order_in_group($1::text, NULL, $2::bigint, $3::int, $4::int, $5::text, $6::text, $7::text, $8::int)
        """
    )

    /// $1 order, $2 its owner (NULL: any owner, for admins).
    static let cancelOrder = PreparedStatement(
        "orders_cancel", "SELECT refusal, body FROM gb_cancel_order($1::bigint, $2::text)"
    )

    static let order = PreparedStatement(
        "orders_find",
        "SELECT o.user_id, gb_order_json(o)::text FROM orders o WHERE o.id = $1::bigint"
    )

    /// The order with its history of state changes, for admins.
    static let orderWithHistory = PreparedStatement(
        "orders_find_with_history",
        """
        SELECT (gb_order_json(o)::jsonb || jsonb_build_object('history', (
                   SELECT jsonb_agg(jsonb_build_object('from', h.from_status, 'to', h.to_status, 'at', gb_rfc3339(h.at), 'actor', h.actor)
                                    ORDER BY h.at)
                   FROM order_history h WHERE h.order_id = o.id)))::text
        FROM orders o WHERE o.id = $1::bigint
        """
    )

    /// A user's orders, newest first: $1 user, $2 before this id, $3 limit.
    static let ordersOfUser = PreparedStatement(
        "orders_of_user",
        "SELECT o.id, gb_order_json(o)::text FROM orders o WHERE o.user_id = $1::text AND o.id < $2::bigint ORDER BY o.id DESC LIMIT $3::int"
    )

    /// Orders for admins, newest first: $1 status, $2 deal, $3 user, $4 group (each NULL: any),
    /// $5 before this id, $6 limit.
    static let adminOrders = PreparedStatement(
        "orders_admin_list",
        """
        SELECT o.id, gb_order_json(o)::text FROM orders o
        WHERE ($1::text IS NULL OR o.status = $1::text) AND ($2::bigint IS NULL OR o.deal_id = $2::bigint)
          AND ($3::text IS NULL OR o.user_id = $3::text) AND ($4::bigint IS NULL OR o.group_id = $4::bigint)
          AND o.id < $5::bigint
        ORDER BY o.id DESC LIMIT $6::int
        """
    )

    static let group = PreparedStatement("orders_group_find", "SELECT gb_group_json(g)::text FROM groups g WHERE g.id = $1::bigint")

    /// Groups of a deal in id order: $1 deal, $2 status or NULL, $3 joinable only (open, before
    /// its time limit and with a seat left), $4 after this id, $5 limit.
    static let groupsOfDeal = PreparedStatement(
        "orders_groups_of_deal",
        """
        SELECT g.id, gb_group_json(g)::text FROM groups g
        WHERE g.deal_id = $1::bigint AND ($2::text IS NULL OR g.status = $2::text)
          AND (NOT $3::bool OR (g.expires_at > now() AND g.member_count < g.size)) AND g.id > $4::bigint
        ORDER BY g.id LIMIT $5::int
        """
    )

    /// Groups for admins, newest first, with their orders' ids: $1 status, $2 deal (NULL: any),
    /// $3 before this id, $4 limit.
    static let adminGroups = PreparedStatement(
        "orders_admin_groups",
        """
        SELECT g.id, (gb_group_json(g)::jsonb || jsonb_build_object(
                   'leaderUserId', g.leader_user_id,
                   'orderIds', (SELECT coalesce(jsonb_agg(o.id ORDER BY o.id), '[]'::jsonb) FROM orders o WHERE o.group_id = g.id)))::text
        FROM groups g
        WHERE ($1::text IS NULL OR g.status = $1::text) AND ($2::bigint IS NULL OR g.deal_id = $2::bigint) AND g.id < $3::bigint
        ORDER BY g.id DESC LIMIT $4::int
        """
    )

    /// $1 order, $2 actor, $3 request id.
    static let adminRefund = PreparedStatement(
        "orders_admin_refund", "SELECT refusal, body FROM gb_admin_refund($1::bigint, $2::text, $3::text)"
    )

    // Background work: each answers how many items it handled ($1 batch size).
    static let expireOrders = PreparedStatement("orders_expire", "SELECT gb_expire_orders($1::int)")
    static let failGroups = PreparedStatement("orders_fail_groups", "SELECT gb_fail_groups($1::int)")
    static let confirmGroups = PreparedStatement("orders_confirm_groups", "SELECT gb_confirm_groups($1::int)")
    static let purgeIdempotencyKeys = PreparedStatement(
        "orders_purge_idempotency_keys",
        """
        WITH gone AS (
            DELETE FROM idempotency_keys WHERE ctid IN (SELECT ctid FROM idempotency_keys WHERE expires_at <= now() LIMIT $1::int)
            RETURNING 1
        )
        SELECT count(*) FROM gone
        """
    )

    public static let all: [PreparedStatement] = [
        startGroup, joinGroup, cancelOrder, order, orderWithHistory, ordersOfUser, adminOrders, group, groupsOfDeal, adminGroups,
        adminRefund, expireOrders, failGroups, confirmGroups, purgeIdempotencyKeys,
    ]
}
