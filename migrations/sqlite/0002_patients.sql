-- Patient identities (identitovigilance, RNIV) and their history.

-- Traits as the national INSi service returns them; birth_given_names is the
-- space-separated list of birth given names, first_given_name its first one.
-- birth_date is 'YYYY-MM-DD', or 'YYYY-MM' / 'YYYY' when only partly known.
-- norm_* columns hold nm_normalize() forms (A-Z only) and phon_* the phonetic
-- keys, so that search and duplicate detection use plain index range scans.
CREATE TABLE patient (
    id                 INTEGER PRIMARY KEY,
    birth_family_name  TEXT NOT NULL,
    used_family_name   TEXT,
    birth_given_names  TEXT NOT NULL,
    first_given_name   TEXT NOT NULL,
    used_given_name    TEXT,
    sex                TEXT NOT NULL CHECK (sex IN ('M', 'F', 'I')),
    birth_date         TEXT NOT NULL,
    birthplace_code    TEXT,
    birth_country      TEXT,
    address_line       TEXT,
    postcode           TEXT,
    city               TEXT,
    country            TEXT,
    phone              TEXT,
    phone2             TEXT,
    email              TEXT,
    ins_value          TEXT,
    ins_oid            TEXT,
    identity_status    TEXT NOT NULL DEFAULT 'PROV'
                       CHECK (identity_status IN ('PROV', 'RECUP', 'VALI', 'QUAL')),
    merged_into        BIGINT REFERENCES patient (id),
    norm_birth_name    TEXT NOT NULL,
    norm_used_name     TEXT,
    norm_first_given   TEXT NOT NULL,
    norm_given_names   TEXT NOT NULL,
    norm_used_given    TEXT,
    phon_birth_name    TEXT NOT NULL,
    phon_used_name     TEXT,
    phon_first_given   TEXT NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1,
    created_by         BIGINT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
-- one live record per INS (a merged record gives its INS up to the survivor)
CREATE UNIQUE INDEX patient_ins ON patient (ins_value) WHERE ins_value IS NOT NULL AND merged_into IS NULL;
CREATE INDEX patient_birth ON patient (birth_date, norm_birth_name);
CREATE INDEX patient_norm_birth_name ON patient (norm_birth_name, birth_date);
CREATE INDEX patient_norm_used_name ON patient (norm_used_name) WHERE norm_used_name IS NOT NULL;
CREATE INDEX patient_phon_birth_name ON patient (phon_birth_name, birth_date);
CREATE INDEX patient_merged_into ON patient (merged_into) WHERE merged_into IS NOT NULL;

-- Local identifiers (a hospital's IPP...): unique per assigning authority.
CREATE TABLE patient_identifier (
    system     TEXT NOT NULL,
    value      TEXT NOT NULL,
    patient_id BIGINT NOT NULL REFERENCES patient (id),
    type       TEXT NOT NULL DEFAULT 'PI',
    PRIMARY KEY (system, value)
);
CREATE INDEX patient_identifier_patient ON patient_identifier (patient_id);

-- Every change of identity status: who, when, on which evidence.
CREATE TABLE identity_status_change (
    id            INTEGER PRIMARY KEY,
    patient_id    BIGINT NOT NULL REFERENCES patient (id),
    from_status   TEXT NOT NULL,
    to_status     TEXT NOT NULL,
    insi          INTEGER NOT NULL,
    document_type TEXT,
    reason        TEXT,
    user_id       BIGINT,
    at            BIGINT NOT NULL
);
CREATE INDEX identity_status_change_patient ON identity_status_change (patient_id, id);

-- Merges (B into A) and their undoing; the merged record keeps all it had, so
-- undoing is clearing merged_into.
CREATE TABLE patient_merge (
    id          INTEGER PRIMARY KEY,
    survivor_id BIGINT NOT NULL REFERENCES patient (id),
    merged_id   BIGINT NOT NULL REFERENCES patient (id),
    reason      TEXT,
    user_id     BIGINT,
    at          BIGINT NOT NULL,
    undone_at   BIGINT,
    undone_by   BIGINT
);
CREATE INDEX patient_merge_merged ON patient_merge (merged_id, id);

-- Pairs flagged as potential duplicates, for review (identitovigilance cell).
CREATE TABLE duplicate_candidate (
    patient_a  BIGINT NOT NULL REFERENCES patient (id),
    patient_b  BIGINT NOT NULL REFERENCES patient (id),
    score      INTEGER NOT NULL,
    reasons    TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'merged', 'dismissed')),
    found_at   BIGINT NOT NULL,
    decided_by BIGINT,
    decided_at BIGINT,
    PRIMARY KEY (patient_a, patient_b)
);
CREATE INDEX duplicate_candidate_open ON duplicate_candidate (status, score);
