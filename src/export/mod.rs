//! Bulk downloads: `segstat export` writes every collection of the current data version as
//! files (GeoPackage, FlatGeobuf, zipped CSV, …) into `DIR/<data_version>/`, all or nothing,
//! with an `index.json` and `SHA256SUMS` that `/v1/downloads` serves.

/// One OGC collection as the exporters see it: the id the API uses, the `areas.division` it
/// reads, and a human title.
#[derive(Clone, Debug)]
pub struct ExportCollection {
    /// The OGC collection id, e.g. `regso-2025` or `municipalities`.
    pub id: &'static str,
    /// The `areas.division` value, e.g. `regso-2025` or `kommun`.
    pub division: &'static str,
    /// A title for the file's metadata, e.g. "RegSO 2025 (statistics from 2024)".
    pub title: String,
}
