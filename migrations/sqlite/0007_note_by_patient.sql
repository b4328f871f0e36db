-- parcours: foreign_keys=off
-- The journal stored by patient. A timeline page is "the latest 50 notes of
-- one patient"; with notes in a rowid table they lie wherever they arrived,
-- one page read per note. Keyed by (patient_id, id) in a WITHOUT ROWID table,
-- a patient's notes sit side by side and a page of the timeline reads a few
-- B-tree pages (measured in docs/benchmarks.md, "Journal"). The store numbers
-- new notes itself (max(id) + 1 under the writer lock); the unique index on id
-- serves lookups by id and the foreign keys of replies, revisions, attachments,
-- read receipts and HL7 movements. The counts of read receipts and attachments
-- shown on each note of a page are kept on the note (the store updates them
-- with the receipt or attachment), not counted per note on every read.
--
-- SQLite's documented table rebuild (create, copy, drop, rename) with foreign
-- keys off; the runner checks PRAGMA foreign_key_check before committing.
CREATE TABLE note_by_patient (
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
    PRIMARY KEY (patient_id, id)
) WITHOUT ROWID;
INSERT INTO note_by_patient (id, patient_id, author_id, author_name, type, text, urgent,
                             visibility, reply_to, source, version, created_at, updated_at,
                             deleted_at, deleted_by, read_count, attachment_count)
    SELECT id, patient_id, author_id, author_name, type, text, urgent, visibility, reply_to,
           source, version, created_at, updated_at, deleted_at, deleted_by,
           (SELECT count(*) FROM note_read r WHERE r.note_id = note.id),
           (SELECT count(*) FROM note_attachment t WHERE t.note_id = note.id)
    FROM note ORDER BY patient_id, id;
DROP TABLE note;
ALTER TABLE note_by_patient RENAME TO note;
CREATE UNIQUE INDEX note_id ON note (id);
CREATE INDEX note_reply ON note (reply_to) WHERE reply_to IS NOT NULL;
