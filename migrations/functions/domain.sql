-- Helpers every business module's SQL uses: time stamps as the API writes them, and raising
-- an error of class GB (docs/ORDERS.md lists the codes).
--
-- A repeatable file (migrations/README.md): applied after the numbered migrations, and again
-- whenever it changes; it holds the current definition of each function once. Files are
-- applied in name order, and this one comes before orders.sql and payments.sql, whose plain
-- SQL functions PostgreSQL checks against it when they are made.
--
-- Replaced signatures (dropped here first, see migrations/README.md): none.

CREATE OR REPLACE FUNCTION gb_rfc3339(t timestamptz) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

CREATE OR REPLACE FUNCTION gb_raise(code text, message text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = code, MESSAGE = message;
END
$$;
