public import Postgres

/// The stock invariant, read back from the database: for every deal, available + reserved +
/// sold equals its total (what was ever put in), no figure is negative, each slot's reserved
/// units are exactly its reservation rows, and the orders agree (units of live unpaid or
/// paid orders are reserved, units of orders that were confirmed are sold).
public enum InventoryStatements {
    /// One row per deal that breaks a rule; $1 one deal or NULL for all.
    static let violations = PreparedStatement(
        "inventory_violations",
        """
        WITH slots AS (
            SELECT s.deal_id, sum(s.available) AS available, sum(s.reserved) AS reserved, sum(s.sold) AS sold,
                   bool_or(s.available < 0 OR s.reserved < 0 OR s.sold < 0) AS negative,
                   bool_or(s.reserved <> coalesce((SELECT sum(r.quantity) FROM reservations r
                                                   WHERE r.deal_id = s.deal_id AND r.slot = s.slot), 0)) AS reservations_disagree
            FROM deal_stock_slots s
            WHERE $1::bigint IS NULL OR s.deal_id = $1::bigint
            GROUP BY s.deal_id
        ), ordered AS (
            SELECT o.deal_id,
                   coalesce(sum(o.quantity) FILTER (WHERE o.status IN ('pending_payment', 'paid')), 0) AS reserved,
                   coalesce(sum(o.quantity) FILTER (WHERE EXISTS (
                       SELECT 1 FROM order_history h WHERE h.order_id = o.id AND h.to_status = 'confirmed')), 0) AS sold
            FROM orders o
            WHERE $1::bigint IS NULL OR o.deal_id = $1::bigint
            GROUP BY o.deal_id
        )
        SELECT d.id, d.stock_total, s.available, s.reserved, s.sold,
               coalesce(o.reserved, 0) AS orders_reserved, coalesce(o.sold, 0) AS orders_sold,
               s.negative, s.reservations_disagree
        FROM deals d
        JOIN slots s ON s.deal_id = d.id
        LEFT JOIN ordered o ON o.deal_id = d.id
        WHERE s.available + s.reserved + s.sold <> d.stock_total
           OR s.negative OR s.reservations_disagree
           OR s.reserved <> coalesce(o.reserved, 0)
           OR s.sold <> coalesce(o.sold, 0)
        ORDER BY d.id
        """
    )

    /// How many deals were checked ($1 one deal or NULL for all).
    static let dealCount = PreparedStatement(
        "inventory_deal_count",
        "SELECT count(*) FROM deals WHERE $1::bigint IS NULL OR id = $1::bigint"
    )

    /// Unpaid orders still holding stock more than $1 seconds after their payment window
    /// ended; $2 one deal or NULL for all.
    static let overdueReservations = PreparedStatement(
        "inventory_overdue_reservations",
        """
        SELECT o.id, o.deal_id, extract(epoch FROM now() - o.expires_at)::bigint AS overdue_seconds
        FROM orders o
        WHERE o.status = 'pending_payment' AND o.expires_at < now() - make_interval(secs => $1::int)
          AND ($2::bigint IS NULL OR o.deal_id = $2::bigint)
        ORDER BY o.id LIMIT 100
        """
    )

    public static let all: [PreparedStatement] = [violations, dealCount, overdueReservations]
}
