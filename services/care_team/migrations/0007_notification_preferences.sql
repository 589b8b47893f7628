-- Preferences decide, when a notification is stored, which channels push it and whether it
-- waits (for the daily digest, or for the end of quiet hours); the inbox always has it.
ALTER TABLE notification_preferences
    ALTER COLUMN channels SET DEFAULT '{stream,webhook,kafka}',
    ADD COLUMN normal_in_digest boolean NOT NULL DEFAULT false,  -- normal items: digest only
    ADD CONSTRAINT quiet_hours_both_or_neither CHECK ((quiet_start IS NULL) = (quiet_end IS NULL));

ALTER TABLE notifications
    -- the channels that push it (stream, webhook, kafka); empty: the inbox only, for now
    ADD COLUMN push_channels text[] NOT NULL DEFAULT '{stream,webhook,kafka}',
    ADD COLUMN held text CHECK (held IN ('digest', 'quiet_hours')),
    ADD COLUMN held_until timestamptz,  -- quiet_hours: when they end (the summary goes out)
    ADD COLUMN summarized_in uuid REFERENCES notifications (notification_id),  -- digest/summary
    ADD COLUMN escalation_ended_at timestamptz;  -- urgent: nobody left to hand it on to

UPDATE notifications SET push_channels = '{}', held = 'digest' WHERE priority = 'digest';

CREATE INDEX notifications_held_pending ON notifications (recipient_id, created_at)
    WHERE held IS NOT NULL AND summarized_in IS NULL;
CREATE INDEX notifications_urgent_cause ON notifications (cause_event_id)
    WHERE priority = 'urgent';
CREATE INDEX notifications_escalated_from ON notifications (escalated_from)
    WHERE escalated_from IS NOT NULL;
