ALTER TABLE area_type_summaries
    DROP CONSTRAINT summaries_inequality_labelled,
    DROP COLUMN inequality_areas,
    DROP COLUMN inequality_source,
    DROP COLUMN inequality_method,
    DROP COLUMN population_untyped,
    DROP COLUMN area_type_origin;
ALTER TABLE indicators
    DROP CONSTRAINT indicators_origin_complete,
    DROP COLUMN inputs,
    DROP COLUMN formula,
    DROP COLUMN origin,
    DROP COLUMN selection,
    DROP COLUMN contents_code;
DELETE FROM indicators WHERE theme = 'socioeconomic'
    OR unit IN ('sek_thousands', 'price_base_amounts', 'index', 'area_type');
ALTER TABLE indicators DROP CONSTRAINT indicators_unit_check;
ALTER TABLE indicators ADD CONSTRAINT indicators_unit_check CHECK (unit IN ('percent', 'count', 'sek', 'days', 'years'));
ALTER TABLE indicators DROP CONSTRAINT indicators_theme_check;
ALTER TABLE indicators ADD CONSTRAINT indicators_theme_check CHECK (theme IN ('work', 'education', 'economy', 'housing', 'health', 'democracy', 'population', 'integration'));
