-- Messaging and live notifications.

-- A notification created during the recipient's quiet hours (and not urgent)
-- is kept in the feed but never pushed on the live stream: live = 0.
ALTER TABLE notification ADD COLUMN live INTEGER NOT NULL DEFAULT 1;
