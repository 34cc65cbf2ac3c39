-- SCB's DeSO change log as imported, and the crosswalk derived from it at import
-- (src/domain/crosswalk.rs): which DeSO 2018 / RegSO 2020 became which DeSO / RegSO 2025.

-- One row per line of the log: [from, to, type, date]. The same code before and after means
-- the area lives on with a changed boundary.
CREATE TABLE deso_changes (
    dataset_id  integer NOT NULL REFERENCES datasets (id),
    line        integer NOT NULL CHECK (line >= 0),
    from_code   text NOT NULL CHECK (from_code ~ '^[0-9]{4}[ABC][0-9]{4}$'),
    to_code     text NOT NULL CHECK (to_code ~ '^[0-9]{4}[ABC][0-9]{4}$'),
    change_type text NOT NULL,
    change_date date,
    PRIMARY KEY (dataset_id, line)
);

-- Pairs from an old division version to the new one, with a relation and the counts that
-- explain it. Both ends are areas of their division.
CREATE TABLE crosswalk (
    from_division text NOT NULL CHECK (from_division IN ('deso-2018', 'regso-2020')),
    from_code     text NOT NULL,
    to_division   text NOT NULL CHECK (to_division IN ('deso-2025', 'regso-2025')),
    to_code       text NOT NULL,
    relation      text NOT NULL CHECK (relation IN ('unchanged', 'boundary_changed', 'split', 'merged', 'recoded')),
    from_targets  integer NOT NULL CHECK (from_targets >= 1),
    to_sources    integer NOT NULL CHECK (to_sources >= 1),
    deso_shared   integer CHECK (deso_shared >= 1),
    from_deso     integer,
    to_deso       integer,
    dataset_id    integer NOT NULL REFERENCES datasets (id),
    PRIMARY KEY (from_division, from_code, to_division, to_code),
    FOREIGN KEY (from_division, from_code) REFERENCES areas (division, code),
    FOREIGN KEY (to_division, to_code) REFERENCES areas (division, code),
    CHECK ((from_division = 'deso-2018') = (to_division = 'deso-2025'))
);
CREATE INDEX crosswalk_to_idx ON crosswalk (to_division, to_code);
CREATE INDEX crosswalk_relation_idx ON crosswalk (from_division, relation);
