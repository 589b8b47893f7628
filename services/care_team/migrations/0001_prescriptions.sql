-- Patients are created by the first event that names them (an EHR may be first).
CREATE TABLE patients (
    patient_id text PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Who treats whom. Prescribers named in prescription events join with source 'prescription'.
CREATE TABLE care_team_members (
    patient_id   text NOT NULL REFERENCES patients,
    clinician_id text NOT NULL,
    role         text NOT NULL,
    source       text NOT NULL,
    added_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (patient_id, clinician_id)
);

-- The current state of every prescription, from every prescriber.
CREATE TABLE prescriptions (
    prescription_id text PRIMARY KEY,
    patient_id      text NOT NULL REFERENCES patients,
    prescriber_id   text NOT NULL,
    prescriber_role text NOT NULL,
    medication_name text,
    rxcui           text,
    dose            text,
    route           text,
    frequency       text,
    indication      text,
    status          text NOT NULL CHECK (status IN ('active', 'stopped')),
    started_at      timestamptz,
    stopped_at      timestamptz,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX prescriptions_patient ON prescriptions (patient_id, status);

-- Every applied change, in the order it was applied (the medication history).
CREATE TABLE prescription_changes (
    seq             bigserial PRIMARY KEY,
    event_id        text NOT NULL UNIQUE,
    event_type      text NOT NULL,
    prescription_id text NOT NULL,
    patient_id      text NOT NULL,
    prescriber_id   text NOT NULL,
    effective_at    timestamptz NOT NULL,
    data            jsonb NOT NULL,
    applied_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX prescription_changes_patient ON prescription_changes (patient_id, seq);
