-- Helpers for check-reservations.sh, in their own schema (dropped by the script): a buyer that
-- starts a group and, for a share of its orders, rolls the order back after a few milliseconds
-- (a buyer whose request failed after reserving: its units must come back), recording every
-- outcome with the time it was known.
CREATE SCHEMA flash_check;
CREATE TABLE flash_check.outcomes (deal_id bigint, user_id text, quantity int, outcome text, at timestamptz);
CREATE FUNCTION flash_check.try_start(p_user text, p_deal bigint, p_quantity int, p_strategy text, p_rollback_share float8)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    BEGIN
        SELECT * INTO r FROM public.gb_order_in_group(p_user, p_deal, NULL, p_quantity, 900, p_strategy, NULL, NULL, 86400);
        IF r.refusal = 'GB003' THEN
            INSERT INTO flash_check.outcomes VALUES (p_deal, p_user, p_quantity, 'sold_out', clock_timestamp());
            RETURN 'sold_out';
        ELSIF r.refusal = 'GB009' THEN
            RETURN 'limit';
        ELSIF r.refusal IS NOT NULL THEN
            RAISE EXCEPTION 'unexpected refusal %: %', r.refusal, r.body;
        END IF;
        IF random() < p_rollback_share THEN
            PERFORM pg_sleep(random() * 0.005);
            RAISE SQLSTATE 'XX999';
        END IF;
    EXCEPTION
        WHEN SQLSTATE 'XX999' THEN
            RETURN 'rolled_back';
    END;
    INSERT INTO flash_check.outcomes VALUES (p_deal, p_user, p_quantity, 'ok', clock_timestamp());
    RETURN 'ok';
END
$$;
