-- Messaging and live notifications.

-- A notification created during the recipient's quiet hours (and not urgent)
-- is kept in the feed but never pushed on the live stream: live = 0.
ALTER TABLE notification ADD COLUMN live INTEGER NOT NULL DEFAULT 1;

-- Cross-process wake-up of live streams: every `serve` process LISTENs on
-- parcours_notification. NOTIFY is transactional, so the message leaves when
-- the producing transaction commits and never for a rolled-back one. The
-- payload is the recipient's user id (PostgreSQL folds identical payloads of
-- one transaction into one message).
CREATE FUNCTION notification_wake() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('parcours_notification', NEW.user_id::text);
    RETURN NULL;
END;
$$;
CREATE TRIGGER notification_wake AFTER INSERT ON notification
    FOR EACH ROW WHEN (NEW.live = 1) EXECUTE FUNCTION notification_wake();
