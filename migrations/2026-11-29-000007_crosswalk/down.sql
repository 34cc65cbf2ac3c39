DROP TABLE crosswalk;
DROP TABLE deso_changes;
