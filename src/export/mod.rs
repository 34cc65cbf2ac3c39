pub struct ExportCollection {
    pub id: &'static str,
    pub division: &'static str,
    pub title: String,
}
pub mod geoparquet;
pub mod pmtiles;
