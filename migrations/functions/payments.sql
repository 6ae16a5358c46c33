-- Payments and refunds: beginning a payment, linking the provider's intent, applying the
-- provider's signed events exactly once (and only when their money matches), requesting
-- refunds through the outbox, and the JSON of payments. Owner: Sources/Payments (tests:
-- Tests/PaymentsTests).
--
-- Uses orders.sql (gb_lock_order, gb_order_transition, gb_end_unpaid_order, gb_succeed_group)
-- and inventory.sql (gb_settle_orders); the lock order is theirs (docs/ORDERS.md).
--
-- A repeatable file (migrations/README.md): applied after the numbered migrations, and again
-- whenever it changes; it holds the current definition of each function once.
--
-- Replaced signatures (dropped here first, see migrations/README.md): none.

-- Rendered here so that an order's JSON (gb_order_json) shows its payment.
CREATE OR REPLACE FUNCTION gb_payment_json(p payments) RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN json_build_object(
        'id', p.id, 'orderId', p.order_id, 'intentId', p.intent_id, 'amount', p.amount,
        'currency', p.currency, 'status', p.status,
        'refund', (SELECT json_build_object('id', r.id, 'status', r.status, 'amount', r.amount, 'reason', r.reason)
                   FROM refunds r WHERE r.payment_id = p.id),
        'createdAt', gb_rfc3339(p.created_at), 'updatedAt', gb_rfc3339(p.updated_at));
END
$$;

-- Records a refund of the whole payment and the outbox job that asks the provider for it;
-- nothing when the payment already has one.
CREATE OR REPLACE FUNCTION gb_request_refund(p_payment bigint, p_reason text) RETURNS void LANGUAGE plpgsql AS $$
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

-- The payment of an order its owner wants to pay now (made on the first call, the same one
-- afterwards): the service then asks the provider for an intent, with the idempotency key
-- `payment-<id>` (`payment-<id>-<intent_attempts>` after the provider answered an intent of
-- another payment). A refusal instead: GB010, GB011, GB015.
CREATE OR REPLACE FUNCTION gb_begin_payment(
    p_order bigint, p_user text, OUT refusal text, OUT detail text, OUT payment payments
)
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
CREATE OR REPLACE FUNCTION gb_attach_intent(p_payment bigint, p_intent text, OUT refusal text, OUT body text)
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
CREATE OR REPLACE FUNCTION gb_payment_event_mismatch(
    p payments, p_type text, p_intent text, p_amount bigint, p_currency text
)
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
CREATE OR REPLACE FUNCTION gb_apply_payment_event(
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
