-- Everything the API serves, precomputed at import (DESIGN.md §2, issue 3).

-- Ready-to-serve geometry: simplified copies in EPSG:3006 and GeoJSON geometry objects in
-- WGS 84 at three levels of detail, so no request transforms or simplifies anything.
ALTER TABLE areas
    ADD COLUMN geom_simplified   geometry(MultiPolygon, 3006),
    ADD COLUMN geom_coarse       geometry(MultiPolygon, 3006),
    ADD COLUMN label_point       geometry(Point, 3006),
    ADD COLUMN area_km2          double precision CHECK (area_km2 >= 0),
    ADD COLUMN bbox_wgs84        double precision[] CHECK (cardinality(bbox_wgs84) = 4),
    ADD COLUMN geojson_full      text,
    ADD COLUMN geojson_simplified text,
    ADD COLUMN geojson_coarse    text,
    -- Names differ between sources (old and new spellings); the served one is `name`.
    ADD CONSTRAINT areas_lod_complete CHECK (
        (geom IS NULL) = (geojson_full IS NULL)
        AND (geom IS NULL) = (geojson_simplified IS NULL)
        AND (geom IS NULL) = (geojson_coarse IS NULL));
CREATE INDEX areas_parent_regso_idx ON areas (regso_code, division);
CREATE INDEX areas_county_idx ON areas (county_code, division);

-- The indicator catalogue is data, never an enum in code.
CREATE TABLE indicators (
    id             text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9_]*$'),
    theme          text NOT NULL CHECK (theme IN ('work', 'education', 'economy', 'housing', 'health', 'democracy', 'population', 'integration')),
    name_sv        text NOT NULL,
    name_en        text NOT NULL,
    description_sv text NOT NULL,
    description_en text NOT NULL,
    unit           text NOT NULL CHECK (unit IN ('percent', 'count', 'sek', 'days', 'years')),
    age_band       text,
    source_table   text NOT NULL,
    decimals       smallint NOT NULL CHECK (decimals BETWEEN 0 AND 6),
    dataset_id     integer NOT NULL REFERENCES datasets (id)
);

-- Values in long form. A missing or suppressed value (SCB's "..") is NULL with a status,
-- never 0.
CREATE TABLE indicator_values (
    indicator  text NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    division   text NOT NULL,
    code       text NOT NULL,
    year       smallint NOT NULL CHECK (year BETWEEN 1990 AND 2100),
    breakdown  text NOT NULL DEFAULT 'total' CHECK (breakdown ~ '^[a-z0-9_]+$'),
    value      double precision,
    status     text NOT NULL CHECK (status IN ('ok', 'missing')),
    dataset_id integer NOT NULL REFERENCES datasets (id),
    PRIMARY KEY (indicator, division, code, year, breakdown),
    FOREIGN KEY (division, code) REFERENCES areas (division, code),
    CHECK ((value IS NULL) = (status <> 'ok'))
);
CREATE INDEX indicator_values_area_idx ON indicator_values (division, code, year);
CREATE INDEX indicator_values_year_idx ON indicator_values (indicator, year, division);

-- Socio-economic index, its three components and the area type per RegSO and year, as
-- imported from SCB ('official') or computed here ('computed'); both kept apart.
CREATE TABLE area_type_sources (
    division   text NOT NULL CHECK (division LIKE 'regso-%'),
    code       text NOT NULL,
    year       smallint NOT NULL CHECK (year BETWEEN 2011 AND 2100),
    origin     text NOT NULL CHECK (origin IN ('official', 'computed')),
    area_type  smallint CHECK (area_type BETWEEN 1 AND 5),
    socioeconomic_index   double precision CHECK (socioeconomic_index BETWEEN 0 AND 100),
    low_economic_standard double precision CHECK (low_economic_standard BETWEEN 0 AND 100),
    low_education         double precision CHECK (low_education BETWEEN 0 AND 100),
    long_term_dependency  double precision CHECK (long_term_dependency BETWEEN 0 AND 100),
    dataset_id integer REFERENCES datasets (id),
    PRIMARY KEY (division, code, year, origin),
    FOREIGN KEY (division, code) REFERENCES areas (division, code)
);

-- What is served per RegSO and year: official wins over computed, field by field, and each
-- field says where it came from. Ranks are over the served index.
CREATE TABLE area_types (
    division          text NOT NULL,
    code              text NOT NULL,
    year              smallint NOT NULL,
    area_type         smallint CHECK (area_type BETWEEN 1 AND 5),
    area_type_origin  text CHECK (area_type_origin IN ('official', 'computed')),
    socioeconomic_index   double precision,
    low_economic_standard double precision,
    low_education         double precision,
    long_term_dependency  double precision,
    index_origin      text CHECK (index_origin IN ('official', 'computed')),
    rank_in_municipality  integer,
    areas_in_municipality integer,
    rank_in_country       integer,
    areas_in_country      integer,
    percentile_in_country double precision CHECK (percentile_in_country BETWEEN 0 AND 100),
    PRIMARY KEY (division, code, year),
    FOREIGN KEY (division, code) REFERENCES areas (division, code),
    CHECK ((area_type IS NULL) = (area_type_origin IS NULL))
);
CREATE INDEX area_types_year_idx ON area_types (year, area_type);

-- Per riket, län and kommun and year: RegSO per area type, population per area type and its
-- share, and the inequality (dissimilarity) index. Arrays are indexed by area type 1..5.
CREATE TABLE area_type_summaries (
    division            text NOT NULL CHECK (division IN ('riket', 'lan', 'kommun')),
    code                text NOT NULL,
    year                smallint NOT NULL,
    regso_division      text NOT NULL REFERENCES divisions (id),
    regso_count         integer NOT NULL,
    regso_by_type       integer[] NOT NULL CHECK (cardinality(regso_by_type) = 5),
    population          bigint,
    population_by_type  bigint[] CHECK (cardinality(population_by_type) = 5),
    population_share_by_type double precision[] CHECK (cardinality(population_share_by_type) = 5),
    inequality_index    double precision CHECK (inequality_index BETWEEN 0 AND 100),
    PRIMARY KEY (division, code, year),
    FOREIGN KEY (division, code) REFERENCES areas (division, code)
);
