-- Names folded to lowercase ASCII at import (domain::text::fold), for accent-insensitive search.
ALTER TABLE areas ADD COLUMN name_folded text;
UPDATE areas SET name_folded = lower(name) WHERE name IS NOT NULL;
CREATE INDEX areas_division_idx ON areas (division, code);
