-- Directory of professionals and organisations (SQLite).
--
-- norm_* columns hold upper-case A-Z keys built with nm_normalize() (core/
-- directory.c): search is a prefix match, i.e. an index range scan
-- `norm_x >= 'MART' AND norm_x < 'MART~'`. norm_name is the compact family name,
-- one space, then the compact given name, so that "MARTIN CLAIRE" sorts before
-- "MARTINEAU PAUL" (exact family names first) and "martin cl" finds her.
-- import_key identifies what came from the national extraction (PS_LibreAcces),
-- so that a re-import updates rows instead of duplicating them.

CREATE TABLE directory_organisation (
    id           INTEGER PRIMARY KEY,
    import_key   TEXT UNIQUE,    -- technical structure id of the extraction; NULL = manual
    finess       TEXT,           -- FINESS of the site (établissement géographique)
    finess_legal TEXT,           -- FINESS of the legal entity
    siret        TEXT,
    name         TEXT NOT NULL,
    norm_name    TEXT NOT NULL,
    kind         TEXT,           -- "type" on the wire (e.g. "Cabinet individuel")
    address      TEXT,
    postcode     TEXT,
    town         TEXT,
    norm_town    TEXT,
    phone        TEXT,
    email        TEXT,
    source       TEXT NOT NULL CHECK (source IN ('import', 'manual')),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX directory_organisation_name ON directory_organisation (norm_name, id);
CREATE INDEX directory_organisation_town ON directory_organisation (norm_town);
CREATE INDEX directory_organisation_finess ON directory_organisation (finess);
CREATE INDEX directory_organisation_siret ON directory_organisation (siret);

-- idnps = id_type + identifier: "8" + RPPS (11 digits) or "0" + ADELI (9).
CREATE TABLE directory_professional (
    id               INTEGER PRIMARY KEY,
    idnps            TEXT NOT NULL UNIQUE,
    id_type          TEXT NOT NULL CHECK (id_type IN ('8', '0')),
    identifier       TEXT NOT NULL,
    civility         TEXT,
    family_name      TEXT NOT NULL,
    given_name       TEXT,
    norm_name        TEXT NOT NULL,
    profession_code  TEXT NOT NULL,
    profession_label TEXT,
    specialty_code   TEXT,
    specialty_label  TEXT,
    phone            TEXT,
    mobile           TEXT,
    mssante          TEXT,
    source           TEXT NOT NULL CHECK (source IN ('import', 'manual')),
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX directory_professional_name ON directory_professional (norm_name, id);
CREATE INDEX directory_professional_profession
    ON directory_professional (profession_code, norm_name, id);

-- Where a professional practises: one row per professional and organisation.
CREATE TABLE directory_activity (
    id              INTEGER PRIMARY KEY,
    professional_id BIGINT NOT NULL REFERENCES directory_professional (id) ON DELETE CASCADE,
    organisation_id BIGINT NOT NULL REFERENCES directory_organisation (id) ON DELETE CASCADE,
    mode_code       TEXT,        -- L libéral, S salarié, B bénévole (TRE_R23)
    mode_label      TEXT,
    sector_label    TEXT,
    source          TEXT NOT NULL CHECK (source IN ('import', 'manual')),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (professional_id, organisation_id)
);
CREATE INDEX directory_activity_organisation ON directory_activity (organisation_id);
