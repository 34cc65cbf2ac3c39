DROP TABLE area_type_summaries;
DROP TABLE area_types;
DROP TABLE area_type_sources;
DROP TABLE indicator_values;
DROP TABLE indicators;
ALTER TABLE areas
    DROP CONSTRAINT areas_lod_complete,
    DROP COLUMN geom_simplified,
    DROP COLUMN geom_coarse,
    DROP COLUMN label_point,
    DROP COLUMN area_km2,
    DROP COLUMN bbox_wgs84,
    DROP COLUMN geojson_full,
    DROP COLUMN geojson_simplified,
    DROP COLUMN geojson_coarse;
DROP INDEX IF EXISTS areas_parent_regso_idx;
DROP INDEX IF EXISTS areas_county_idx;
