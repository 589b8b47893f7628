-- Headache attacks. The client chooses entry_id, so a retried POST finds its row.
CREATE TABLE attacks (
    patient_id  text        NOT NULL,
    entry_id    uuid        NOT NULL,
    started_at  timestamptz NOT NULL,
    ended_at    timestamptz,
    intensity   smallint    NOT NULL CHECK (intensity BETWEEN 1 AND 3),
    medications jsonb       NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (patient_id, entry_id)
);
CREATE INDEX attacks_patient_started ON attacks (patient_id, started_at);
