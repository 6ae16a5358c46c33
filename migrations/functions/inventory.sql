-- Stock: reserving it for an order, settling reservations (back to available, or on to sold)
-- and adding to it. Owner: Sources/Inventory (tests: Tests/InventoryTests).
--
-- Lock order (docs/ORDERS.md): these take the last two steps, users' quantity rows sorted by
-- (user, deal), then stock slots sorted by (deal, slot); the callers hold the group and order
-- rows before.
--
-- A repeatable file (migrations/README.md): applied after the numbered migrations, and again
-- whenever it changes; it holds the current definition of each function once.
--
-- Replaced signatures (dropped here first, see migrations/README.md): none.

-- Reserves p_quantity units of a deal for an order: moves them from available to reserved
-- and records a `reservations` row per slot taken from; false, having taken nothing, when
-- there is not enough stock (sold out). 'single_row': the textbook baseline, one conditional
-- UPDATE of slot 0. 'slots':
--   1. The first slot from a random start (wrapping around) that holds the whole quantity and
--      that no one else has locked (SKIP LOCKED): an index range scan in slot order that stops
--      at the first such slot. It runs in a subtransaction, rolled back on a miss: a row whose
--      latest version failed the re-check after being locked (another buyer took its last
--      units meanwhile) stays locked by PostgreSQL, and must not be held while we wait below.
--   2. Otherwise, if the committed stock of all slots is short, sold out. Units held by
--      unfinished buyers still count as committed stock, so we do not say sold out while they
--      may come back.
--   3. Otherwise wait: lock the slots with stock in ascending slot order, holding no other slot
--      (step 1 left none), until they hold the quantity; then take from them. Every waiter
--      waits for a higher slot than any it holds, so waiters cannot deadlock; fast-path buyers
--      never wait. Sold out if all of them together, once their holders have finished, are
--      still short: nothing is written (the locks go at the end of the transaction).
-- Called as late as possible in an order's transaction: a slot is held from here to commit,
-- and that time is what concurrent buyers of a hot deal contend for.
CREATE OR REPLACE FUNCTION gb_reserve_stock(p_order bigint, p_deal bigint, p_quantity int, p_strategy text, p_slots int)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    start_slot int;
    picked record;
    slots int[];
    quantities int[];
    remaining int := p_quantity;
    last_slot int := -1;
BEGIN
    IF p_strategy = 'single_row' THEN
        UPDATE deal_stock_slots SET available = available - p_quantity, reserved = reserved + p_quantity
        WHERE deal_id = p_deal AND slot = 0 AND available >= p_quantity;
        IF NOT FOUND THEN
            RETURN false;
        END IF;
        INSERT INTO reservations (order_id, deal_id, slot, quantity) VALUES (p_order, p_deal, 0, p_quantity);
        RETURN true;
    END IF;

    start_slot := floor(random() * p_slots)::int;
    BEGIN
        SELECT slot INTO picked FROM deal_stock_slots
        WHERE deal_id = p_deal AND slot >= start_slot AND available >= p_quantity
        ORDER BY slot LIMIT 1 FOR NO KEY UPDATE SKIP LOCKED;
        IF NOT FOUND THEN
            SELECT slot INTO picked FROM deal_stock_slots
            WHERE deal_id = p_deal AND slot < start_slot AND available >= p_quantity
            ORDER BY slot LIMIT 1 FOR NO KEY UPDATE SKIP LOCKED;
            IF NOT FOUND THEN
                RAISE SQLSTATE 'GB099';  -- internal: roll the subtransaction back
            END IF;
        END IF;
        UPDATE deal_stock_slots SET available = available - p_quantity, reserved = reserved + p_quantity
        WHERE deal_id = p_deal AND slot = picked.slot;
        INSERT INTO reservations (order_id, deal_id, slot, quantity) VALUES (p_order, p_deal, picked.slot, p_quantity);
        RETURN true;
    EXCEPTION WHEN SQLSTATE 'GB099' THEN
        NULL;
    END;

    IF (SELECT coalesce(sum(available), 0) FROM deal_stock_slots WHERE deal_id = p_deal) < p_quantity THEN
        RETURN false;
    END IF;
    -- One row per statement: a FOR loop over the query would prefetch (and lock) ten slots.
    LOOP
        SELECT slot, available INTO picked FROM deal_stock_slots
        WHERE deal_id = p_deal AND slot > last_slot AND available > 0
        ORDER BY slot LIMIT 1 FOR NO KEY UPDATE;
        EXIT WHEN NOT FOUND;
        last_slot := picked.slot;
        slots := slots || picked.slot;
        quantities := quantities || least(picked.available, remaining);
        remaining := remaining - least(picked.available, remaining);
        EXIT WHEN remaining = 0;
    END LOOP;
    IF remaining > 0 THEN
        RETURN false;
    END IF;
    FOR taken IN 1..cardinality(slots) LOOP
        UPDATE deal_stock_slots SET available = available - quantities[taken], reserved = reserved + quantities[taken]
        WHERE deal_id = p_deal AND slot = slots[taken];
        INSERT INTO reservations (order_id, deal_id, slot, quantity)
        VALUES (p_order, p_deal, slots[taken], quantities[taken]);
    END LOOP;
    RETURN true;
END
$$;

-- Ends the reservations of orders the caller has moved on: the units of p_release go back to
-- available and their users' per-deal quantities shrink; the units of p_sell become sold.
-- Quantity rows are updated in (user, deal) order, then slots in (deal, slot) order, each
-- once for all the orders: the last two steps of the lock order. The caller holds the
-- orders' row locks, so their reservations cannot change meanwhile.
CREATE OR REPLACE FUNCTION gb_settle_orders(p_release bigint[], p_sell bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    held record;
BEGIN
    IF cardinality(p_release) + cardinality(p_sell) = 0 THEN
        RETURN;
    END IF;
    FOR held IN
        SELECT user_id, deal_id, sum(quantity)::int AS quantity FROM orders WHERE id = ANY (p_release)
        GROUP BY user_id, deal_id ORDER BY user_id, deal_id
    LOOP
        UPDATE user_deal_quantities SET quantity = quantity - held.quantity
        WHERE user_id = held.user_id AND deal_id = held.deal_id;
    END LOOP;
    FOR held IN
        SELECT deal_id, slot, coalesce(sum(quantity) FILTER (WHERE order_id = ANY (p_release)), 0)::int AS released,
               coalesce(sum(quantity) FILTER (WHERE order_id = ANY (p_sell)), 0)::int AS sold
        FROM reservations WHERE order_id = ANY (p_release || p_sell)
        GROUP BY deal_id, slot ORDER BY deal_id, slot
    LOOP
        UPDATE deal_stock_slots
        SET reserved = reserved - held.released - held.sold, available = available + held.released,
            sold = sold + held.sold
        WHERE deal_id = held.deal_id AND slot = held.slot;
    END LOOP;
    DELETE FROM reservations WHERE order_id = ANY (p_release || p_sell);
END
$$;

-- Adds p_quantity units to a deal that is not closed, spread evenly over its slots (locked in
-- slot order, like everywhere else), with the audit row. Answers the slots after the change;
-- no rows when the deal does not exist or is closed.
CREATE OR REPLACE FUNCTION gb_add_stock(p_deal bigint, p_quantity int, p_actor text, p_request_id text)
RETURNS TABLE (slot int, available int, reserved int, sold int) LANGUAGE plpgsql AS $$
DECLARE
    slots int;
BEGIN
    UPDATE deals d SET stock_total = d.stock_total + p_quantity WHERE d.id = p_deal AND d.status <> 'closed'
    RETURNING d.stock_slots INTO slots;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    PERFORM 1 FROM deal_stock_slots s WHERE s.deal_id = p_deal ORDER BY s.slot FOR NO KEY UPDATE;
    UPDATE deal_stock_slots s
    SET available = s.available + p_quantity / slots + CASE WHEN s.slot < p_quantity % slots THEN 1 ELSE 0 END
    WHERE s.deal_id = p_deal;
    INSERT INTO audit_log (actor, action, entity, entity_id, before, after, request_id)
    VALUES (p_actor, 'stock.add', 'deal', p_deal::text, NULL, jsonb_build_object('quantity', p_quantity), p_request_id);
    RETURN QUERY
        SELECT s.slot, s.available, s.reserved, s.sold FROM deal_stock_slots s WHERE s.deal_id = p_deal ORDER BY s.slot;
END
$$;
