-- The counts of read receipts and attachments shown on each note of a
-- timeline page, kept on the note (the store updates them with the receipt or
-- the attachment) rather than counted per note on every read. SQLite's
-- migration 0007 adds the same columns while storing notes by patient.
ALTER TABLE note ADD COLUMN read_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE note ADD COLUMN attachment_count INTEGER NOT NULL DEFAULT 0;
UPDATE note SET read_count = (SELECT count(*) FROM note_read r WHERE r.note_id = note.id)
    WHERE EXISTS (SELECT 1 FROM note_read r WHERE r.note_id = note.id);
UPDATE note SET attachment_count = (SELECT count(*) FROM note_attachment t
                                    WHERE t.note_id = note.id)
    WHERE EXISTS (SELECT 1 FROM note_attachment t WHERE t.note_id = note.id);
