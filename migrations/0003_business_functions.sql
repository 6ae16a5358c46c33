-- The business operations as SQL functions: each is one round trip from the service and one
-- transaction, so stock, seats and payments change together or not at all.
--
-- Errors are raised with SQLSTATEs of class GB, which the API turns into problem types:
--   GB001 deal not found        GB002 deal not active       GB003 sold out
--   GB004 group not found       GB005 group not open        GB006 group expired
--   GB007 group full            GB008 already in the group  GB009 purchase limit exceeded
--   GB010 order not found       GB011 wrong order state     GB012 idempotency key reused
--   GB013 idempotency key busy  GB015 payment window closed
--
-- Lock order, everywhere: group row, then order rows, then payment/refund rows, then the
-- user's quantity row, then stock slots (in slot order when waiting). Reservations take slots
-- with SKIP LOCKED and never wait, except to find out whether stock held by an unfinished
-- buyer comes back; then they hold no slot and take slots in ascending order.
--
-- Functions called in every business operation are PL/pgSQL or inlinable SQL: a LANGUAGE sql
-- function that PostgreSQL cannot inline (a sub-SELECT, an INSERT) is parsed and planned again
-- in every transaction, PL/pgSQL keeps its plans for the session.

CREATE FUNCTION gb_rfc3339(t timestamptz) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

CREATE FUNCTION gb_raise(code text, message text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = code, MESSAGE = message;
END
$$;

-- JSON shapes (docs/API.md). Rendered here so that the first answer to a creating POST can be
-- stored with its Idempotency-Key in the same transaction as the effect.

CREATE FUNCTION gb_payment_json(p payments) RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN json_build_object(
        'id', p.id, 'orderId', p.order_id, 'intentId', p.intent_id, 'amount', p.amount,
        'currency', p.currency, 'status', p.status,
        'refund', (SELECT json_build_object('id', r.id, 'status', r.status, 'amount', r.amount, 'reason', r.reason)
                   FROM refunds r WHERE r.payment_id = p.id),
        'createdAt', gb_rfc3339(p.created_at), 'updatedAt', gb_rfc3339(p.updated_at));
END
$$;

CREATE FUNCTION gb_order_json(o orders) RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN json_build_object(
        'id', o.id, 'dealId', o.deal_id, 'groupId', o.group_id, 'userId', o.user_id,
        'quantity', o.quantity, 'unitPrice', o.unit_price, 'amount', o.amount, 'currency', o.currency,
        'status', o.status, 'expiresAt', gb_rfc3339(o.expires_at),
        'payment', (SELECT gb_payment_json(p) FROM payments p WHERE p.order_id = o.id),
        'createdAt', gb_rfc3339(o.created_at), 'updatedAt', gb_rfc3339(o.updated_at));
END
$$;

-- Public: counts, never who the members are. Plain SQL: inlined into the caller's expression.
CREATE FUNCTION gb_group_json(g groups) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', g.id, 'dealId', g.deal_id, 'size', g.size, 'members', g.member_count,
        'paidMembers', g.paid_count, 'seatsLeft', g.size - g.member_count, 'status', g.status,
        'expiresAt', gb_rfc3339(g.expires_at), 'createdAt', gb_rfc3339(g.created_at),
        'closedAt', gb_rfc3339(g.closed_at))
$$;

-- State machines, enforced on every UPDATE whoever makes it.

CREATE FUNCTION gb_check_order_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status <> OLD.status AND (OLD.status, NEW.status) NOT IN (
        ('pending_payment', 'paid'), ('pending_payment', 'cancelled'), ('pending_payment', 'expired'),
        ('paid', 'confirmed'), ('paid', 'refund_pending'), ('confirmed', 'refund_pending'),
        ('refund_pending', 'refunded'))
    THEN
        RAISE EXCEPTION USING ERRCODE = 'GB011',
            MESSAGE = format('order %s cannot go from %s to %s', OLD.id, OLD.status, NEW.status);
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER orders_status_transition BEFORE UPDATE OF status ON orders
    FOR EACH ROW EXECUTE FUNCTION gb_check_order_transition();

CREATE FUNCTION gb_check_group_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status <> OLD.status AND NOT (OLD.status = 'open' AND NEW.status IN ('succeeded', 'failed')) THEN
        RAISE EXCEPTION USING ERRCODE = 'GB005',
            MESSAGE = format('group %s cannot go from %s to %s', OLD.id, OLD.status, NEW.status);
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER groups_status_transition BEFORE UPDATE OF status ON groups
    FOR EACH ROW EXECUTE FUNCTION gb_check_group_transition();

-- Moves an order from p_from to p_to and records it; the history's key refuses a second entry.
CREATE FUNCTION gb_order_transition(p_order bigint, p_from text, p_to text, p_actor text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE orders SET status = p_to, updated_at = now() WHERE id = p_order AND status = p_from;
    IF NOT FOUND THEN
        PERFORM gb_raise('GB011', format('order %s is not %s', p_order, p_from));
    END IF;
    INSERT INTO order_history (order_id, from_status, to_status, actor) VALUES (p_order, p_from, p_to, p_actor);
END
$$;

-- Idempotency keys. Begin: under a transaction-scoped advisory lock on (user, key) — a second
-- request with the key while the first runs gets GB013 instead of waiting — answer the stored
-- response if there is one (GB012 when the body differs). Finish: store the first answer.

CREATE FUNCTION gb_idempotency_begin(p_user text, p_key text, p_hash text, OUT status_code int, OUT body text)
LANGUAGE plpgsql AS $$
DECLARE
    stored idempotency_keys;
BEGIN
    IF p_key IS NULL THEN
        RETURN;
    END IF;
    IF NOT pg_try_advisory_xact_lock(hashtextextended(p_user || E'\n' || p_key, 0)) THEN
        PERFORM gb_raise('GB013', 'a request with this Idempotency-Key is still in progress');
    END IF;
    SELECT * INTO stored FROM idempotency_keys k WHERE k.user_id = p_user AND k.key = p_key AND k.expires_at > now();
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF stored.request_hash <> p_hash THEN
        PERFORM gb_raise('GB012', 'this Idempotency-Key was used for a different request');
    END IF;
    status_code := stored.status_code;
    body := stored.response;
END
$$;

CREATE FUNCTION gb_idempotency_finish(p_user text, p_key text, p_hash text, p_status int, p_body text, p_ttl_seconds int)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF p_key IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO idempotency_keys AS k (user_id, key, request_hash, status_code, response, expires_at)
    VALUES (p_user, p_key, p_hash, p_status, p_body, now() + make_interval(secs => p_ttl_seconds))
    ON CONFLICT (user_id, key) DO UPDATE
        SET request_hash = EXCLUDED.request_hash, status_code = EXCLUDED.status_code, response = EXCLUDED.response,
            created_at = now(), expires_at = EXCLUDED.expires_at
        WHERE k.expires_at <= now();
END
$$;

-- Inventory.

-- Reserves p_quantity units of a deal for an order. 'single_row': the textbook baseline, one
-- conditional UPDATE of slot 0 (deals made with catalog.slots_per_deal = 1). 'slots':
--   1. Fast path: the first slot from a random start (wrapping around) that holds the whole
--      quantity and that no one else has locked (SKIP LOCKED). Each probe is an index range
--      scan in slot order that stops at the first such slot, so its cost does not grow with
--      the number of slots. It runs in a subtransaction, rolled back on a miss: a row whose
--      latest version failed the re-check after being locked (another buyer took its last
--      units meanwhile) stays locked by PostgreSQL, and must not be held while we wait below.
--   2. Otherwise, if the committed stock of all slots is short, sold out (GB003). Units held by
--      unfinished buyers still count as committed stock, so we do not say sold out while they
--      may come back.
--   3. Otherwise wait: lock the slots with stock in ascending slot order, holding no other slot
--      (step 1 left none), and take from each until the quantity is there. Every waiter waits
--      for a higher slot than any it holds, so waiters cannot deadlock; fast-path buyers never
--      wait. GB003 if the slots are still short once their holders have finished.
CREATE FUNCTION gb_reserve_stock(p_order bigint, p_deal bigint, p_quantity int, p_strategy text, p_slots int DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    remaining int := p_quantity;
    start_slot int;
    picked record;
    taken int;
    last_slot int := -1;
BEGIN
    IF p_strategy = 'single_row' THEN
        UPDATE deal_stock_slots SET available = available - p_quantity, reserved = reserved + p_quantity
        WHERE deal_id = p_deal AND slot = 0 AND available >= p_quantity;
        IF NOT FOUND THEN
            PERFORM gb_raise('GB003', 'not enough stock left for this quantity');
        END IF;
        INSERT INTO reservations (order_id, deal_id, slot, quantity) VALUES (p_order, p_deal, 0, p_quantity);
        RETURN;
    END IF;

    IF p_slots IS NULL THEN
        SELECT stock_slots INTO p_slots FROM deals WHERE id = p_deal;
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
        RETURN;
    EXCEPTION WHEN SQLSTATE 'GB099' THEN
        NULL;
    END;

    IF (SELECT coalesce(sum(available), 0) FROM deal_stock_slots WHERE deal_id = p_deal) < p_quantity THEN
        PERFORM gb_raise('GB003', 'not enough stock left for this quantity');
    END IF;
    -- One row per statement: a FOR loop over the query would prefetch (and lock) ten slots.
    LOOP
        SELECT slot, available INTO picked FROM deal_stock_slots
        WHERE deal_id = p_deal AND slot > last_slot AND available > 0
        ORDER BY slot LIMIT 1 FOR NO KEY UPDATE;
        EXIT WHEN NOT FOUND;
        last_slot := picked.slot;
        taken := least(picked.available, remaining);
        UPDATE deal_stock_slots SET available = available - taken, reserved = reserved + taken
        WHERE deal_id = p_deal AND slot = picked.slot;
        INSERT INTO reservations (order_id, deal_id, slot, quantity) VALUES (p_order, p_deal, picked.slot, taken);
        remaining := remaining - taken;
        EXIT WHEN remaining = 0;
    END LOOP;
    IF remaining > 0 THEN
        PERFORM gb_raise('GB003', 'not enough stock left for this quantity');
    END IF;
END
$$;

-- Ends an order's reservation: its units go back to available, or on to sold. The caller
-- holds the order's row lock, so its reservations cannot change meanwhile.
CREATE FUNCTION gb_settle_reservation(p_order bigint, p_to text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    part record;
BEGIN
    FOR part IN SELECT deal_id, slot, quantity FROM reservations WHERE order_id = p_order ORDER BY slot LOOP
        IF p_to = 'sold' THEN
            UPDATE deal_stock_slots SET reserved = reserved - part.quantity, sold = sold + part.quantity
            WHERE deal_id = part.deal_id AND slot = part.slot;
        ELSE
            UPDATE deal_stock_slots SET reserved = reserved - part.quantity, available = available + part.quantity
            WHERE deal_id = part.deal_id AND slot = part.slot;
        END IF;
    END LOOP;
    DELETE FROM reservations WHERE order_id = p_order;
END
$$;

-- Groups and orders.

-- The deal if buyers may order it now.
CREATE FUNCTION gb_open_deal(p_deal bigint) RETURNS deals LANGUAGE plpgsql AS $$
DECLARE
    d deals;
BEGIN
    SELECT * INTO d FROM deals WHERE id = p_deal;
    IF NOT FOUND OR d.status = 'draft' THEN
        PERFORM gb_raise('GB001', format('there is no deal %s', p_deal));
    END IF;
    IF d.status <> 'active' THEN
        PERFORM gb_raise('GB002', format('the deal is %s', d.status));
    END IF;
    IF now() < d.starts_at THEN
        PERFORM gb_raise('GB002', format('the deal starts at %s', gb_rfc3339(d.starts_at)));
    END IF;
    IF now() >= d.ends_at THEN
        PERFORM gb_raise('GB002', format('the deal ended at %s', gb_rfc3339(d.ends_at)));
    END IF;
    RETURN d;
END
$$;

-- An order in pending_payment with its reservation and its seat in the group. The caller
-- holds the group's row lock and has checked the group.
CREATE FUNCTION gb_place_order(p_user text, d deals, g groups, p_quantity int, p_payment_window_seconds int, p_strategy text)
RETURNS orders LANGUAGE plpgsql AS $$
DECLARE
    o orders;
BEGIN
    IF EXISTS (SELECT 1 FROM group_members WHERE group_id = g.id AND user_id = p_user) THEN
        PERFORM gb_raise('GB008', 'you are already in this group');
    END IF;
    IF p_quantity > d.per_user_limit THEN
        PERFORM gb_raise('GB009', format('at most %s units of this deal per buyer', d.per_user_limit));
    END IF;
    INSERT INTO user_deal_quantities AS q (user_id, deal_id, quantity) VALUES (p_user, d.id, p_quantity)
    ON CONFLICT (user_id, deal_id) DO UPDATE SET quantity = q.quantity + EXCLUDED.quantity
        WHERE q.quantity + EXCLUDED.quantity <= d.per_user_limit;
    IF NOT FOUND THEN
        PERFORM gb_raise('GB009', format('at most %s units of this deal per buyer, counting your open orders', d.per_user_limit));
    END IF;

    INSERT INTO orders (user_id, deal_id, group_id, quantity, unit_price, amount, currency, status, expires_at)
    VALUES (p_user, d.id, g.id, p_quantity, d.group_price, d.group_price * p_quantity, d.currency, 'pending_payment',
            least(now() + make_interval(secs => p_payment_window_seconds), g.expires_at))
    RETURNING * INTO o;
    PERFORM gb_reserve_stock(o.id, d.id, p_quantity, p_strategy, d.stock_slots);
    INSERT INTO group_members (group_id, user_id, order_id) VALUES (g.id, p_user, o.id);
    UPDATE groups SET member_count = member_count + 1 WHERE id = g.id;
    INSERT INTO order_history (order_id, from_status, to_status, actor) VALUES (o.id, NULL, 'pending_payment', p_user);
    RETURN o;
END
$$;

-- The 201 answer to starting or joining a group (the group as it is now, and the order),
-- stored with the Idempotency-Key when there is one.
CREATE FUNCTION gb_placed_answer(p_group bigint, o orders, p_user text, p_key text, p_hash text, p_ttl_seconds int)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    answer text;
BEGIN
    SELECT json_build_object('group', gb_group_json(g), 'order', gb_order_json(o))::text INTO answer FROM groups g WHERE g.id = p_group;
    IF p_key IS NOT NULL THEN
        PERFORM gb_idempotency_finish(p_user, p_key, p_hash, 201, answer, p_ttl_seconds);
    END IF;
    RETURN answer;
END
$$;

CREATE FUNCTION gb_start_group(
    p_user text, p_deal bigint, p_quantity int, p_payment_window_seconds int, p_strategy text,
    p_idempotency_key text, p_request_hash text, p_idempotency_ttl_seconds int,
    OUT status_code int, OUT body text
) LANGUAGE plpgsql AS $$
DECLARE
    d deals;
    g groups;
    o orders;
BEGIN
    IF p_idempotency_key IS NOT NULL THEN
        SELECT b.status_code, b.body INTO status_code, body FROM gb_idempotency_begin(p_user, p_idempotency_key, p_request_hash) b;
        IF status_code IS NOT NULL THEN
            RETURN;
        END IF;
    END IF;
    d := gb_open_deal(p_deal);
    INSERT INTO groups (deal_id, leader_user_id, size, expires_at)
    VALUES (d.id, p_user, d.group_size, least(now() + make_interval(secs => d.group_time_limit_seconds), d.ends_at))
    RETURNING * INTO g;
    o := gb_place_order(p_user, d, g, p_quantity, p_payment_window_seconds, p_strategy);
    status_code := 201;
    body := gb_placed_answer(g.id, o, p_user, p_idempotency_key, p_request_hash, p_idempotency_ttl_seconds);
END
$$;

CREATE FUNCTION gb_join_group(
    p_user text, p_group bigint, p_quantity int, p_payment_window_seconds int, p_strategy text,
    p_idempotency_key text, p_request_hash text, p_idempotency_ttl_seconds int,
    OUT status_code int, OUT body text
) LANGUAGE plpgsql AS $$
DECLARE
    d deals;
    g groups;
    o orders;
BEGIN
    IF p_idempotency_key IS NOT NULL THEN
        SELECT b.status_code, b.body INTO status_code, body FROM gb_idempotency_begin(p_user, p_idempotency_key, p_request_hash) b;
        IF status_code IS NOT NULL THEN
            RETURN;
        END IF;
    END IF;
    SELECT * INTO g FROM groups WHERE id = p_group FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM gb_raise('GB004', format('there is no group %s', p_group));
    END IF;
    IF g.status <> 'open' THEN
        PERFORM gb_raise('GB005', format('the group has %s', g.status));
    END IF;
    IF g.expires_at <= now() THEN
        PERFORM gb_raise('GB006', format('the group expired at %s', gb_rfc3339(g.expires_at)));
    END IF;
    IF g.member_count >= g.size THEN
        PERFORM gb_raise('GB007', format('the group has all its %s members', g.size));
    END IF;
    d := gb_open_deal(g.deal_id);
    o := gb_place_order(p_user, d, g, p_quantity, p_payment_window_seconds, p_strategy);
    status_code := 201;
    body := gb_placed_answer(g.id, o, p_user, p_idempotency_key, p_request_hash, p_idempotency_ttl_seconds);
END
$$;

-- Frees what an unpaid order holds (seat, per-user quantity, stock) and moves it to p_to.
-- The caller holds the group's and the order's row locks.
CREATE FUNCTION gb_end_unpaid_order(o orders, p_to text, p_actor text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM group_members WHERE order_id = o.id;
    UPDATE groups SET member_count = member_count - 1 WHERE id = o.group_id;
    UPDATE user_deal_quantities SET quantity = quantity - o.quantity WHERE user_id = o.user_id AND deal_id = o.deal_id;
    PERFORM gb_settle_reservation(o.id, 'available');
    PERFORM gb_order_transition(o.id, 'pending_payment', p_to, p_actor);
END
$$;

-- Locks an order and its group (group first) for a change by its owner (or anyone when p_user
-- is NULL); GB010 when there is no such order for that user.
CREATE FUNCTION gb_lock_order(p_order bigint, p_user text) RETURNS orders LANGUAGE plpgsql AS $$
DECLARE
    o orders;
BEGIN
    SELECT * INTO o FROM orders WHERE id = p_order AND (p_user IS NULL OR user_id = p_user);
    IF NOT FOUND THEN
        PERFORM gb_raise('GB010', format('there is no order %s', p_order));
    END IF;
    PERFORM 1 FROM groups WHERE id = o.group_id FOR UPDATE;
    SELECT * INTO o FROM orders WHERE id = p_order FOR UPDATE;
    RETURN o;
END
$$;

CREATE FUNCTION gb_cancel_order(p_order bigint, p_user text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    o orders;
BEGIN
    o := gb_lock_order(p_order, p_user);
    IF o.status <> 'pending_payment' THEN
        PERFORM gb_raise('GB011', format('only an unpaid order can be cancelled; this one is %s', o.status));
    END IF;
    PERFORM gb_end_unpaid_order(o, 'cancelled', coalesce(p_user, 'admin'));
    SELECT * INTO o FROM orders WHERE id = p_order;
    RETURN gb_order_json(o)::text;
END
$$;

-- Payments and refunds.

-- Records a refund of the whole payment and the outbox job that asks the provider for it;
-- nothing when the payment already has one.
CREATE FUNCTION gb_request_refund(p_payment bigint, p_reason text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    refund_id bigint;
BEGIN
    UPDATE payments SET status = 'refund_pending', updated_at = now() WHERE id = p_payment AND status = 'succeeded';
    INSERT INTO refunds (payment_id, amount, status, reason)
    SELECT id, amount, 'requested', p_reason FROM payments WHERE id = p_payment
    ON CONFLICT (payment_id) DO NOTHING
    RETURNING id INTO refund_id;
    IF refund_id IS NOT NULL THEN
        INSERT INTO jobs (kind, payload, dedupe_key) VALUES ('refund', jsonb_build_object('refundId', refund_id), 'refund:' || refund_id);
    END IF;
END
$$;

-- Gives back a paid (or confirmed) order's money: its stock returns when it was only
-- reserved, its seat frees while the group is still open, and a refund is requested.
-- The caller holds the group's and the order's row locks.
CREATE FUNCTION gb_refund_order(o orders, p_reason text, p_actor text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    paid_with bigint;
BEGIN
    IF o.status = 'paid' THEN
        PERFORM gb_settle_reservation(o.id, 'available');
        UPDATE user_deal_quantities SET quantity = quantity - o.quantity WHERE user_id = o.user_id AND deal_id = o.deal_id;
        IF (SELECT status FROM groups WHERE id = o.group_id) = 'open' THEN
            DELETE FROM group_members WHERE order_id = o.id;
            UPDATE groups SET member_count = member_count - 1, paid_count = paid_count - 1 WHERE id = o.group_id;
        END IF;
    END IF;
    PERFORM gb_order_transition(o.id, o.status, 'refund_pending', p_actor);
    SELECT id INTO paid_with FROM payments WHERE order_id = o.id FOR UPDATE;
    PERFORM gb_request_refund(paid_with, p_reason);
END
$$;

-- Confirms a group whose members have all paid: their orders confirmed, their stock sold.
-- The caller holds the group's row lock.
CREATE FUNCTION gb_confirm_group(p_group bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    o orders;
BEGIN
    FOR o IN SELECT * FROM orders WHERE group_id = p_group AND status = 'paid' ORDER BY id FOR UPDATE LOOP
        PERFORM gb_settle_reservation(o.id, 'sold');
        PERFORM gb_order_transition(o.id, 'paid', 'confirmed', 'system:group-success');
    END LOOP;
    UPDATE groups SET status = 'succeeded', closed_at = now() WHERE id = p_group;
END
$$;

-- The payment of an order its owner wants to pay now (made on the first call, the same one
-- afterwards): the service then asks the provider for an intent.
CREATE FUNCTION gb_begin_payment(p_order bigint, p_user text) RETURNS payments LANGUAGE plpgsql AS $$
DECLARE
    o orders;
    p payments;
BEGIN
    SELECT * INTO o FROM orders WHERE id = p_order AND user_id = p_user FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM gb_raise('GB010', format('there is no order %s', p_order));
    END IF;
    IF o.status <> 'pending_payment' THEN
        PERFORM gb_raise('GB011', format('only an unpaid order can be paid; this one is %s', o.status));
    END IF;
    IF o.expires_at <= now() THEN
        PERFORM gb_raise('GB015', format('the payment window closed at %s', gb_rfc3339(o.expires_at)));
    END IF;
    INSERT INTO payments (order_id, amount, currency, status) VALUES (o.id, o.amount, o.currency, 'creating')
    ON CONFLICT (order_id) DO NOTHING;
    SELECT * INTO p FROM payments WHERE order_id = o.id;
    RETURN p;
END
$$;

-- Links the provider's intent to the payment (the provider's idempotency makes a retry get
-- the same intent).
CREATE FUNCTION gb_attach_intent(p_payment bigint, p_intent text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    p payments;
BEGIN
    UPDATE payments
    SET intent_id = p_intent, updated_at = now(),
        status = CASE WHEN status = 'creating' THEN 'requires_confirmation' ELSE status END
    WHERE id = p_payment AND (intent_id IS NULL OR intent_id = p_intent)
    RETURNING * INTO p;
    IF NOT FOUND THEN
        PERFORM gb_raise('GB011', format('payment %s already has another intent', p_payment));
    END IF;
    RETURN gb_payment_json(p)::text;
END
$$;

-- Applies one provider event exactly once, whatever the order of arrival: the event id is
-- recorded first (a second delivery stops there), and every change only moves a payment or an
-- order forward. Answers the outcome, also stored with the event.
CREATE FUNCTION gb_apply_payment_event(
    p_event_id text, p_type text, p_payment bigint, p_intent text, p_amount bigint, p_provider_refund text, p_payload jsonb
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
        INSERT INTO payment_events (event_id, type, outcome, payload) VALUES (p_event_id, p_type, 'unknown_payment', p_payload)
        ON CONFLICT (event_id) DO NOTHING;
        RETURN CASE WHEN FOUND THEN 'unknown_payment' ELSE 'duplicate' END;
    END IF;
    INSERT INTO payment_events (event_id, type, payment_id, payload) VALUES (p_event_id, p_type, p.id, p_payload)
    ON CONFLICT (event_id) DO NOTHING;
    IF NOT FOUND THEN
        RETURN 'duplicate';
    END IF;

    o := gb_lock_order(p.order_id, NULL);
    SELECT * INTO g FROM groups WHERE id = o.group_id;
    SELECT * INTO p FROM payments WHERE id = p.id FOR UPDATE;

    IF p_type = 'payment_intent.succeeded' THEN
        IF p_amount IS DISTINCT FROM p.amount THEN
            result := 'amount_mismatch';
        ELSIF p.status IN ('succeeded', 'refund_pending', 'refunded') THEN
            result := 'already_applied';
        ELSE
            UPDATE payments SET status = 'succeeded', intent_id = coalesce(intent_id, p_intent), updated_at = now() WHERE id = p.id;
            IF o.status = 'pending_payment' AND o.expires_at > now() AND g.status = 'open' THEN
                PERFORM gb_order_transition(o.id, 'pending_payment', 'paid', 'system:payment');
                UPDATE groups SET paid_count = paid_count + 1 WHERE id = g.id RETURNING * INTO g;
                IF g.paid_count = g.size THEN
                    PERFORM gb_confirm_group(g.id);
                    result := 'group_succeeded';
                ELSE
                    result := 'order_paid';
                END IF;
            ELSE
                -- The money came for an order that can no longer be paid: give it back.
                IF o.status = 'pending_payment' THEN
                    PERFORM gb_end_unpaid_order(o, 'expired', 'system:late-payment');
                END IF;
                PERFORM gb_request_refund(p.id, 'payment arrived after the order ended');
                result := 'refund_late_payment';
            END IF;
        END IF;
    ELSIF p_type = 'payment_intent.payment_failed' THEN
        IF p.status IN ('creating', 'requires_confirmation') THEN
            UPDATE payments SET status = 'failed', updated_at = now() WHERE id = p.id;
            result := 'payment_failed';
        ELSE
            result := 'already_applied';
        END IF;
    ELSIF p_type = 'refund.succeeded' THEN
        UPDATE refunds SET status = 'succeeded', provider_refund_id = coalesce(provider_refund_id, p_provider_refund), updated_at = now()
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

CREATE FUNCTION gb_admin_refund(p_order bigint, p_actor text, p_request_id text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    o orders;
    snapshot json;
BEGIN
    o := gb_lock_order(p_order, NULL);
    IF o.status NOT IN ('paid', 'confirmed') THEN
        PERFORM gb_raise('GB011', format('only a paid or confirmed order can be refunded; this one is %s', o.status));
    END IF;
    snapshot := gb_order_json(o);
    PERFORM gb_refund_order(o, 'refunded by an admin', p_actor);
    SELECT * INTO o FROM orders WHERE id = p_order;
    INSERT INTO audit_log (actor, action, entity, entity_id, before, after, request_id)
    VALUES (p_actor, 'order.refund', 'order', o.id::text, snapshot::jsonb, gb_order_json(o)::jsonb, p_request_id);
    RETURN gb_order_json(o)::text;
END
$$;

-- Background work, claimed with SKIP LOCKED so that any number of instances share it.

-- Expires unpaid orders past their payment window. A group another transaction holds is
-- skipped this round (its holder may be expiring it); the next round takes it.
CREATE FUNCTION gb_expire_orders(p_batch int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    candidate record;
    o orders;
    done int := 0;
BEGIN
    FOR candidate IN
        SELECT id, group_id FROM orders WHERE status = 'pending_payment' AND expires_at <= now() ORDER BY expires_at LIMIT p_batch
    LOOP
        PERFORM 1 FROM groups WHERE id = candidate.group_id FOR UPDATE SKIP LOCKED;
        CONTINUE WHEN NOT FOUND;
        SELECT * INTO o FROM orders WHERE id = candidate.id FOR UPDATE;
        CONTINUE WHEN o.status <> 'pending_payment' OR o.expires_at > now();
        PERFORM gb_end_unpaid_order(o, 'expired', 'system:expiry');
        done := done + 1;
    END LOOP;
    RETURN done;
END
$$;

-- Fails open groups past their time limit: unpaid orders expire, paid ones are refunded.
CREATE FUNCTION gb_fail_groups(p_batch int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    g groups;
    o orders;
    done int := 0;
BEGIN
    FOR g IN
        SELECT * FROM groups WHERE status = 'open' AND expires_at <= now() ORDER BY expires_at LIMIT p_batch FOR UPDATE SKIP LOCKED
    LOOP
        IF g.paid_count = g.size THEN
            PERFORM gb_confirm_group(g.id);
            CONTINUE;
        END IF;
        FOR o IN SELECT * FROM orders WHERE group_id = g.id AND status IN ('pending_payment', 'paid') ORDER BY id FOR UPDATE LOOP
            IF o.status = 'pending_payment' THEN
                PERFORM gb_end_unpaid_order(o, 'expired', 'system:group-failure');
            ELSE
                PERFORM gb_refund_order(o, 'the group did not fill in time', 'system:group-failure');
            END IF;
        END LOOP;
        UPDATE groups SET status = 'failed', closed_at = now() WHERE id = g.id;
        done := done + 1;
    END LOOP;
    RETURN done;
END
$$;

-- Confirms open groups whose members have all paid (a safety net: the last payment confirms
-- its group at once).
CREATE FUNCTION gb_confirm_groups(p_batch int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    g groups;
    done int := 0;
BEGIN
    FOR g IN SELECT * FROM groups WHERE status = 'open' AND paid_count = size LIMIT p_batch FOR UPDATE SKIP LOCKED LOOP
        PERFORM gb_confirm_group(g.id);
        done := done + 1;
    END LOOP;
    RETURN done;
END
$$;
