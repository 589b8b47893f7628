-- Transactional outbox: written in the same transaction as the state it announces.
CREATE TABLE outbox (
    id          bigserial PRIMARY KEY,
    topic       text        NOT NULL,
    key         text        NOT NULL,
    event_id    text        NOT NULL,
    event_type  text        NOT NULL,
    payload     bytea       NOT NULL,  -- the encoded CloudEvent, sent byte for byte
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Wakes the relay on commit (NOTIFY is delivered only when the transaction commits).
CREATE FUNCTION notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '_outbox', '');
    RETURN NULL;
END $$;

CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox();
