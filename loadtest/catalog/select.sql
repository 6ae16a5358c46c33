\set id :deal_id
SELECT id, title, description, image_url, currency, list_price, group_price, group_size,
    group_time_limit_seconds, extract(epoch FROM starts_at)::bigint AS starts_at,
    extract(epoch FROM ends_at)::bigint AS ends_at, per_user_limit, status, version, stock_slots,
    extract(epoch FROM created_at)::bigint AS created_at, extract(epoch FROM updated_at)::bigint AS updated_at
FROM deals WHERE id = :id;
