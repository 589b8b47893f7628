-- Alerts raised, and the per-patient episode state that keeps each raised once per episode.
CREATE TABLE alerts (
    alert_id    uuid PRIMARY KEY,
    patient_id  text        NOT NULL,
    kind        text        NOT NULL,
    priority    text        NOT NULL,
    episode_key text        NOT NULL,
    evidence    jsonb       NOT NULL,
    raised_at   timestamptz NOT NULL
);
CREATE INDEX alerts_patient ON alerts (patient_id, raised_at);

CREATE TABLE alert_state (
    patient_id text PRIMARY KEY,
    state      jsonb       NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
