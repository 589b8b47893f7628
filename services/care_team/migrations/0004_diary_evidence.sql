-- The patient's local day of each dose (as the diary's time offset gives it): intake days
-- are counted per local day. Rows from before this column get their UTC day.
ALTER TABLE intakes ADD COLUMN taken_on date;
UPDATE intakes SET taken_on = (taken_at AT TIME ZONE 'UTC')::date;
ALTER TABLE intakes ALTER COLUMN taken_on SET NOT NULL;

-- What the diary adds to a conflict: the dose taken inside a time window (a new one
-- re-flags the conflict) and how often its drugs were taken lately.
ALTER TABLE conflicts ADD COLUMN window_violation jsonb;
ALTER TABLE conflicts ADD COLUMN window_violated_at timestamptz;
ALTER TABLE conflicts ADD COLUMN intake_days jsonb NOT NULL DEFAULT '[]';
