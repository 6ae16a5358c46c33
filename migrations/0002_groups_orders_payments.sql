-- Groups, orders, stock reservations, payments, refunds, provider events, the outbox of
-- jobs and idempotency keys. The business operations on them are SQL functions
-- (0003_business_functions.sql): one round trip each, invariants enforced here.
--
-- Order states (docs/ORDERS.md has the diagram):
--   pending_payment -> paid | cancelled | expired
--   paid            -> confirmed | refund_pending
--   confirmed       -> refund_pending            (admin refund)
--   refund_pending  -> refunded
-- Group states: open -> succeeded | failed.

-- What was ever put into a deal's stock (initial stock plus every addition): the right-hand
-- side of the invariant available + reserved + sold = total, per deal.
ALTER TABLE deals ADD COLUMN stock_total bigint NOT NULL DEFAULT 0 CHECK (stock_total >= 0);
UPDATE deals d SET stock_total = (SELECT coalesce(sum(available + reserved + sold), 0) FROM deal_stock_slots s WHERE s.deal_id = d.id);

CREATE TABLE groups (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    deal_id         bigint NOT NULL REFERENCES deals (id),
    leader_user_id  text NOT NULL,
    size            int NOT NULL CHECK (size BETWEEN 2 AND 100),
    -- Seats taken by live orders (pending_payment, paid, confirmed).
    member_count    int NOT NULL DEFAULT 0 CHECK (member_count BETWEEN 0 AND size),
    paid_count      int NOT NULL DEFAULT 0 CHECK (paid_count BETWEEN 0 AND member_count),
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'succeeded', 'failed')),
    expires_at      timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    closed_at       timestamptz,
    CHECK ((status = 'open') = (closed_at IS NULL))
);

CREATE INDEX groups_deal_status ON groups (deal_id, status, id);
CREATE INDEX groups_open_by_expiry ON groups (expires_at) WHERE status = 'open';
CREATE INDEX groups_status_id ON groups (status, id);

CREATE TABLE orders (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     text NOT NULL CHECK (char_length(user_id) BETWEEN 1 AND 200),
    deal_id     bigint NOT NULL REFERENCES deals (id),
    group_id    bigint NOT NULL REFERENCES groups (id),
    quantity    int NOT NULL CHECK (quantity BETWEEN 1 AND 1000),
    unit_price  bigint NOT NULL CHECK (unit_price > 0),
    amount      bigint NOT NULL CHECK (amount = unit_price * quantity),
    currency    text NOT NULL,
    status      text NOT NULL CHECK (status IN (
                    'pending_payment', 'paid', 'confirmed', 'cancelled', 'expired', 'refund_pending', 'refunded')),
    -- End of the payment window (never after the group's own expiry).
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX orders_user_id ON orders (user_id, id);
CREATE INDEX orders_group ON orders (group_id);
CREATE INDEX orders_status_id ON orders (status, id);
CREATE INDEX orders_deal_id ON orders (deal_id, id);
CREATE INDEX orders_pending_by_expiry ON orders (expires_at) WHERE status = 'pending_payment';

-- Every state change of an order, once: the unique key makes a second transition into the
-- same state impossible, so "exactly once" is enforced, not hoped for.
CREATE TABLE order_history (
    order_id     bigint NOT NULL REFERENCES orders (id),
    from_status  text,
    to_status    text NOT NULL,
    at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor        text NOT NULL,
    PRIMARY KEY (order_id, to_status)
);

-- A user is at most once in a group (the primary key); a row exists while the seat is taken.
CREATE TABLE group_members (
    group_id  bigint NOT NULL REFERENCES groups (id),
    user_id   text NOT NULL,
    order_id  bigint NOT NULL UNIQUE REFERENCES orders (id),
    PRIMARY KEY (group_id, user_id)
);

-- Stock held for an order, per slot it was taken from; deleted when the stock is released
-- (back to available) or committed (to sold).
CREATE TABLE reservations (
    order_id  bigint NOT NULL REFERENCES orders (id),
    deal_id   bigint NOT NULL,
    slot      int NOT NULL,
    quantity  int NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, slot),
    FOREIGN KEY (deal_id, slot) REFERENCES deal_stock_slots (deal_id, slot)
);

-- Units a user holds of a deal in live orders, for the per-user limit; the row lock taken by
-- the conditional upsert serializes one user's concurrent orders for one deal.
CREATE TABLE user_deal_quantities (
    user_id   text NOT NULL,
    deal_id   bigint NOT NULL REFERENCES deals (id),
    quantity  int NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (user_id, deal_id)
);

-- One payment (one provider intent) per order; a declined card is retried on the same intent.
CREATE TABLE payments (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id    bigint NOT NULL UNIQUE REFERENCES orders (id),
    provider    text NOT NULL DEFAULT 'psp',
    intent_id   text UNIQUE,
    amount      bigint NOT NULL CHECK (amount > 0),
    currency    text NOT NULL,
    status      text NOT NULL CHECK (status IN (
                    'creating', 'requires_confirmation', 'failed', 'succeeded', 'refund_pending', 'refunded')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX payments_status_id ON payments (status, id);

-- At most one refund per payment (always of the full amount): no double refund.
CREATE TABLE refunds (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    payment_id          bigint NOT NULL UNIQUE REFERENCES payments (id),
    amount              bigint NOT NULL CHECK (amount > 0),
    status              text NOT NULL CHECK (status IN ('requested', 'submitted', 'succeeded')),
    provider_refund_id  text UNIQUE,
    reason              text NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- Provider callbacks, one row per provider event id: a second delivery finds its row.
CREATE TABLE payment_events (
    event_id     text PRIMARY KEY,
    type         text NOT NULL,
    payment_id   bigint REFERENCES payments (id),
    outcome      text NOT NULL DEFAULT 'received',
    payload      jsonb NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);

-- The outbox: calls to the outside world (refunds at the provider) written in the same
-- transaction as the change that needs them, worked by any instance (claimed with SKIP LOCKED),
-- retried with exponential backoff.
CREATE TABLE jobs (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          text NOT NULL,
    payload       jsonb NOT NULL,
    -- One job per purpose (e.g. 'refund:42').
    dedupe_key    text NOT NULL UNIQUE,
    status        text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'dead')),
    -- Claims so far; the worker gives up (status 'dead') after outbox.max_attempts.
    attempts      int NOT NULL DEFAULT 0,
    run_at        timestamptz NOT NULL DEFAULT now(),
    -- While running: when the claim lapses (a worker that died mid-job loses it).
    locked_until  timestamptz,
    last_error    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX jobs_due ON jobs (run_at) WHERE status IN ('queued', 'running');

-- A creating POST's Idempotency-Key, stored with the first answer in the transaction of its effect.
CREATE TABLE idempotency_keys (
    user_id       text NOT NULL,
    key           text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    request_hash  text NOT NULL,
    status_code   int NOT NULL,
    response      text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    PRIMARY KEY (user_id, key)
);

CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
