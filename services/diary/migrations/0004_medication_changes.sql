-- Prescriptions as carecoord.prescriptions.v1 announces them (a projection): clinicians read
-- medication changes beside the diary, and preventives are judged against them.
-- Events may arrive out of order (an EHR's stop before the start it follows), so a row may
-- exist before its medication is known: medication_name stays NULL until an event names it.
CREATE TABLE prescriptions (
    patient_id        text        NOT NULL,
    prescription_id   text        NOT NULL,
    medication_name   text,
    rxcui             text,
    dose              text,
    frequency         text,
    route             text,
    indication        text,
    prescriber_id     text        NOT NULL,  -- of the latest event by effective_at
    prescriber_role   text        NOT NULL,
    status            text        NOT NULL CHECK (status IN ('active', 'stopped')),
    last_effective_at timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (patient_id, prescription_id)
);

-- Every started/changed/stopped event, once (event_id), with what that event said; a
-- prescription's row above is recomputed from these (any arrival order, same result).
CREATE TABLE medication_changes (
    event_id        text PRIMARY KEY,
    patient_id      text        NOT NULL,
    prescription_id text        NOT NULL,
    change          text        NOT NULL CHECK (change IN ('started', 'changed', 'stopped')),
    effective_at    timestamptz NOT NULL,
    prescriber_id   text        NOT NULL,
    prescriber_role text        NOT NULL,
    medication_name text,       -- NULL on a stop: read the prescription's name
    rxcui           text,
    dose            text,
    frequency       text,
    route           text,
    indication      text,
    reason          text,
    received_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX medication_changes_patient ON medication_changes (patient_id, effective_at);
