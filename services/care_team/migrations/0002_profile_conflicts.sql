-- The patient profile the conflict rules use.
ALTER TABLE patients
    ADD COLUMN birth_date              date,
    ADD COLUMN sex                     text CHECK (sex IN ('female', 'male', 'other')),
    ADD COLUMN pregnant                boolean,
    ADD COLUMN childbearing_potential  boolean,
    ADD COLUMN effective_contraception boolean,
    ADD COLUMN conditions              text[] NOT NULL DEFAULT '{}',
    ADD COLUMN profile_updated_at      timestamptz;

-- Membership ends instead of disappearing: who was on the team stays known.
ALTER TABLE care_team_members ADD COLUMN removed_at timestamptz;
CREATE INDEX care_team_members_clinician ON care_team_members (clinician_id)
    WHERE removed_at IS NULL;

-- What the given drug name (or RxCUI) resolved to; unrecognised drugs stay listed.
ALTER TABLE prescriptions
    ADD COLUMN ingredient text,
    ADD COLUMN recognised boolean NOT NULL DEFAULT false;
UPDATE prescriptions SET ingredient = medication_name WHERE ingredient IS NULL;

CREATE INDEX prescription_changes_prescriber ON prescription_changes (prescriber_id, seq);

-- One open conflict per (patient, rule, set of ingredients): the key.
CREATE TABLE conflicts (
    conflict_id       uuid PRIMARY KEY,
    patient_id        text        NOT NULL REFERENCES patients,
    conflict_key      text        NOT NULL,
    rule_id           text        NOT NULL,
    kind              text        NOT NULL,
    severity          text        NOT NULL,
    medications       text[]      NOT NULL,
    prescription_ids  text[]      NOT NULL,
    prescribers       text[]      NOT NULL,
    summary           text        NOT NULL,
    recommendation    text        NOT NULL,
    evidence          jsonb       NOT NULL,
    daily_doses       jsonb       NOT NULL,
    knowledge_version text        NOT NULL,
    status            text        NOT NULL CHECK (status IN ('open', 'resolved')),
    flagged_at        timestamptz NOT NULL,
    last_flagged_at   timestamptz NOT NULL,
    lapses_at         timestamptz,
    resolved_at       timestamptz,
    resolution_reason text
);
CREATE UNIQUE INDEX conflicts_one_open ON conflicts (patient_id, conflict_key)
    WHERE status = 'open';
CREATE INDEX conflicts_patient ON conflicts (patient_id, flagged_at);

CREATE TABLE conflict_acknowledgements (
    id              bigserial PRIMARY KEY,
    conflict_id     uuid        NOT NULL REFERENCES conflicts,
    clinician_id    text        NOT NULL,
    reason          text        NOT NULL,
    note            text,
    acknowledged_at timestamptz NOT NULL
);
CREATE INDEX conflict_acknowledgements_conflict ON conflict_acknowledgements (conflict_id);

-- Patients whose conflicts must be evaluated again at a time (a washout ends).
CREATE TABLE reevaluations (
    patient_id text PRIMARY KEY REFERENCES patients,
    due_at     timestamptz NOT NULL
);
CREATE INDEX reevaluations_due ON reevaluations (due_at);

-- The knowledge version the open conflicts were computed with; a new one re-evaluates all.
CREATE TABLE knowledge_state (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version   text    NOT NULL
);
