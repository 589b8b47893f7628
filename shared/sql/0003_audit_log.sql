-- Every read of patient data (and every refused attempt) leaves a row here.
CREATE TABLE audit_log (
    id            bigserial PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT now(),
    actor_subject text        NOT NULL,
    actor_kind    text        NOT NULL,
    action        text        NOT NULL,
    patient_id    text        NOT NULL,
    resource      text        NOT NULL,
    outcome       text        NOT NULL CHECK (outcome IN ('allowed', 'denied'))
);
CREATE INDEX audit_log_patient_at ON audit_log (patient_id, at);
