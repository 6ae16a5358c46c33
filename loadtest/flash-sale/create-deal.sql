-- One hot deal for the flash-sale benchmark at the SQL level (pgbench), made the way
-- Catalog's create statement makes it: active, sale window around now, group size 2,
-- per-user limit 1000 (the most allowed), the stock spread evenly over :slots slot rows.
--
--   psql -X -qAt -v slots=16 -v stock=1000000 -f loadtest/flash-sale/create-deal.sql "$DATABASE_URL"
--
-- Prints the new deal's id.
WITH deal AS (
    INSERT INTO deals (title, description, currency, list_price, group_price, group_size,
                       group_time_limit_seconds, starts_at, ends_at, per_user_limit, status, stock_slots, stock_total)
    VALUES ('Flash sale benchmark', 'One hot deal, many buyers.', 'EUR', 2400, 1600, 2,
            86400, now() - interval '1 hour', now() + interval '1 day', 1000, 'active', :slots, :stock)
    RETURNING id
), slots AS (
    INSERT INTO deal_stock_slots (deal_id, slot, available)
    SELECT deal.id, s, :stock / :slots + CASE WHEN s < :stock % :slots THEN 1 ELSE 0 END
    FROM deal, generate_series(0, :slots - 1) AS s
)
SELECT id FROM deal;
