-- Every diary entry (attack, check-in, questionnaire) in one table: the client's
-- entry id makes retries idempotent, `revision` counts corrections, `deleted_at`
-- marks deletions. `occurred_at` is the entry's own time, never the arrival time.
CREATE TABLE entries (
    patient_id  text        NOT NULL,
    entry_id    uuid        NOT NULL,
    entry_type  text        NOT NULL CHECK (entry_type IN ('attack', 'checkin', 'questionnaire')),
    occurred_at timestamptz NOT NULL,
    local_date  date,       -- check-ins: the patient's calendar day
    data        jsonb       NOT NULL,
    revision    integer     NOT NULL DEFAULT 1,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz,
    PRIMARY KEY (patient_id, entry_id)
);
CREATE INDEX entries_patient_time ON entries (patient_id, entry_type, occurred_at)
    WHERE deleted_at IS NULL;
-- One check-in per patient and day (a second one is a correction of the first).
CREATE UNIQUE INDEX entries_one_checkin_per_day ON entries (patient_id, local_date)
    WHERE entry_type = 'checkin' AND deleted_at IS NULL;

INSERT INTO entries (patient_id, entry_id, entry_type, occurred_at, data, recorded_at)
SELECT patient_id, entry_id, 'attack', started_at,
       jsonb_build_object(
           'entry_id', entry_id, 'patient_id', patient_id, 'revision', 1,
           'started_at', started_at, 'ended_at', ended_at, 'intensity', intensity,
           'medications', medications, 'recorded_at', recorded_at),
       recorded_at
FROM attacks;
DROP TABLE attacks;

-- Who is on each patient's care team, as care_team announces it (a projection).
CREATE TABLE care_team_members (
    patient_id   text NOT NULL,
    clinician_id text NOT NULL,
    role         text NOT NULL,
    PRIMARY KEY (patient_id, clinician_id)
);

-- The patient's time zone: days (headache days, check-in dates) are local days.
CREATE TABLE patient_settings (
    patient_id text PRIMARY KEY,
    timezone   text NOT NULL
);
