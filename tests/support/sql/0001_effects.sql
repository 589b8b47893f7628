-- The probe's effect: one row per application (no unique key, so a double effect shows).
CREATE TABLE effects (
    id         bigserial PRIMARY KEY,
    event_id   text    NOT NULL,
    patient_id text    NOT NULL,
    seq        integer NOT NULL
);
