-- Payments left `creating` without an intent id (a pay call that stopped between asking the
-- provider and recording its answer) are found again by the intent recovery job every few
-- seconds: this index holds only them, so the look-up does not scan every payment ever made.
CREATE INDEX payments_without_intent ON payments (updated_at) WHERE status = 'creating' AND intent_id IS NULL;
