-- HL7 v2 interface (SQLite): the store of received messages, hospital
-- movements (IHE PAM, French extension), the outbound identity feed to the
-- regional identity server (outbox) and the system account that signs the
-- journal notes written from movements.

-- Every message as received, with the answer it got. raw holds the bytes as
-- text when they are valid UTF-8, else base64 (raw_encoding). sender_app and
-- sender_facility are '' when absent (so that the unique index sees them). A
-- message that was applied (processed) or refused for its content (error) is
-- known by (sender, MSH-10): a repetition gets the stored ack again without
-- being applied twice. Rejected messages (unreadable, or not applied because
-- the platform failed) are not in that index: a retry is processed.
CREATE TABLE hl7_message (
    id              INTEGER PRIMARY KEY,
    received_at     BIGINT NOT NULL,
    peer            TEXT,
    sender_app      TEXT NOT NULL DEFAULT '',
    sender_facility TEXT NOT NULL DEFAULT '',
    control_id      TEXT,
    message_type    TEXT,
    status          TEXT NOT NULL CHECK (status IN ('processed', 'error', 'rejected')),
    ack_code        TEXT NOT NULL CHECK (ack_code IN ('AA', 'AE', 'AR')),
    error           TEXT,
    patient_id      BIGINT,
    raw_encoding    TEXT NOT NULL CHECK (raw_encoding IN ('text', 'base64')),
    raw             TEXT NOT NULL,
    raw_size        BIGINT NOT NULL,
    ack             TEXT NOT NULL
);
CREATE UNIQUE INDEX hl7_message_control ON hl7_message (sender_app, sender_facility, control_id)
    WHERE status <> 'rejected' AND control_id IS NOT NULL;
CREATE INDEX hl7_message_status ON hl7_message (status, id);

-- Movements of a patient in a facility (admission, transfer, discharge, leave,
-- outpatient visit). movement_id is ZBE-1, unique per sending facility.
-- note_id is the journal entry written for it (when the patient has a care
-- circle). rupture: 'pending' for a discharge whose follow-up by the médecin
-- traitant is still to be checked, then 'ok' or 'alerted'; NULL otherwise.
CREATE TABLE hl7_movement (
    id            INTEGER PRIMARY KEY,
    patient_id    BIGINT NOT NULL REFERENCES patient (id),
    facility      TEXT NOT NULL,
    movement_id   TEXT,
    visit_number  TEXT,
    event         TEXT NOT NULL,
    patient_class TEXT,
    unit          TEXT,
    occurred_at   BIGINT NOT NULL,
    note_id       BIGINT REFERENCES note (id),
    cancelled_at  BIGINT,
    rupture       TEXT CHECK (rupture IN ('pending', 'ok', 'alerted')),
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX hl7_movement_key ON hl7_movement (facility, movement_id)
    WHERE movement_id IS NOT NULL;
CREATE INDEX hl7_movement_patient ON hl7_movement (patient_id, id);
CREATE INDEX hl7_movement_rupture ON hl7_movement (rupture, occurred_at) WHERE rupture = 'pending';

-- Outbound ADT A28/A31 for the regional identity server, queued in the same
-- transaction as the change they tell of, sent in id order until an AA.
-- status: pending (to send or to retry at next_attempt_at), sent (AA), error
-- (AE/AR: shown to administrators, not retried). lease_until keeps two
-- `serve` processes sharing a database from sending the same row.
CREATE TABLE hl7_outbox (
    id              INTEGER PRIMARY KEY,
    patient_id      BIGINT NOT NULL,
    event           TEXT NOT NULL,
    control_id      TEXT NOT NULL,
    message         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'error')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until     BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT,
    ack             TEXT,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT
);
CREATE INDEX hl7_outbox_status ON hl7_outbox (status, id);

-- The author of the notes written from hospital movements: a professional
-- account that cannot log in (disabled, and '!' is no password hash).
INSERT INTO app_user (login, display_name, role, password_hash, disabled, created_at, updated_at)
VALUES ('hl7', 'Flux HL7 des établissements', 'professional', '!', 1, 0, 0)
ON CONFLICT (login) DO NOTHING;
