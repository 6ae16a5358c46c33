-- Issue 12: the business functions of 0003, made dependable.
--
-- One lock order, everywhere (docs/ORDERS.md): group row, then order rows, then payment and
-- refund rows, then users' quantity rows sorted by (user, deal), then stock slots sorted by
-- (deal, slot). An operation that ends or confirms several orders in one transaction (the
-- sweeps, a group's success) first locks and moves every order, then gives back their
-- quantities and stock in one pass in that sorted order (gb_settle_orders): in 0003 each
-- order's slots and quantity were taken before the next order's, so two sweeps (or a sweep
-- and a buyer waiting for stock) could each hold a slot the other wanted. Groups are claimed
-- with SKIP LOCKED by the sweeps and locked by everyone else while holding nothing; an order's
-- and a payment's rows are locked by the holder of their group's lock, or, waiting for
-- nothing afterwards, by gb_begin_payment and gb_attach_intent. Row locks are FOR NO KEY
-- UPDATE (we never change keys), which foreign-key checks (FOR KEY SHARE) do not wait for.
--
-- Refusals (class GB) are answered, not raised: the entry points return the refusal's
-- SQLSTATE and message (`refusal`, and `body`/`detail`), so that a sold-out answer is not an
-- ERROR in PostgreSQL's log and the transaction does not abort. Each checks every rule before
-- it writes anything (or, for the two an order can only find out later, deletes what it wrote),
-- so a refusal leaves nothing behind without the cost of a subtransaction (which would also
-- make every buyer waiting for a slot look its holder up in pg_subtrans).
-- The service turns the SQLSTATE into its domain error as before. Raised errors are left for
-- broken invariants (the transition triggers) and the unforeseen.
--
-- New codes: GB016 the provider answered an intent id that belongs to another payment,
-- GB017 a deal that buyers ordered cannot go back to draft.

-- Schema.

-- Times the provider answered an intent id that belongs to another payment (a provider that
-- reuses ids, e.g. a sandbox restarted from its seed): the next try asks it with a fresh
-- idempotency key, `payment-<id>-<attempts>`, instead of getting the same answer forever.
ALTER TABLE payments ADD COLUMN intent_attempts int NOT NULL DEFAULT 0 CHECK (intent_attempts >= 0);

-- Signed webhooks whose money does not match their payment, recorded with that outcome and
-- reported by reconciliation.
CREATE INDEX payment_events_mismatches ON payment_events (received_at)
    WHERE outcome IN ('intent_mismatch', 'amount_mismatch', 'currency_mismatch');

-- Deals: a deal that buyers have ordered cannot go back to draft (drafts are hidden from
-- buyers, so their orders and groups would point at a deal they get 404 for). A buyer's order
-- share-locks the deal (its foreign key) until it commits, and then reads the deal's status
-- again (gb_order_in_group). Taking FOR UPDATE first waits for every buyer already past that
-- point, so the check sees their orders; a buyer not yet there finds the deal a draft.
CREATE FUNCTION gb_check_deal_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'draft' AND OLD.status <> 'draft' THEN
        PERFORM 1 FROM deals WHERE id = NEW.id FOR UPDATE;
        IF EXISTS (SELECT 1 FROM orders WHERE deal_id = NEW.id) THEN
            RAISE EXCEPTION USING ERRCODE = 'GB017',
                MESSAGE = format('deal %s has orders and cannot go back to draft; pause or close it instead', NEW.id);
        END IF;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER deals_status_transition BEFORE UPDATE OF status ON deals
    FOR EACH ROW EXECUTE FUNCTION gb_check_deal_transition();

-- Functions replaced by new signatures or by the ones below.
DROP FUNCTION gb_start_group(text, bigint, int, int, text, text, text, int);
DROP FUNCTION gb_join_group(text, bigint, int, int, text, text, text, int);
DROP FUNCTION gb_idempotency_begin(text, text, text);
DROP FUNCTION gb_place_order(text, deals, groups, int, int, text);
DROP FUNCTION gb_open_deal(bigint);
DROP FUNCTION gb_reserve_stock(bigint, bigint, int, text, int);  -- now answers whether it reserved
DROP FUNCTION gb_settle_reservation(bigint, text);
DROP FUNCTION gb_cancel_order(bigint, text);
DROP FUNCTION gb_refund_order(orders, text, text);
DROP FUNCTION gb_confirm_group(bigint);
DROP FUNCTION gb_begin_payment(bigint, text);
DROP FUNCTION gb_attach_intent(bigint, text);
DROP FUNCTION gb_apply_payment_event(text, text, bigint, text, bigint, text, jsonb);
DROP FUNCTION gb_admin_refund(bigint, text, text);

-- Idempotency keys: as in 0003, but a busy key (GB013) or one used for another request
-- (GB012) is answered as `refusal`.
CREATE FUNCTION gb_idempotency_begin(
    p_user text, p_key text, p_hash text, OUT status_code int, OUT body text, OUT refusal text
)
LANGUAGE plpgsql AS $$
DECLARE
    stored idempotency_keys;
BEGIN
    IF p_key IS NULL THEN
        RETURN;
    END IF;
    IF NOT pg_try_advisory_xact_lock(hashtextextended(p_user || E'\n' || p_key, 0)) THEN
        refusal := 'GB013';
        body := 'a request with this Idempotency-Key is still in progress';
        RETURN;
    END IF;
    SELECT * INTO stored FROM idempotency_keys k WHERE k.user_id = p_user AND k.key = p_key AND k.expires_at > now();
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF stored.request_hash <> p_hash THEN
        refusal := 'GB012';
        body := 'this Idempotency-Key was used for a different request';
        RETURN;
    END IF;
    status_code := stored.status_code;
    body := stored.response;
END
$$;

-- Stock.

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
CREATE FUNCTION gb_reserve_stock(p_order bigint, p_deal bigint, p_quantity int, p_strategy text, p_slots int)
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
CREATE FUNCTION gb_settle_orders(p_release bigint[], p_sell bigint[]) RETURNS void LANGUAGE plpgsql AS $$
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
CREATE FUNCTION gb_add_stock(p_deal bigint, p_quantity int, p_actor text, p_request_id text)
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

-- Groups and orders.

-- Starting a group (p_group NULL: a new group of p_deal) or joining one (p_deal NULL: p_group's
-- deal), replacing gb_start_group and gb_join_group of 0003, with the caller's order in
-- pending_payment, its stock reserved and its seat taken: the stored answer for a replayed
-- Idempotency-Key, else the 201 answer (stored with the key), else the refusal. Every rule is
-- checked before anything is written, so a refusal leaves nothing behind without a
-- subtransaction; the two found only once the order is written (stock taken by others
-- meanwhile, as stock is reserved as late as possible, see gb_reserve_stock; the deal gone back
-- to draft meanwhile) delete what it wrote and give the user's quantity back (a row of 0 units
-- is what any ended order leaves too).
CREATE FUNCTION gb_order_in_group(
    p_user text, p_deal bigint, p_group bigint, p_quantity int, p_payment_window_seconds int, p_strategy text,
    p_idempotency_key text, p_request_hash text, p_idempotency_ttl_seconds int,
    OUT status_code int, OUT body text, OUT refusal text
) LANGUAGE plpgsql AS $$
DECLARE
    d deals;
    g groups;
    o orders;
    started boolean := false;
BEGIN
    IF p_idempotency_key IS NOT NULL THEN
        SELECT b.status_code, b.body, b.refusal INTO status_code, body, refusal
        FROM gb_idempotency_begin(p_user, p_idempotency_key, p_request_hash) b;
        IF status_code IS NOT NULL OR refusal IS NOT NULL THEN
            RETURN;
        END IF;
    END IF;
    IF p_group IS NOT NULL THEN
        SELECT * INTO g FROM groups WHERE id = p_group FOR NO KEY UPDATE;
        IF NOT FOUND THEN
            SELECT 'GB004', format('there is no group %s', p_group) INTO refusal, body;
        ELSIF g.status <> 'open' THEN
            SELECT 'GB005', format('the group has %s', g.status) INTO refusal, body;
        ELSIF g.expires_at <= now() THEN
            SELECT 'GB006', format('the group expired at %s', gb_rfc3339(g.expires_at)) INTO refusal, body;
        ELSIF g.member_count >= g.size THEN
            SELECT 'GB007', format('the group has all its %s members', g.size) INTO refusal, body;
        END IF;
        IF refusal IS NOT NULL THEN
            RETURN;
        END IF;
        p_deal := g.deal_id;
    END IF;
    SELECT * INTO d FROM deals WHERE id = p_deal;
    IF NOT FOUND OR d.status = 'draft' THEN
        SELECT 'GB001', format('there is no deal %s', p_deal) INTO refusal, body;
    ELSIF d.status <> 'active' THEN
        SELECT 'GB002', format('the deal is %s', d.status) INTO refusal, body;
    ELSIF now() < d.starts_at THEN
        SELECT 'GB002', format('the deal starts at %s', gb_rfc3339(d.starts_at)) INTO refusal, body;
    ELSIF now() >= d.ends_at THEN
        SELECT 'GB002', format('the deal ended at %s', gb_rfc3339(d.ends_at)) INTO refusal, body;
    ELSIF g.id IS NOT NULL AND EXISTS (SELECT 1 FROM group_members WHERE group_id = g.id AND user_id = p_user) THEN
        SELECT 'GB008', 'you are already in this group' INTO refusal, body;
    ELSIF p_quantity > d.per_user_limit THEN
        SELECT 'GB009', format('at most %s units of this deal per buyer', d.per_user_limit) INTO refusal, body;
    ELSIF NOT EXISTS (SELECT 1 FROM deal_stock_slots WHERE deal_id = d.id AND available > 0) THEN
        -- Sold out for good (the common refusal at load), told before anything is written.
        SELECT 'GB003', 'not enough stock left for this quantity' INTO refusal, body;
    END IF;
    IF refusal IS NOT NULL THEN
        RETURN;
    END IF;
    INSERT INTO user_deal_quantities AS q (user_id, deal_id, quantity) VALUES (p_user, d.id, p_quantity)
    ON CONFLICT (user_id, deal_id) DO UPDATE SET quantity = q.quantity + EXCLUDED.quantity
        WHERE q.quantity + EXCLUDED.quantity <= d.per_user_limit;
    IF NOT FOUND THEN
        SELECT 'GB009', format('at most %s units of this deal per buyer, counting your open orders', d.per_user_limit)
        INTO refusal, body;
        RETURN;
    END IF;
    IF g.id IS NULL THEN
        INSERT INTO groups (deal_id, leader_user_id, size, expires_at)
        VALUES (d.id, p_user, d.group_size, least(now() + make_interval(secs => d.group_time_limit_seconds), d.ends_at))
        RETURNING * INTO g;
        started := true;
    END IF;
    INSERT INTO orders (user_id, deal_id, group_id, quantity, unit_price, amount, currency, status, expires_at)
    VALUES (p_user, d.id, g.id, p_quantity, d.group_price, d.group_price * p_quantity, d.currency, 'pending_payment',
            least(now() + make_interval(secs => p_payment_window_seconds), g.expires_at))
    RETURNING * INTO o;
    -- The order's foreign key has share-locked the deal by now, so a change back to draft waits
    -- for this transaction (gb_check_deal_transition); one that committed since we read the
    -- deal is seen here.
    IF (SELECT status FROM deals WHERE id = d.id) = 'draft' THEN
        SELECT 'GB001', format('there is no deal %s', d.id) INTO refusal, body;
    ELSIF NOT gb_reserve_stock(o.id, d.id, p_quantity, p_strategy, d.stock_slots) THEN
        -- Others took the last units since the check above.
        SELECT 'GB003', 'not enough stock left for this quantity' INTO refusal, body;
    END IF;
    IF refusal IS NOT NULL THEN
        -- What this order wrote goes again; nobody else has seen it.
        DELETE FROM orders WHERE id = o.id;
        IF started THEN
            DELETE FROM groups WHERE id = g.id;
        END IF;
        UPDATE user_deal_quantities SET quantity = quantity - p_quantity WHERE user_id = p_user AND deal_id = d.id;
        RETURN;
    END IF;
    INSERT INTO group_members (group_id, user_id, order_id) VALUES (g.id, p_user, o.id);
    UPDATE groups SET member_count = member_count + 1 WHERE id = g.id;
    INSERT INTO order_history (order_id, from_status, to_status, actor) VALUES (o.id, NULL, 'pending_payment', p_user);
    status_code := 201;
    body := gb_placed_answer(g.id, o, p_user, p_idempotency_key, p_request_hash, p_idempotency_ttl_seconds);
END
$$;

-- Ends an unpaid order: its seat frees and it moves to p_to. What it holds (stock, the
-- user's quantity) goes back through gb_settle_orders, which the caller runs once for every
-- order it ended. The caller holds the group's and the order's row locks.
CREATE OR REPLACE FUNCTION gb_end_unpaid_order(o orders, p_to text, p_actor text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM group_members WHERE order_id = o.id;
    UPDATE groups SET member_count = member_count - 1 WHERE id = o.group_id;
    PERFORM gb_order_transition(o.id, 'pending_payment', p_to, p_actor);
END
$$;

-- Locks an order and its group (group first) for a change by its owner (or anyone when p_user
-- is NULL); a row of NULLs when there is no such order for that user.
CREATE OR REPLACE FUNCTION gb_lock_order(p_order bigint, p_user text) RETURNS orders LANGUAGE plpgsql AS $$
DECLARE
    o orders;
BEGIN
    SELECT * INTO o FROM orders WHERE id = p_order AND (p_user IS NULL OR user_id = p_user);
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM groups WHERE id = o.group_id FOR NO KEY UPDATE;
    SELECT * INTO o FROM orders WHERE id = p_order FOR NO KEY UPDATE;
    RETURN o;
END
$$;

CREATE FUNCTION gb_cancel_order(p_order bigint, p_user text, OUT refusal text, OUT body text) LANGUAGE plpgsql AS $$
DECLARE
    o orders;
BEGIN
    o := gb_lock_order(p_order, p_user);
    IF o.id IS NULL THEN
        SELECT 'GB010', format('there is no order %s', p_order) INTO refusal, body;
        RETURN;
    END IF;
    IF o.status <> 'pending_payment' THEN
        SELECT 'GB011', format('only an unpaid order can be cancelled; this one is %s', o.status) INTO refusal, body;
        RETURN;
    END IF;
    PERFORM gb_end_unpaid_order(o, 'cancelled', coalesce(p_user, 'admin'));
    PERFORM gb_settle_orders(ARRAY[o.id], '{}');
    SELECT * INTO o FROM orders WHERE id = p_order;
    body := gb_order_json(o)::text;
END
$$;

-- Payments and refunds.

-- Gives back a paid (or confirmed) order's money: the payment row is locked, the order's seat
-- frees while the group is still open, and a refund is requested. Answers whether its units
-- were only reserved (a paid order): then they, and the user's quantity, go back through
-- gb_settle_orders, which the caller runs. The caller holds the group's and the order's locks.
CREATE FUNCTION gb_refund_order(o orders, p_reason text, p_actor text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    paid_with bigint;
BEGIN
    SELECT id INTO paid_with FROM payments WHERE order_id = o.id FOR NO KEY UPDATE;
    IF o.status = 'paid' AND (SELECT status FROM groups WHERE id = o.group_id) = 'open' THEN
        DELETE FROM group_members WHERE order_id = o.id;
        UPDATE groups SET member_count = member_count - 1, paid_count = paid_count - 1 WHERE id = o.group_id;
    END IF;
    PERFORM gb_order_transition(o.id, o.status, 'refund_pending', p_actor);
    PERFORM gb_request_refund(paid_with, p_reason);
    RETURN o.status = 'paid';
END
$$;

-- A group whose members have all paid succeeds: its orders are confirmed. Answers them: their
-- reserved units become sold through gb_settle_orders, which the caller runs. The caller
-- holds the group's row lock.
CREATE FUNCTION gb_succeed_group(p_group bigint) RETURNS bigint[] LANGUAGE plpgsql AS $$
DECLARE
    o orders;
    confirmed bigint[] := '{}';
BEGIN
    FOR o IN SELECT * FROM orders WHERE group_id = p_group AND status = 'paid' ORDER BY id FOR NO KEY UPDATE LOOP
        PERFORM gb_order_transition(o.id, 'paid', 'confirmed', 'system:group-success');
        confirmed := confirmed || o.id;
    END LOOP;
    UPDATE groups SET status = 'succeeded', closed_at = now() WHERE id = p_group;
    RETURN confirmed;
END
$$;

-- The payment of an order its owner wants to pay now (made on the first call, the same one
-- afterwards): the service then asks the provider for an intent, with the idempotency key
-- `payment-<id>` (`payment-<id>-<intent_attempts>` after the provider answered an intent of
-- another payment). A refusal instead: GB010, GB011, GB015.
CREATE FUNCTION gb_begin_payment(p_order bigint, p_user text, OUT refusal text, OUT detail text, OUT payment payments)
LANGUAGE plpgsql AS $$
DECLARE
    o orders;
BEGIN
    SELECT * INTO o FROM orders WHERE id = p_order AND user_id = p_user FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        SELECT 'GB010', format('there is no order %s', p_order) INTO refusal, detail;
    ELSIF o.status <> 'pending_payment' THEN
        SELECT 'GB011', format('only an unpaid order can be paid; this one is %s', o.status) INTO refusal, detail;
    ELSIF o.expires_at <= now() THEN
        SELECT 'GB015', format('the payment window closed at %s', gb_rfc3339(o.expires_at)) INTO refusal, detail;
    ELSE
        INSERT INTO payments (order_id, amount, currency, status) VALUES (o.id, o.amount, o.currency, 'creating')
        ON CONFLICT (order_id) DO NOTHING;
        SELECT * INTO payment FROM payments p WHERE p.order_id = o.id;
    END IF;
END
$$;

-- Links the provider's intent to the payment (the provider's idempotency makes a retry get the
-- same intent). An intent id that belongs to another payment is refused (GB016) and counted,
-- so that the next try asks the provider with a fresh key; another intent already linked: GB011.
CREATE FUNCTION gb_attach_intent(p_payment bigint, p_intent text, OUT refusal text, OUT body text)
LANGUAGE plpgsql AS $$
DECLARE
    p payments;
BEGIN
    BEGIN
        UPDATE payments
        SET intent_id = p_intent, updated_at = now(),
            status = CASE WHEN status = 'creating' THEN 'requires_confirmation' ELSE status END
        WHERE id = p_payment AND (intent_id IS NULL OR intent_id = p_intent)
        RETURNING * INTO p;
    EXCEPTION WHEN unique_violation THEN
        UPDATE payments SET intent_attempts = intent_attempts + 1, updated_at = now() WHERE id = p_payment;
        refusal := 'GB016';
        body := format('the payment provider answered intent %s, which belongs to another payment; '
                       'paying again asks it for a new one', p_intent);
        RETURN;
    END;
    IF p.id IS NULL THEN
        SELECT 'GB011', format('payment %s already has another intent', p_payment) INTO refusal, body;
        RETURN;
    END IF;
    body := gb_payment_json(p)::text;
END
$$;

-- Why a provider event cannot be applied to payment p, or NULL when every field that names the
-- money matches: the intent id (a payment still without one takes the event's, unless another
-- payment has it), the amount and the currency (a refund's amount is the refund's).
CREATE FUNCTION gb_payment_event_mismatch(p payments, p_type text, p_intent text, p_amount bigint, p_currency text)
RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF p_type = 'refund.succeeded' THEN
        IF p_intent IS DISTINCT FROM p.intent_id THEN
            RETURN 'intent_mismatch';
        END IF;
        IF EXISTS (SELECT 1 FROM refunds r WHERE r.payment_id = p.id AND r.amount IS DISTINCT FROM p_amount) THEN
            RETURN 'amount_mismatch';
        END IF;
        RETURN NULL;
    END IF;
    IF p_type NOT IN ('payment_intent.succeeded', 'payment_intent.payment_failed') THEN
        RETURN NULL;
    END IF;
    IF p.intent_id IS NULL THEN
        IF EXISTS (SELECT 1 FROM payments other WHERE other.intent_id = p_intent) THEN
            RETURN 'intent_mismatch';
        END IF;
    ELSIF p.intent_id IS DISTINCT FROM p_intent THEN
        RETURN 'intent_mismatch';
    END IF;
    IF p_amount IS DISTINCT FROM p.amount THEN
        RETURN 'amount_mismatch';
    END IF;
    IF upper(p_currency) IS DISTINCT FROM p.currency THEN
        RETURN 'currency_mismatch';
    END IF;
    RETURN NULL;
END
$$;

-- Applies one provider event exactly once, whatever the order of arrival. Locks group, order
-- and payment first, then records the event id (a second delivery stops there: 'duplicate');
-- an event whose money does not match the payment changes nothing and is recorded with its
-- mismatch as the outcome; every other change only moves a payment or an order forward.
-- Answers the outcome, also stored with the event.
CREATE FUNCTION gb_apply_payment_event(
    p_event_id text, p_type text, p_payment bigint, p_intent text, p_amount bigint, p_currency text,
    p_provider_refund text, p_payload jsonb
) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    p payments;
    o orders;
    g groups;
    result text;
BEGIN
    IF p_payment IS NOT NULL THEN
        SELECT * INTO p FROM payments WHERE id = p_payment;
    ELSE
        SELECT * INTO p FROM payments WHERE intent_id = p_intent;
    END IF;
    IF NOT FOUND THEN
        INSERT INTO payment_events (event_id, type, outcome, payload)
        VALUES (p_event_id, p_type, 'unknown_payment', p_payload)
        ON CONFLICT (event_id) DO NOTHING;
        RETURN CASE WHEN FOUND THEN 'unknown_payment' ELSE 'duplicate' END;
    END IF;
    o := gb_lock_order(p.order_id, NULL);
    SELECT * INTO g FROM groups WHERE id = o.group_id;
    SELECT * INTO p FROM payments WHERE id = p.id FOR NO KEY UPDATE;
    INSERT INTO payment_events (event_id, type, payment_id, payload) VALUES (p_event_id, p_type, p.id, p_payload)
    ON CONFLICT (event_id) DO NOTHING;
    IF NOT FOUND THEN
        RETURN 'duplicate';
    END IF;

    result := gb_payment_event_mismatch(p, p_type, p_intent, p_amount, p_currency);
    IF result IS NOT NULL THEN
        NULL;
    ELSIF p_type = 'payment_intent.succeeded' THEN
        IF p.status IN ('succeeded', 'refund_pending', 'refunded') THEN
            result := 'already_applied';
        ELSE
            UPDATE payments SET status = 'succeeded', intent_id = p_intent, updated_at = now() WHERE id = p.id;
            IF o.status = 'pending_payment' AND o.expires_at > now() AND g.status = 'open' THEN
                PERFORM gb_order_transition(o.id, 'pending_payment', 'paid', 'system:payment');
                UPDATE groups SET paid_count = paid_count + 1 WHERE id = g.id RETURNING * INTO g;
                IF g.paid_count = g.size THEN
                    PERFORM gb_settle_orders('{}', gb_succeed_group(g.id));
                    result := 'group_succeeded';
                ELSE
                    result := 'order_paid';
                END IF;
            ELSE
                -- The money came for an order that can no longer be paid: give it back.
                IF o.status = 'pending_payment' THEN
                    PERFORM gb_end_unpaid_order(o, 'expired', 'system:late-payment');
                    PERFORM gb_settle_orders(ARRAY[o.id], '{}');
                END IF;
                PERFORM gb_request_refund(p.id, 'payment arrived after the order ended');
                result := 'refund_late_payment';
            END IF;
        END IF;
    ELSIF p_type = 'payment_intent.payment_failed' THEN
        IF p.status IN ('creating', 'requires_confirmation') THEN
            UPDATE payments SET status = 'failed', intent_id = p_intent, updated_at = now() WHERE id = p.id;
            result := 'payment_failed';
        ELSE
            result := 'already_applied';
        END IF;
    ELSIF p_type = 'refund.succeeded' THEN
        UPDATE refunds
        SET status = 'succeeded', provider_refund_id = coalesce(provider_refund_id, p_provider_refund),
            updated_at = now()
        WHERE payment_id = p.id AND status <> 'succeeded';
        IF FOUND THEN
            UPDATE payments SET status = 'refunded', updated_at = now() WHERE id = p.id;
            IF o.status = 'refund_pending' THEN
                PERFORM gb_order_transition(o.id, 'refund_pending', 'refunded', 'system:refund');
            END IF;
            result := 'refunded';
        ELSIF EXISTS (SELECT 1 FROM refunds WHERE payment_id = p.id) THEN
            result := 'already_applied';
        ELSE
            result := 'unknown_refund';
        END IF;
    ELSE
        result := 'ignored';
    END IF;
    UPDATE payment_events SET outcome = result WHERE event_id = p_event_id;
    RETURN result;
END
$$;

CREATE FUNCTION gb_admin_refund(p_order bigint, p_actor text, p_request_id text, OUT refusal text, OUT body text)
LANGUAGE plpgsql AS $$
DECLARE
    o orders;
    snapshot json;
BEGIN
    o := gb_lock_order(p_order, NULL);
    IF o.id IS NULL THEN
        SELECT 'GB010', format('there is no order %s', p_order) INTO refusal, body;
        RETURN;
    END IF;
    IF o.status NOT IN ('paid', 'confirmed') THEN
        SELECT 'GB011', format('only a paid or confirmed order can be refunded; this one is %s', o.status)
        INTO refusal, body;
        RETURN;
    END IF;
    snapshot := gb_order_json(o);
    IF gb_refund_order(o, 'refunded by an admin', p_actor) THEN
        PERFORM gb_settle_orders(ARRAY[o.id], '{}');
    END IF;
    SELECT * INTO o FROM orders WHERE id = p_order;
    INSERT INTO audit_log (actor, action, entity, entity_id, before, after, request_id)
    VALUES (p_actor, 'order.refund', 'order', o.id::text, snapshot::jsonb, gb_order_json(o)::jsonb, p_request_id);
    body := gb_order_json(o)::text;
END
$$;

-- Background work, claimed with SKIP LOCKED so that any number of instances share it. Each
-- sweep first locks and moves every order of its batch, then settles their stock at once.

-- Expires unpaid orders past their payment window. A group another transaction holds is
-- skipped this round (its holder may be expiring it); the next round takes it.
CREATE OR REPLACE FUNCTION gb_expire_orders(p_batch int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    candidate record;
    o orders;
    ended bigint[] := '{}';
BEGIN
    FOR candidate IN
        SELECT id, group_id FROM orders WHERE status = 'pending_payment' AND expires_at <= now()
        ORDER BY expires_at LIMIT p_batch
    LOOP
        PERFORM 1 FROM groups WHERE id = candidate.group_id FOR NO KEY UPDATE SKIP LOCKED;
        CONTINUE WHEN NOT FOUND;
        SELECT * INTO o FROM orders WHERE id = candidate.id FOR NO KEY UPDATE;
        CONTINUE WHEN o.status <> 'pending_payment' OR o.expires_at > now();
        PERFORM gb_end_unpaid_order(o, 'expired', 'system:expiry');
        ended := ended || o.id;
    END LOOP;
    PERFORM gb_settle_orders(ended, '{}');
    RETURN cardinality(ended);
END
$$;

-- Fails open groups past their time limit: unpaid orders expire, paid ones are refunded (a
-- group all of whose members paid succeeds instead).
CREATE OR REPLACE FUNCTION gb_fail_groups(p_batch int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    g groups;
    o orders;
    released bigint[] := '{}';
    sold bigint[] := '{}';
    done int := 0;
BEGIN
    FOR g IN
        SELECT * FROM groups WHERE status = 'open' AND expires_at <= now() ORDER BY expires_at LIMIT p_batch
        FOR NO KEY UPDATE SKIP LOCKED
    LOOP
        IF g.paid_count = g.size THEN
            sold := sold || gb_succeed_group(g.id);
            CONTINUE;
        END IF;
        FOR o IN
            SELECT * FROM orders WHERE group_id = g.id AND status IN ('pending_payment', 'paid')
            ORDER BY id FOR NO KEY UPDATE
        LOOP
            IF o.status = 'pending_payment' THEN
                PERFORM gb_end_unpaid_order(o, 'expired', 'system:group-failure');
                released := released || o.id;
            ELSIF gb_refund_order(o, 'the group did not fill in time', 'system:group-failure') THEN
                released := released || o.id;
            END IF;
        END LOOP;
        UPDATE groups SET status = 'failed', closed_at = now() WHERE id = g.id;
        done := done + 1;
    END LOOP;
    PERFORM gb_settle_orders(released, sold);
    RETURN done;
END
$$;

-- Confirms open groups whose members have all paid (a safety net: the last payment confirms
-- its group at once).
CREATE OR REPLACE FUNCTION gb_confirm_groups(p_batch int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    g groups;
    sold bigint[] := '{}';
    done int := 0;
BEGIN
    FOR g IN
        SELECT * FROM groups WHERE status = 'open' AND paid_count = size LIMIT p_batch FOR NO KEY UPDATE SKIP LOCKED
    LOOP
        sold := sold || gb_succeed_group(g.id);
        done := done + 1;
    END LOOP;
    PERFORM gb_settle_orders('{}', sold);
    RETURN done;
END
$$;
