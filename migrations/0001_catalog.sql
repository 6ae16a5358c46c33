-- Catalog: deals, their stock split over slot rows, and the audit log of admin changes.
-- Money is integer minor units (cents) with one ISO 4217 currency code per deal.

CREATE TABLE deals (
    id                        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title                     text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    description               text NOT NULL DEFAULT '' CHECK (char_length(description) <= 5000),
    image_url                 text CHECK (image_url IS NULL OR char_length(image_url) <= 2048),
    currency                  text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    list_price                bigint NOT NULL CHECK (list_price > 0),
    group_price               bigint NOT NULL CHECK (group_price > 0 AND group_price <= list_price),
    group_size                int NOT NULL CHECK (group_size BETWEEN 2 AND 100),
    group_time_limit_seconds  int NOT NULL CHECK (group_time_limit_seconds BETWEEN 60 AND 2592000),
    starts_at                 timestamptz NOT NULL,
    ends_at                   timestamptz NOT NULL,
    per_user_limit            int NOT NULL CHECK (per_user_limit BETWEEN 1 AND 1000),
    status                    text NOT NULL CHECK (status IN ('draft', 'active', 'paused', 'closed')),
    -- Bumped by every change; the ETag of the deal.
    version                   int NOT NULL DEFAULT 1,
    -- How many rows of deal_stock_slots the deal's stock is spread over (fixed at creation).
    stock_slots               int NOT NULL CHECK (stock_slots BETWEEN 1 AND 1024),
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at)
);

-- Listing by status with id cursors.
CREATE INDEX deals_status_id ON deals (status, id);

-- Stock of a deal in several rows, so that concurrent buyers lock different rows
-- (SELECT … FOR UPDATE SKIP LOCKED). Per deal: sum(available + reserved + sold) is its total.
CREATE TABLE deal_stock_slots (
    deal_id    bigint NOT NULL REFERENCES deals (id),
    slot       int NOT NULL CHECK (slot >= 0),
    available  int NOT NULL DEFAULT 0 CHECK (available >= 0),
    reserved   int NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    sold       int NOT NULL DEFAULT 0 CHECK (sold >= 0),
    PRIMARY KEY (deal_id, slot)
);

-- Every admin change: who, what, when, and the entity before and after.
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL,
    action      text NOT NULL,
    entity      text NOT NULL,
    entity_id   text NOT NULL,
    before      jsonb,
    after       jsonb,
    request_id  text
);

CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, id);
