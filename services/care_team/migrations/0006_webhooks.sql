-- Webhooks, what the delivery worker and the API need beyond 0005.
ALTER TABLE webhook_subscriptions
    ADD COLUMN description    text,
    ADD COLUMN deactivated_at timestamptz,
    -- One worker at a time delivers a subscription's head: it holds this lease (on the
    -- database clock) for the length of one attempt. A lease rather than a row lock, so no
    -- connection stays checked out while a slow receiver answers; a crashed worker's lease
    -- simply runs out and another instance carries on.
    ADD COLUMN lease_until    timestamptz;

-- Attempts made before the delivery was re-queued by hand: the backoff of the new round
-- starts afresh while attempt numbers keep counting up.
ALTER TABLE webhook_deliveries ADD COLUMN round_base integer NOT NULL DEFAULT 0;

-- A deactivated subscription's queue is cancelled (kept for the record, never sent).
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_status_check;
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_status_check
    CHECK (status IN ('pending', 'delivered', 'dead', 'cancelled'));

-- The head of each subscription's queue: its lowest pending seq.
CREATE INDEX webhook_deliveries_pending_head ON webhook_deliveries (subscription_id, seq)
    WHERE status = 'pending';
CREATE INDEX webhook_subscriptions_owner ON webhook_subscriptions (owner_id, created_at);
