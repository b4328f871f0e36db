-- parcours: foreign_keys=off
-- The journal stored by patient in a rowid table. Migration 0007 clustered the
-- notes of a patient with a WITHOUT ROWID table keyed by (patient_id, id); but
-- the interior pages of such a table hold whole rows (~450 bytes), eight to a
-- page: ten million notes made a tree seven levels deep whose lower levels
-- (hundreds of MB) are cold, and a timeline page walked all of them. Here the
-- key is an integer, the note's position in its patient's journal:
--     pos = (patient_id << 32) + its rank among that patient's notes (1, 2, ...)
-- so a patient's notes are still side by side, in the order of their ids, and
-- the interior pages hold only integers (hundreds per page, three levels). The
-- store gives a new note the patient's last position + 1 (store/journal_store.c);
-- notes never change patient (a merge reads the merged records together).
CREATE TABLE note_by_pos (
    pos           INTEGER PRIMARY KEY,
    id            BIGINT NOT NULL,
    patient_id    BIGINT NOT NULL REFERENCES patient (id),
    author_id     BIGINT NOT NULL REFERENCES app_user (id),
    author_name   TEXT NOT NULL,
    type          TEXT NOT NULL CHECK (type IN ('DEM-AVIS', 'GEN', 'INST', 'INTERV', 'OBS')),
    text          TEXT NOT NULL,
    urgent        INTEGER NOT NULL DEFAULT 0,
    visibility    TEXT NOT NULL DEFAULT 'all' CHECK (visibility IN ('all', 'professionals')),
    reply_to      BIGINT REFERENCES note (id),
    source        TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    deleted_at    BIGINT,
    deleted_by    BIGINT,
    read_count       INTEGER NOT NULL DEFAULT 0,
    attachment_count INTEGER NOT NULL DEFAULT 0,
    CHECK (pos >> 32 = patient_id)
);
INSERT INTO note_by_pos (pos, id, patient_id, author_id, author_name, type, text, urgent,
                         visibility, reply_to, source, version, created_at, updated_at,
                         deleted_at, deleted_by, read_count, attachment_count)
    SELECT (patient_id << 32) + row_number() OVER (PARTITION BY patient_id ORDER BY id),
           id, patient_id, author_id, author_name, type, text, urgent, visibility, reply_to,
           source, version, created_at, updated_at, deleted_at, deleted_by, read_count,
           attachment_count
    FROM note ORDER BY patient_id, id;
DROP TABLE note;
ALTER TABLE note_by_pos RENAME TO note;
CREATE UNIQUE INDEX note_id ON note (id);
CREATE INDEX note_reply ON note (reply_to) WHERE reply_to IS NOT NULL;
