-- Care coordination: territories, care circles and access, journal (cahier de
-- liaison), conversations and notifications.

-- A territory (a DAC's or a CPTS's) covers postcodes or INSEE commune codes; a
-- patient belongs to the territories whose codes match their address postcode.
CREATE TABLE territory (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
CREATE TABLE territory_area (
    territory_id BIGINT NOT NULL REFERENCES territory (id) ON DELETE CASCADE,
    code         TEXT NOT NULL,
    PRIMARY KEY (territory_id, code)
);
CREATE INDEX territory_area_code ON territory_area (code);
CREATE TABLE coordinator_territory (
    user_id      BIGINT NOT NULL REFERENCES app_user (id),
    territory_id BIGINT NOT NULL REFERENCES territory (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, territory_id)
);

-- One membership period per row: a member who leaves and comes back has
-- several rows (FHIR CareTeam.participant with its own period).
-- kind: professional | organisation | related | patient.
-- role: PCP (médecin traitant), REFERENT (coordination referent), or a
-- profession/relationship code (NURSE, PHARMACIST, CAREGIVER, TRUSTED_PERSON,
-- LEGAL_GUARDIAN, ECON, ...).
CREATE TABLE circle_member (
    id              INTEGER PRIMARY KEY,
    patient_id      BIGINT NOT NULL REFERENCES patient (id),
    kind            TEXT NOT NULL CHECK (kind IN ('professional', 'organisation', 'related', 'patient')),
    role            TEXT NOT NULL,
    user_id         BIGINT REFERENCES app_user (id),
    professional_id BIGINT,
    organisation_id BIGINT,
    display_name    TEXT NOT NULL,
    phone           TEXT,
    email           TEXT,
    invitation_id   BIGINT,
    start_at        BIGINT NOT NULL,
    end_at          BIGINT,
    added_by        BIGINT,
    ended_by        BIGINT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX circle_member_patient ON circle_member (patient_id, end_at);
CREATE INDEX circle_member_user ON circle_member (user_id, patient_id);

-- An invitation turns into an account on first login (POST /api/invitations/accept).
CREATE TABLE invitation (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    email        TEXT,
    professional_id BIGINT,
    invited_by   BIGINT,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    accepted_at  BIGINT,
    user_id      BIGINT REFERENCES app_user (id)
);

-- Break-the-glass: a time-limited access outside the circle, with its reason.
CREATE TABLE access_grant (
    id         INTEGER PRIMARY KEY,
    patient_id BIGINT NOT NULL REFERENCES patient (id),
    user_id    BIGINT NOT NULL REFERENCES app_user (id),
    reason     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX access_grant_user ON access_grant (user_id, patient_id, expires_at);

-- The patient's opposition to sharing with one professional (refused even as
-- a member) until lifted.
CREATE TABLE opposition (
    id         INTEGER PRIMARY KEY,
    patient_id BIGINT NOT NULL REFERENCES patient (id),
    user_id    BIGINT NOT NULL REFERENCES app_user (id),
    reason     TEXT,
    recorded_by BIGINT,
    created_at BIGINT NOT NULL,
    lifted_at  BIGINT,
    lifted_by  BIGINT
);
CREATE INDEX opposition_patient_user ON opposition (patient_id, user_id, lifted_at);

-- Journal notes (FHIR DocumentReference, profile cdl-document-reference).
-- type from JDV_J23: DEM-AVIS, GEN, INST, INTERV, OBS. visibility: all, or
-- professionals (hidden from the patient and caregivers).
CREATE TABLE note (
    id            INTEGER PRIMARY KEY,
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
    deleted_by    BIGINT
);
CREATE INDEX note_patient ON note (patient_id, id);
CREATE INDEX note_reply ON note (reply_to) WHERE reply_to IS NOT NULL;

-- Earlier texts of a corrected note: a correction leaves a trace.
CREATE TABLE note_revision (
    note_id   BIGINT NOT NULL REFERENCES note (id),
    version   INTEGER NOT NULL,
    text      TEXT NOT NULL,
    edited_by BIGINT,
    edited_at BIGINT NOT NULL,
    PRIMARY KEY (note_id, version)
);

-- Attachments, base64 in the database (the store is the only state; sizes are
-- bounded by PARCOURS_MAX_ATTACHMENT).
CREATE TABLE note_attachment (
    id           INTEGER PRIMARY KEY,
    note_id      BIGINT NOT NULL REFERENCES note (id),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    data_base64  TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX note_attachment_note ON note_attachment (note_id);

-- Read receipts.
CREATE TABLE note_read (
    note_id BIGINT NOT NULL REFERENCES note (id),
    user_id BIGINT NOT NULL REFERENCES app_user (id),
    read_at BIGINT NOT NULL,
    PRIMARY KEY (note_id, user_id)
);

-- Conversations: one per patient among the circle (kind 'patient'), or direct
-- between professionals (kind 'direct', members listed).
CREATE TABLE conversation (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('patient', 'direct')),
    patient_id BIGINT REFERENCES patient (id),
    title      TEXT,
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX conversation_patient ON conversation (patient_id) WHERE kind = 'patient';
CREATE TABLE conversation_member (
    conversation_id BIGINT NOT NULL REFERENCES conversation (id),
    user_id         BIGINT NOT NULL REFERENCES app_user (id),
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX conversation_member_user ON conversation_member (user_id);
CREATE TABLE message (
    id              INTEGER PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES conversation (id),
    author_id       BIGINT NOT NULL REFERENCES app_user (id),
    author_name     TEXT NOT NULL,
    text            TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX message_conversation ON message (conversation_id, id);
CREATE TABLE conversation_read (
    conversation_id BIGINT NOT NULL REFERENCES conversation (id),
    user_id         BIGINT NOT NULL REFERENCES app_user (id),
    last_read_id    BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);

-- In-app notifications (the feed); the live stream reads new rows from here.
-- kind: circle.added, circle.removed, note.new, note.reply, mention,
-- break_glass, and later ones.
CREATE TABLE notification (
    id         INTEGER PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES app_user (id),
    kind       TEXT NOT NULL,
    patient_id BIGINT,
    object_id  TEXT,
    title      TEXT NOT NULL,
    body       TEXT,
    urgent     INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    read_at    BIGINT
);
CREATE INDEX notification_user ON notification (user_id, id);
CREATE INDEX notification_unread ON notification (user_id, read_at);

-- Preferences: kinds the user does not want (comma-separated), quiet hours
-- (minutes after midnight, local time of the server's TZ setting).
CREATE TABLE notification_pref (
    user_id        BIGINT PRIMARY KEY REFERENCES app_user (id),
    disabled_kinds TEXT NOT NULL DEFAULT '',
    quiet_start    INTEGER,
    quiet_end      INTEGER
);
