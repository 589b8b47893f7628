-- The follow-up window the clinician set when completing a visit (weeks after it), when a
-- preventive's effect can be judged; NULL: the service default (6-8 weeks).
ALTER TABLE visits
    ADD COLUMN follow_up_after_days  integer CHECK (follow_up_after_days > 0),
    ADD COLUMN follow_up_before_days integer CHECK (follow_up_before_days > follow_up_after_days);
