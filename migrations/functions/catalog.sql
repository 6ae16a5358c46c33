-- The catalog's SQL: the rule on deal status changes that needs the orders table.
-- Owner: Sources/Catalog (the Swift side checks the same rule first, DealStatus+Transitions).
--
-- A repeatable file (migrations/README.md): applied after the numbered migrations, and again
-- whenever it changes; it holds the current definition of each function once.
--
-- Replaced signatures (dropped here first, see migrations/README.md): none.

-- A deal that buyers have ordered cannot go back to draft (drafts are hidden from
-- buyers, so their orders and groups would point at a deal they get 404 for). A buyer's order
-- share-locks the deal (its foreign key) until it commits, and then reads the deal's status
-- again (gb_order_in_group). Taking FOR UPDATE first waits for every buyer already past that
-- point, so the check sees their orders; a buyer not yet there finds the deal a draft.
CREATE OR REPLACE FUNCTION gb_check_deal_transition() RETURNS trigger LANGUAGE plpgsql AS $$
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

-- Made when missing and otherwise left alone: CREATE OR REPLACE TRIGGER locks the table
-- against every writer and could deadlock with the running service each time this file is
-- applied. To change when it fires, give it a new name and drop the old one above.
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT FROM pg_trigger WHERE tgrelid = 'deals'::regclass AND tgname = 'deals_status_transition'
    ) THEN
        CREATE TRIGGER deals_status_transition BEFORE UPDATE OF status ON deals
            FOR EACH ROW EXECUTE FUNCTION gb_check_deal_transition();
    END IF;
END
$$;
