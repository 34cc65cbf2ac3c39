//! The themes an indicator belongs to: the catalogue checks each indicator's, `/v1/indicators`
//! filters on them and the OpenAPI document lists them.

/// The themes an indicator may have; `/v1/indicators?theme=` takes these.
pub const THEMES: &[&str] = &[
    "socioeconomic",
    "work",
    "education",
    "economy",
    "housing",
    "health",
    "democracy",
    "population",
    "integration",
];
