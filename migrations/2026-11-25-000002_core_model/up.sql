-- The core of the data model (DESIGN.md §2): divisions, areas, datasets and the data version.
-- Indicator values, area types and aggregates arrive with the import (issue 3) on top of these.

-- A division is one level of SCB's geography in one version. RegSO and DeSO have versions
-- (RegSO 2020 / 2025, DeSO 2018 / 2025) that serve different reference years; the
-- administrative levels have one current version.
CREATE TABLE divisions (
    id          text PRIMARY KEY CHECK (id ~ '^[a-z]+(-[0-9]{4})?$'),
    level       text NOT NULL CHECK (level IN ('riket', 'lan', 'kommun', 'regso', 'deso')),
    version     smallint CHECK (version BETWEEN 2000 AND 2100),
    first_year  smallint NOT NULL,
    last_year   smallint,
    label_sv    text NOT NULL,
    label_en    text NOT NULL,
    UNIQUE (level, version),
    CHECK (last_year IS NULL OR last_year >= first_year)
);

INSERT INTO divisions (id, level, version, first_year, last_year, label_sv, label_en) VALUES
    ('riket',      'riket',  NULL, 2011, NULL, 'Riket',                                'Sweden'),
    ('lan',        'lan',    NULL, 2011, NULL, 'Län',                                  'Counties'),
    ('kommun',     'kommun', NULL, 2011, NULL, 'Kommuner',                             'Municipalities'),
    ('regso-2020', 'regso',  2020, 2011, 2023, 'Regionala statistikområden (RegSO) 2020', 'Regional statistics areas (RegSO) 2020'),
    ('regso-2025', 'regso',  2025, 2024, NULL, 'Regionala statistikområden (RegSO) 2025', 'Regional statistics areas (RegSO) 2025'),
    ('deso-2018',  'deso',   2018, 2011, 2023, 'Demografiska statistikområden (DeSO) 2018', 'Demographic statistics areas (DeSO) 2018'),
    ('deso-2025',  'deso',   2025, 2024, NULL, 'Demografiska statistikområden (DeSO) 2025', 'Demographic statistics areas (DeSO) 2025');

-- Every import, real or synthetic, with enough to trace and cite it.
CREATE TABLE datasets (
    id           serial PRIMARY KEY,
    kind         text NOT NULL,
    source       text NOT NULL,
    checksum     text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
    imported_at  timestamptz NOT NULL DEFAULT now(),
    row_counts   jsonb NOT NULL DEFAULT '{}'::jsonb,
    synthetic    boolean NOT NULL,
    licence      text NOT NULL DEFAULT 'CC0-1.0',
    attribution  text NOT NULL DEFAULT 'Källa: SCB',
    UNIQUE (kind, source)
);

-- An area is identified by its official code within one division version.
CREATE TABLE areas (
    division          text NOT NULL REFERENCES divisions (id),
    code              text NOT NULL CHECK (code ~ '^[0-9]{2}([0-9]{2}([ABC][0-9]{4}|R[0-9]{3})?)?$'),
    name              text,
    county_code       text CHECK (county_code ~ '^[0-9]{2}$'),
    municipality_code text CHECK (municipality_code ~ '^[0-9]{4}$'),
    regso_code        text CHECK (regso_code ~ '^[0-9]{4}R[0-9]{3}$'),
    geom              geometry(MultiPolygon, 3006),
    -- How the geometry was obtained (DESIGN.md §2): RegSO 2020 polygons are partly derived.
    geometry_source   text CHECK (geometry_source IN ('source', 'exact', 'unchanged-2025', 'approximate-2025')),
    dataset_id        integer REFERENCES datasets (id) ON DELETE RESTRICT,
    PRIMARY KEY (division, code),
    CHECK (geom IS NULL OR ST_IsValid(geom)),
    CHECK ((geom IS NULL) = (geometry_source IS NULL))
);
CREATE INDEX areas_geom_idx ON areas USING gist (geom);
CREATE INDEX areas_municipality_idx ON areas (municipality_code, division);

-- One row: the version of everything served. An import sets it in the same transaction as the
-- data it loads, so readers never see new data under an old version or the reverse.
CREATE TABLE data_state (
    singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    data_version  text NOT NULL,
    synthetic     boolean NOT NULL DEFAULT false,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
INSERT INTO data_state (data_version) VALUES ('empty');
