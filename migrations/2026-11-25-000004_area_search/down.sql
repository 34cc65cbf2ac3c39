DROP INDEX areas_division_idx;
ALTER TABLE areas DROP COLUMN name_folded;
