//! Results written out as bytes in a format, whoever asked: an API response or a bulk download.
//! CSV today (`csv`); JSON-stat and GeoJSON are to join it.

pub mod csv;
