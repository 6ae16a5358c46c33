-- pgbench: one flash-sale buyer starting a group, the service's statement for
-- POST /v1/groups {"dealId": :deal_id, "quantity": 1} with no Idempotency-Key.
-- Each pgbench client is its own buyer. Variables (-D): deal_id, strategy (slots|single_row).
-- Needs -M prepared or -M extended (the strategy is a bound text parameter, as in the service).
SELECT status_code, body FROM gb_order_in_group('buyer-' || :client_id, :deal_id, NULL, 1, 900, :strategy, NULL, NULL, 86400);
