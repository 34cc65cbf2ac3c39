//! Results written out as bytes in a format, whoever asked: an API response or a bulk download.
//! CSV (`csv`, and indicator values in `values_csv`) and JSON-stat (`jsonstat`); GeoJSON and
//! TileJSON are still written by their handlers in `api`.

pub mod csv;
pub mod jsonstat;
pub mod values_csv;
