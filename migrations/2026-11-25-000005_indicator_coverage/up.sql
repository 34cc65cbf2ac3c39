-- Which years, division versions and breakdowns each indicator has, precomputed at import so
-- the catalogue endpoints never scan the values.
CREATE TABLE indicator_coverage (
    indicator  text NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    division   text NOT NULL REFERENCES divisions (id),
    years      smallint[] NOT NULL,
    breakdowns text[] NOT NULL,
    values_ok  integer NOT NULL,
    values_missing integer NOT NULL,
    PRIMARY KEY (indicator, division)
);
