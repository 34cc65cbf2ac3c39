//! The collections an export writes, as the writers see them: the API's OGC collections, each
//! with its division and title, and the layer name each gets in a file.

use crate::domain::geography::Division;

/// One OGC collection as the exporters see it: the id the API uses, the `areas.division` it
/// reads, and a human title.
#[derive(Clone, Debug)]
pub struct ExportCollection {
    /// The OGC collection id, e.g. `regso-2025` or `municipalities`.
    pub id: &'static str,
    /// The division, e.g. `regso-2025` or `kommun`.
    pub division: Division,
    /// A title for the file's metadata, e.g. "RegSO 2025 (statistics from 2024)".
    pub title: String,
}

/// The collections of the API (`/v1/collections`), with their English titles.
pub fn collections() -> Vec<ExportCollection> {
    Division::COLLECTIONS
        .into_iter()
        .filter_map(|division| {
            Some(ExportCollection {
                id: division.collection_id()?,
                division,
                title: division.title().1.to_owned(),
            })
        })
        .collect()
}

/// A table or layer name from a collection id: `regso-2025` → `regso_2025`, so SQL over the
/// file needs no quotes.
pub fn layer_name(collection: &str) -> String {
    collection.replace('-', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_need_no_quotes() {
        assert_eq!(layer_name("regso-2025"), "regso_2025");
    }
}
