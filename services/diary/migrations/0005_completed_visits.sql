-- Visits that took place, as scheduling announces them (`visit.completed`, a projection):
-- the "rising headache days since the last visit" alert compares against the last one.
CREATE TABLE completed_visits (
    patient_id    text        NOT NULL,
    visit_id      uuid        NOT NULL,
    starts_at     timestamptz NOT NULL,
    completed_at  timestamptz NOT NULL,
    clinician_ids text[]      NOT NULL,
    PRIMARY KEY (patient_id, visit_id)
);
CREATE INDEX completed_visits_patient_start ON completed_visits (patient_id, starts_at);
