-- The real barometer (issue 11): a catalogue that names where each value comes from and how
-- derived ones are computed, summaries that say which area-type origin and which inequality
-- method they serve, and the population without an area type as its own figure.

ALTER TABLE indicators DROP CONSTRAINT indicators_theme_check;
ALTER TABLE indicators ADD CONSTRAINT indicators_theme_check CHECK (theme IN (
    'socioeconomic', 'work', 'education', 'economy', 'housing', 'health', 'democracy',
    'population', 'integration'));
ALTER TABLE indicators DROP CONSTRAINT indicators_unit_check;
ALTER TABLE indicators ADD CONSTRAINT indicators_unit_check CHECK (unit IN (
    'percent', 'count', 'sek', 'sek_thousands', 'price_base_amounts', 'days', 'years', 'index',
    'area_type'));
ALTER TABLE indicators
    -- SCB's ContentsCode of a published value; NULL for a value we compute.
    ADD COLUMN contents_code text,
    -- Codes of the table's other dimensions the value is taken at, e.g. {"Alder": "totalt"}.
    ADD COLUMN selection jsonb NOT NULL DEFAULT '{}'::jsonb,
    -- 'published': SCB's figure as is; 'computed': computed here by `formula` from `inputs`.
    ADD COLUMN origin text NOT NULL DEFAULT 'published' CHECK (origin IN ('published', 'computed')),
    ADD COLUMN formula text,
    ADD COLUMN inputs jsonb,
    ADD CONSTRAINT indicators_origin_complete CHECK (
        (origin = 'published') = (contents_code IS NOT NULL)
        AND (origin = 'computed') = (formula IS NOT NULL AND inputs IS NOT NULL));

ALTER TABLE area_type_summaries
    -- 'official', 'computed' or 'mixed': the origin of the area types counted.
    ADD COLUMN area_type_origin text CHECK (area_type_origin IN ('official', 'computed', 'mixed')),
    ADD COLUMN population_untyped bigint,
    ADD COLUMN inequality_method text
        CHECK (inequality_method IN ('income_quintiles', 'economic_standard')),
    ADD COLUMN inequality_source text,
    ADD COLUMN inequality_areas integer,
    ADD CONSTRAINT summaries_inequality_labelled CHECK (
        (inequality_index IS NULL) = (inequality_method IS NULL));
