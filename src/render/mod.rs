//! Results written out as bytes in a format, whoever asked: an API response or a bulk download.
//! CSV (`csv`, and indicator values in `values_csv`), JSON-stat (`jsonstat`) and the GeoJSON of
//! OGC API – Features (`geojson`), and the TileJSON of vector tiles (`tilejson`).

pub mod csv;
pub mod geojson;
pub mod jsonstat;
pub mod tilejson;
pub mod values_csv;
