-- Vector tiles below zoom 12 (and the PMTiles export) draw the simplified geometries and select
-- them with `&&` on the tile's envelope. Without a spatial index each such tile scanned every
-- area of every division (about 110 ms a tile on the national data); with one, 0.35 ms.
CREATE INDEX areas_geom_coarse_idx ON areas USING gist (geom_coarse);
CREATE INDEX areas_geom_simplified_idx ON areas USING gist (geom_simplified);
