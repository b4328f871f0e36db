-- The audit trail keyed by its sequence number. `seq BIGINT PRIMARY KEY` is not
-- SQLite's rowid (only `INTEGER PRIMARY KEY` is): each event went into the table
-- by rowid and into a second B-tree for the key. And `audit_event_at` (at) was
-- never used: a listing filters `at` while it walks seq backwards (store/
-- audit_store.c). Two of the five B-trees each event was written to go.
-- Same columns, triggers and per-patient and per-user indexes (0010).
CREATE TABLE audit_event_by_seq (
    seq         INTEGER PRIMARY KEY,
    at          BIGINT NOT NULL,
    user_id     BIGINT,
    user_login  TEXT,
    action      TEXT NOT NULL,
    object_type TEXT,
    object_id   TEXT,
    patient_id  TEXT,
    outcome     TEXT NOT NULL,
    client_addr TEXT,
    request_id  TEXT,
    detail      TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
INSERT INTO audit_event_by_seq (seq, at, user_id, user_login, action, object_type, object_id,
                                patient_id, outcome, client_addr, request_id, detail,
                                prev_hash, hash)
    SELECT seq, at, user_id, user_login, action, object_type, object_id, patient_id, outcome,
           client_addr, request_id, detail, prev_hash, hash
    FROM audit_event ORDER BY seq;
DROP TABLE audit_event;
ALTER TABLE audit_event_by_seq RENAME TO audit_event;
CREATE INDEX audit_event_patient ON audit_event ((seq >> 16), patient_id, seq);
CREATE INDEX audit_event_user ON audit_event ((seq >> 16), user_id, seq);
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit_event is append-only');
END;
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit_event is append-only');
END;
