-- Accounts, sessions, login throttling and the audit trail (SQLite).
-- Times are milliseconds since the epoch, UTC (BIGINT in both backends).

CREATE TABLE app_user (
    id              INTEGER PRIMARY KEY,
    login           TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('admin', 'professional', 'coordinator')),
    password_hash   TEXT NOT NULL,
    professional_id BIGINT,
    disabled        INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

-- A session is known by the BLAKE2b hash of its token: a copy of the database
-- does not hand out live sessions.
CREATE TABLE app_session (
    token_hash   TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    client_addr  TEXT
);
CREATE INDEX app_session_user ON app_session (user_id);

-- Failed logins per scope ('login:<login>' or 'addr:<address>') in a fixed window.
CREATE TABLE login_failure (
    scope        TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_start BIGINT NOT NULL
);

-- Append-only, hash-chained audit trail. seq is dense (1, 2, 3...): a gap is a
-- deletion. hash = BLAKE2b-256 keyed with the server secret over the event's
-- fields and prev_hash (core/audit.c).
CREATE TABLE audit_event (
    seq         BIGINT PRIMARY KEY,
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
CREATE INDEX audit_event_user ON audit_event (user_id, seq);
CREATE INDEX audit_event_patient ON audit_event (patient_id, seq);
CREATE INDEX audit_event_at ON audit_event (at);

-- The chain's head: one row, updated in the same transaction as each append, so
-- that appends are serialised and a removed tail is detected.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit_event is append-only');
END;
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit_event is append-only');
END;
