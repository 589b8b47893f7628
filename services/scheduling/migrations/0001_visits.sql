-- Visits, with FHIR Appointment statuses.
CREATE TABLE visits (
    visit_id      uuid PRIMARY KEY,
    patient_id    text        NOT NULL,
    clinician_ids text[]      NOT NULL,
    type          text        NOT NULL,
    modality      text        NOT NULL,
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz NOT NULL CHECK (ends_at > starts_at),
    status        text        NOT NULL
        CHECK (status IN ('proposed', 'booked', 'fulfilled', 'cancelled', 'noshow')),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX visits_patient ON visits (patient_id, starts_at);
CREATE INDEX visits_clinicians ON visits USING gin (clinician_ids);
