-- Groups and orders: placing an order in a group (start and join), cancelling, expiring,
-- failing and confirming groups, refunds of orders, idempotency keys, and the JSON of groups
-- and orders. Owner: Sources/Orders (tests: Tests/OrdersTests).
--
-- Refusals (class GB, docs/ORDERS.md) are answered, not raised: the entry points return the
-- refusal's SQLSTATE and message (`refusal`, and `body`), so that a sold-out answer is not an
-- ERROR in PostgreSQL's log and the transaction does not abort. Raised errors are left for
-- broken invariants (the transition triggers) and the unforeseen.
--
-- Lock order, everywhere (docs/ORDERS.md): group row, then order rows, then payment and
-- refund rows, then users' quantity rows sorted by (user, deal), then stock slots sorted by
-- (deal, slot). An operation that ends or confirms several orders in one transaction (the
-- sweeps, a group's success) first locks and moves every order, then gives back their
-- quantities and stock in one pass in that sorted order (gb_settle_orders, inventory.sql).
-- Row locks are FOR NO KEY UPDATE (we never change keys), which foreign-key checks (FOR KEY
-- SHARE) do not wait for.
--
-- Uses inventory.sql (gb_reserve_stock, gb_settle_orders) and, as an order's JSON shows its
-- payment and a failed group's paid orders are refunded, payments.sql (gb_payment_json,
-- gb_request_refund).
--
-- A repeatable file (migrations/README.md): applied after the numbered migrations, and again
-- whenever it changes; it holds the current definition of each function once.
--
-- Replaced signatures (dropped here first, see migrations/README.md): none.

-- State machines (docs/ORDERS.md), enforced on every UPDATE whoever makes it.

CREATE OR REPLACE FUNCTION gb_check_order_transition() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION gb_check_group_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status <> OLD.status AND NOT (OLD.status = 'open' AND NEW.status IN ('succeeded', 'failed')) THEN
        RAISE EXCEPTION USING ERRCODE = 'GB005',
            MESSAGE = format('group %s cannot go from %s to %s', OLD.id, OLD.status, NEW.status);
    END IF;
    RETURN NEW;
END
$$;

-- Made when missing and otherwise left alone: CREATE OR REPLACE TRIGGER locks the table
-- against every writer and could deadlock with the running service each time this file is
-- applied. To change when one fires, give it a new name and drop the old one above.
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT FROM pg_trigger WHERE tgrelid = 'orders'::regclass AND tgname = 'orders_status_transition'
    ) THEN
        CREATE TRIGGER orders_status_transition BEFORE UPDATE OF status ON orders
            FOR EACH ROW EXECUTE FUNCTION gb_check_order_transition();
    END IF;
    IF NOT EXISTS (
        SELECT FROM pg_trigger WHERE tgrelid = 'groups'::regclass AND tgname = 'groups_status_transition'
    ) THEN
        CREATE TRIGGER groups_status_transition BEFORE UPDATE OF status ON groups
            FOR EACH ROW EXECUTE FUNCTION gb_check_group_transition();
    END IF;
END
$$;

-- Moves an order from p_from to p_to and records it; the history's key refuses a second entry.
CREATE OR REPLACE FUNCTION gb_order_transition(p_order bigint, p_from text, p_to text, p_actor text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE orders SET status = p_to, updated_at = now() WHERE id = p_order AND status = p_from;
    IF NOT FOUND THEN
        PERFORM gb_raise('GB011', format('order %s is not %s', p_order, p_from));
    END IF;
    INSERT INTO order_history (order_id, from_status, to_status, actor) VALUES (p_order, p_from, p_to, p_actor);
END
$$;

-- Idempotency keys. Begin: under a transaction-scoped advisory lock on (user, key), answer the
-- stored response if there is one; a second request with the key while the first runs (GB013)
-- or one with another body (GB012) is answered as `refusal`. Finish: store the first answer.
CREATE OR REPLACE FUNCTION gb_idempotency_begin(
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

CREATE OR REPLACE FUNCTION gb_idempotency_finish(
    p_user text, p_key text, p_hash text, p_status int, p_body text, p_ttl_seconds int
)
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

-- JSON shapes (docs/API.md). Rendered here so that the first answer to a creating POST can be
-- stored with its Idempotency-Key in the same transaction as the effect.

-- Public: counts, never who the members are. Plain SQL: inlined into the caller's expression.
CREATE OR REPLACE FUNCTION gb_group_json(g groups) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', g.id, 'dealId', g.deal_id, 'size', g.size, 'members', g.member_count,
        'paidMembers', g.paid_count, 'seatsLeft', g.size - g.member_count, 'status', g.status,
        'expiresAt', gb_rfc3339(g.expires_at), 'createdAt', gb_rfc3339(g.created_at),
        'closedAt', gb_rfc3339(g.closed_at))
$$;

CREATE OR REPLACE FUNCTION gb_order_json(o orders) RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN json_build_object(
        'id', o.id, 'dealId', o.deal_id, 'groupId', o.group_id, 'userId', o.user_id,
        'quantity', o.quantity, 'unitPrice', o.unit_price, 'amount', o.amount, 'currency', o.currency,
        'status', o.status, 'expiresAt', gb_rfc3339(o.expires_at),
        'payment', (SELECT gb_payment_json(p) FROM payments p WHERE p.order_id = o.id),
        'createdAt', gb_rfc3339(o.created_at), 'updatedAt', gb_rfc3339(o.updated_at));
END
$$;

-- The 201 answer to starting or joining a group (the group as it is now, and the order),
-- stored with the Idempotency-Key when there is one.
CREATE OR REPLACE FUNCTION gb_placed_answer(
    p_group bigint, o orders, p_user text, p_key text, p_hash text, p_ttl_seconds int
)
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

-- Starting a group (p_group NULL: a new group of p_deal) or joining one (p_deal NULL: p_group's
-- deal), one placement for both, with the caller's order in pending_payment, its stock
-- reserved and its seat taken: the stored answer for a replayed Idempotency-Key, else the 201
-- answer (stored with the key), else the refusal. Every rule is checked before anything is
-- written, so a refusal leaves nothing behind without a subtransaction; the two found only once
-- the order is written (stock taken by others meanwhile, as stock is reserved as late as
-- possible, see gb_reserve_stock; the deal gone back to draft meanwhile) delete what it wrote
-- and give the user's quantity back (a row of 0 units is what any ended order leaves too).
CREATE OR REPLACE FUNCTION gb_order_in_group(
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

CREATE OR REPLACE FUNCTION gb_cancel_order(p_order bigint, p_user text, OUT refusal text, OUT body text)
LANGUAGE plpgsql AS $$
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

-- Gives back a paid (or confirmed) order's money: the payment row is locked, the order's seat
-- frees while the group is still open, and a refund is requested. Answers whether its units
-- were only reserved (a paid order): then they, and the user's quantity, go back through
-- gb_settle_orders, which the caller runs. The caller holds the group's and the order's locks.
CREATE OR REPLACE FUNCTION gb_refund_order(o orders, p_reason text, p_actor text) RETURNS boolean LANGUAGE plpgsql AS $$
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
CREATE OR REPLACE FUNCTION gb_succeed_group(p_group bigint) RETURNS bigint[] LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION gb_admin_refund(
    p_order bigint, p_actor text, p_request_id text, OUT refusal text, OUT body text
)
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
