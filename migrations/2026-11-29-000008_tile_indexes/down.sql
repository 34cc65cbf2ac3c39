DROP INDEX areas_geom_simplified_idx;
DROP INDEX areas_geom_coarse_idx;
