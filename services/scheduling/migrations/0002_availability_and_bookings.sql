-- btree_gist lets one exclusion constraint say "same participant AND overlapping time".
-- A trusted extension (PostgreSQL 13+): a database owner may create it. Several service
-- schemas may race to create it in one database; the loser finds it there.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;
EXCEPTION WHEN unique_violation OR duplicate_object THEN
    NULL;
END
$$;

-- What a visit went through, and what it holds.
ALTER TABLE visits
    ADD COLUMN reason        text,           -- why it was cancelled
    ADD COLUMN outcome_note  text,           -- what came of it (completed)
    ADD COLUMN proposal_key  text UNIQUE,    -- the trigger of a proposal: one proposal each
    ADD COLUMN expires_at    timestamptz,    -- a proposal's hold ends then
    ADD COLUMN reminder_due_at timestamptz,  -- when the reminder is due (booked visits)
    ADD COLUMN reminded_at   timestamptz,    -- when visit.reminder_due was enqueued
    ADD COLUMN updated_at    timestamptz NOT NULL DEFAULT now();
CREATE INDEX visits_reminders ON visits (reminder_due_at)
    WHERE reminded_at IS NULL AND status = 'booked';
CREATE INDEX visits_expiring ON visits (expires_at) WHERE status = 'proposed';

-- Who a visit occupies, and when. The exclusion constraint is what makes double booking
-- impossible: two concurrent bookings of overlapping time for the same clinician or patient
-- cannot both commit, whatever the application does. `holds` is false once a visit stops
-- occupying its time (cancelled, or a proposal that expired).
CREATE TABLE visit_participants (
    visit_id    uuid      NOT NULL REFERENCES visits (visit_id),
    participant text      NOT NULL,   -- "clinician:<id>" or "patient:<id>"
    during      tstzrange NOT NULL,
    holds       boolean   NOT NULL DEFAULT true,
    PRIMARY KEY (visit_id, participant),
    CONSTRAINT no_double_booking EXCLUDE USING gist (participant WITH =, during WITH &&)
        WHERE (holds)
);
INSERT INTO visit_participants (visit_id, participant, during, holds)
SELECT visit_id, 'clinician:' || clinician_id, tstzrange(starts_at, ends_at), status <> 'cancelled'
FROM visits, unnest(clinician_ids) AS clinician_id
UNION ALL
SELECT visit_id, 'patient:' || patient_id, tstzrange(starts_at, ends_at), status <> 'cancelled'
FROM visits;

-- Each clinician's recurring weekly hours, in their own time zone, and the buffer they
-- want around visits.
CREATE TABLE clinician_schedules (
    clinician_id   text        PRIMARY KEY,
    time_zone      text        NOT NULL,
    weekly_hours   jsonb       NOT NULL,  -- [{"weekday": 0, "start": "09:00", "end": "17:00"}]
    buffer_minutes integer     NOT NULL DEFAULT 0 CHECK (buffer_minutes BETWEEN 0 AND 120),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- One-off changes: leave (not available) or extra hours.
CREATE TABLE availability_exceptions (
    exception_id uuid        PRIMARY KEY,
    clinician_id text        NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('leave', 'extra')),
    starts_at    timestamptz NOT NULL,
    ends_at      timestamptz NOT NULL CHECK (ends_at > starts_at),
    note         text
);
CREATE INDEX availability_exceptions_clinician ON availability_exceptions (clinician_id, starts_at);

-- Who treats whom, as care_team announces it (team roles decide who meets at a joint review).
CREATE TABLE care_team_members (
    patient_id   text NOT NULL,
    clinician_id text NOT NULL,
    role         text NOT NULL,
    PRIMARY KEY (patient_id, clinician_id)
);

-- Major/contraindicated conflicts waiting for an acknowledgement: unacknowledged past
-- `due_at`, they lead to a joint review proposal.
CREATE TABLE open_conflicts (
    conflict_id  uuid        PRIMARY KEY,
    patient_id   text        NOT NULL,
    prescribers  text[]      NOT NULL,
    severity     text        NOT NULL,
    flagged_at   timestamptz NOT NULL,
    due_at       timestamptz NOT NULL,
    settled_at   timestamptz,            -- acknowledged or resolved: no joint review
    proposed_at  timestamptz             -- a joint review was proposed for it
);
CREATE INDEX open_conflicts_due ON open_conflicts (due_at)
    WHERE settled_at IS NULL AND proposed_at IS NULL;

-- Preventives started or changed, per patient and prescriber (from prescription events):
-- a completed visit of that prescriber the same day leads to a follow-up proposal.
CREATE TABLE preventive_changes (
    event_id      text        PRIMARY KEY,
    patient_id    text        NOT NULL,
    prescriber_id text        NOT NULL,
    medication    text        NOT NULL,
    effective_at  timestamptz NOT NULL
);
CREATE INDEX preventive_changes_patient ON preventive_changes (patient_id, prescriber_id);
