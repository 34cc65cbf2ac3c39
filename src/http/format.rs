//! The representations the API can produce, by name (`f`) and media type (`Accept`).

/// A representation the API can produce. Each endpoint lists the ones it offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    GeoJson,
    Csv,
    JsonStat,
    /// Mapbox Vector Tile; only by `Accept`, tiles take no `f`.
    Mvt,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::GeoJson => "geojson",
            Format::Csv => "csv",
            Format::JsonStat => "jsonstat",
            Format::Mvt => "mvt",
        }
    }

    /// The default of a resource: the first format it offers (JSON for a declaration that
    /// offers none).
    pub(crate) fn first(offered: &[Format]) -> Format {
        offered.first().copied().unwrap_or(Format::Json)
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::GeoJson => "application/geo+json",
            Format::Csv => "text/csv; charset=utf-8",
            Format::JsonStat => "application/json",
            Format::Mvt => "application/vnd.mapbox-vector-tile",
        }
    }

    pub(crate) fn matches(self, range: &str) -> bool {
        let range = range.split(';').next().unwrap_or("").trim();
        let essence = self.media_type().split(';').next().unwrap_or("");
        range == "*/*"
            || range.eq_ignore_ascii_case(essence)
            // The older name many tile clients still send.
            || (self == Format::Mvt && range.eq_ignore_ascii_case("application/x-protobuf"))
            || range
                .strip_suffix("/*")
                .is_some_and(|t| essence.starts_with(&format!("{t}/")))
    }
}
