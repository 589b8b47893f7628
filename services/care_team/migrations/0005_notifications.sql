-- Notifications: one row per (cause, recipient), written in the transaction that routed it.
-- Every channel (inbox, live stream, webhooks, Kafka) reads from here.
CREATE TABLE notifications (
    notification_id uuid        PRIMARY KEY,  -- uuid5 of the cause and the recipient: stable
    recipient_id    text        NOT NULL,
    seq             bigint      NOT NULL,     -- per recipient, gap-free, in commit order
    patient_id      text        NOT NULL,
    kind            text        NOT NULL,     -- e.g. conflict_flagged, safety_alert
    priority        text        NOT NULL CHECK (priority IN ('urgent', 'high', 'normal', 'digest')),
    title           text        NOT NULL,
    body            text        NOT NULL,
    cause_event_id  text        NOT NULL,
    cause_type      text        NOT NULL,
    data            jsonb       NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL,
    read_at         timestamptz,
    acknowledged_at timestamptz,
    escalation      integer     NOT NULL DEFAULT 0,  -- urgent: 1 re-sent, 2 handed on
    escalated_from  uuid        REFERENCES notifications (notification_id),
    UNIQUE (recipient_id, seq)
);
CREATE INDEX notifications_recipient_unread ON notifications (recipient_id, seq)
    WHERE read_at IS NULL;
CREATE INDEX notifications_urgent_open ON notifications (created_at)
    WHERE priority = 'urgent' AND acknowledged_at IS NULL;

-- Each recipient's last seq: taking the next one locks the row, so one recipient's
-- notifications commit in seq order and a reader never sees seq n+1 before n.
CREATE TABLE notification_streams (
    recipient_id text   PRIMARY KEY,
    last_seq     bigint NOT NULL
);

-- How a clinician wants to hear: channels, a digest for low-priority items, quiet hours
-- (which never hold back urgent ones).
CREATE TABLE notification_preferences (
    clinician_id  text        PRIMARY KEY,
    channels      text[]      NOT NULL DEFAULT '{inbox,stream,webhook}',
    digest_hour   integer     NOT NULL DEFAULT 8 CHECK (digest_hour BETWEEN 0 AND 23),
    quiet_start   time,
    quiet_end     time,
    time_zone     text        NOT NULL DEFAULT 'UTC',
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Webhooks: an endpoint per subscription, deliveries in the recipient's seq order, every
-- attempt recorded; a delivery that keeps failing past the retry window is dead-lettered.
CREATE TABLE webhook_subscriptions (
    subscription_id uuid        PRIMARY KEY,
    owner_id        text        NOT NULL,  -- the clinician (or integration) that registered it
    recipient_id    text        NOT NULL,  -- whose notifications it receives
    url             text        NOT NULL,
    secret          text        NOT NULL,  -- HMAC-SHA256 key, shown once at registration
    active          boolean     NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_seq   bigint      NOT NULL DEFAULT 0  -- the recipient seq handled last, in order
);
CREATE INDEX webhook_subscriptions_recipient ON webhook_subscriptions (recipient_id) WHERE active;

CREATE TABLE webhook_deliveries (
    subscription_id uuid        NOT NULL REFERENCES webhook_subscriptions (subscription_id),
    notification_id uuid        NOT NULL REFERENCES notifications (notification_id),
    seq             bigint      NOT NULL,
    status          text        NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    first_attempt_at timestamptz,
    finished_at     timestamptz,
    PRIMARY KEY (subscription_id, notification_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';

CREATE TABLE webhook_attempts (
    id              bigserial   PRIMARY KEY,
    subscription_id uuid        NOT NULL,
    notification_id uuid        NOT NULL,
    attempt         integer     NOT NULL,
    attempted_at    timestamptz NOT NULL,
    status_code     integer,              -- NULL: no HTTP answer (refused, timeout)
    error           text,
    duration_ms     double precision NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (subscription_id, notification_id);
