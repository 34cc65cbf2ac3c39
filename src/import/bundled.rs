//! `import bundled`: the real SCB dataset shipped in `data/`.

use std::path::{Path, PathBuf};

use diesel::PgConnection;

use super::manifest::{self, Entry, Manifest, Outcome, Role, ValueFormat};
use crate::domain::geography::Division;
use crate::error::{Error, Result};

/// (dataset kind, path under the data folder); each file's role is [`role`]'s. The large
/// national layer comes last, so a broken small file is reported quickly.
pub const FILES: &[(&str, &str)] = &[
    ("codes", "codes/regioner.json"),
    ("codes", "codes/deso_regso_2018.json"),
    ("codes", "codes/deso_regso_2025.json"),
    ("codes", "codes/deso_forandringar.json"),
    ("codes", "scb/koppling-deso2018-regso2020.csv"),
    ("area-types", "scb/regso_omradestyp_2022.csv"),
    ("area-types", "scb/regso_omradestyp_2023.csv"),
    ("catalogue", "catalogue/indicators.json"),
    ("indicators", "fixtures/scb_pxwebapi2_tab638_jsonstat2.json"),
    (
        "indicators",
        "fixtures/scb_pxweb_v1_IntGr8RegSOKON3_goteborg_2023.json",
    ),
    ("indicators", "regso-population/stockholm_age_gender.json"),
    ("indicators", "regso-population/goteborg_age_gender.json"),
    ("indicators", "regso-population/malmo_age_gender.json"),
    ("indicators", "regso-population/uppsala_age_gender.json"),
    ("indicators", "regso-population/norrkoping_age_gender.json"),
    (
        "indicators",
        "regso-population/kalmar_age_gender_population.json",
    ),
    (
        "indicators",
        "regso-population/gender-district-income-vaxjo.json",
    ),
    (
        "boundaries",
        "boundaries/kommun_scb_generalised_wgs84.geojson",
    ),
    ("boundaries", "boundaries/lan_scb_generalised_wgs84.geojson"),
    (
        "boundaries",
        "boundaries/deso2018_uppsala_lan_sweref99tm.geojson",
    ),
    (
        "boundaries",
        "boundaries/RegSO_2025_sverige_sweref99tm.gpkg.gz",
    ),
];

/// The role of each of `FILES` (the synthetic dataset gives the files it copies the same).
pub fn role(path: &str) -> Role {
    match path {
        "codes/regioner.json" => Role::Regions,
        "codes/deso_regso_2018.json" => Role::DesoRegso {
            regso: Division::Regso2020,
            deso: Division::Deso2018,
        },
        "codes/deso_regso_2025.json" => Role::DesoRegso {
            regso: Division::Regso2025,
            deso: Division::Deso2025,
        },
        "codes/deso_forandringar.json" => Role::ChangeLog,
        "scb/koppling-deso2018-regso2020.csv" => Role::Labels,
        "catalogue/indicators.json" => Role::Catalogue,
        "fixtures/scb_pxwebapi2_tab638_jsonstat2.json" => Role::Values(ValueFormat::JsonStat),
        "fixtures/scb_pxweb_v1_IntGr8RegSOKON3_goteborg_2023.json" => {
            Role::Values(ValueFormat::PxWebV1)
        }
        // SCB's PxWeb v1 API (2024, RegSO 2025): population by age and sex, net income.
        p if p.starts_with("regso-population/") => Role::Values(ValueFormat::PxWebV1),
        "boundaries/kommun_scb_generalised_wgs84.geojson" => Role::Layer {
            code: "KnKod",
            division: Division::Kommun,
        },
        "boundaries/lan_scb_generalised_wgs84.geojson" => Role::Layer {
            code: "LnKod",
            division: Division::Lan,
        },
        "boundaries/deso2018_uppsala_lan_sweref99tm.geojson" => Role::Layer {
            code: "desokod",
            division: Division::Deso2018,
        },
        "boundaries/RegSO_2025_sverige_sweref99tm.gpkg.gz" => Role::Layer {
            code: "regsokod",
            division: Division::Regso2025,
        },
        "scb/regso_omradestyp_2022.csv" | "scb/regso_omradestyp_2023.csv" => Role::OfficialTypes,
        other => unreachable!("FILES lists {other} without a role"),
    }
}

pub fn manifest() -> Manifest {
    Manifest {
        entries: FILES
            .iter()
            .map(|&(kind, path)| Entry {
                kind,
                path: path.to_owned(),
                role: role(path),
                source: None,
            })
            .collect(),
        synthetic: false,
    }
}

pub fn import(conn: &mut PgConnection, data_dir: &Path) -> Result<Outcome> {
    manifest::import(conn, data_dir, &manifest())
}

/// The bundled data folder: `SEGSTAT_DATA_DIR`, else `data/` here, else the installed copy.
pub fn default_data_dir() -> Result<PathBuf> {
    let candidates = [
        std::env::var("SEGSTAT_DATA_DIR").ok().map(PathBuf::from),
        Some(PathBuf::from("data")),
        Some(PathBuf::from("/usr/share/segstat/data")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.join(FILES[0].1).exists())
        .ok_or_else(|| {
            Error::Usage(
                "the bundled data folder was not found; pass --data-dir or set SEGSTAT_DATA_DIR"
                    .into(),
            )
        })
}
