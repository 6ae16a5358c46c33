-- pgbench: one buyer of check-reservations.sh (quantity 1..maxq, 1000 buyers per client).
\set q random(1, :maxq)
\set u random(1, 1000)
SELECT flash_check.try_start('check-' || :client_id || '-' || :u, :deal_id, :q, :strategy, :rollback);
