-- Acute drugs the patient logged in the diary, with the time each was taken: what the
-- time-window rules need (triptan within 24 h of an ergot ...), and exposures to drugs
-- nobody prescribed (ibuprofen, St John's wort). One row per (diary entry, dose).
CREATE TABLE intakes (
    patient_id text        NOT NULL,
    entry_id   uuid        NOT NULL,
    position   integer     NOT NULL,
    name       text        NOT NULL,
    ingredient text        NOT NULL,
    recognised boolean     NOT NULL,
    dose       text,
    taken_at   timestamptz NOT NULL,
    PRIMARY KEY (patient_id, entry_id, position)
);
CREATE INDEX intakes_patient_time ON intakes (patient_id, taken_at);

-- The diary entry revision applied last: an older revision arriving late changes nothing.
CREATE TABLE diary_entry_revisions (
    patient_id text    NOT NULL,
    entry_id   uuid    NOT NULL,
    revision   integer NOT NULL,
    PRIMARY KEY (patient_id, entry_id)
);
