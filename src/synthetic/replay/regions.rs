//! The Region codes a replayed table lists: riket, län and kommun from `regioner.json`, RegSO and
//! DeSO of both division versions from `deso_regso_*.json`, each in the code form and with the
//! label SCB's PxWebApi 2 writes for the code list that holds it.

use std::collections::HashSet;
use std::path::Path;

use crate::domain::codes::{Division, Level};
use crate::error::{Error, Result};
use crate::import::codes::{read_deso_regso, read_regions};
use crate::import::Source;

/// A division version of RegSO and DeSO. SCB's tables list both in one dense cube; each version
/// serves only its own years (the other's cells are `..`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Version {
    /// RegSO 2020 and DeSO 2018, plain codes: years up to 2023.
    V2020,
    /// RegSO 2025 and DeSO 2025, suffixed codes: years from 2024.
    V2025,
}

impl Version {
    pub fn serves(self, year: u16) -> bool {
        match self {
            Version::V2020 => year <= 2023,
            Version::V2025 => year >= 2024,
        }
    }

    /// The version whose codes a year's statistics use.
    pub fn of_year(year: u16) -> Version {
        if year <= 2023 {
            Version::V2020
        } else {
            Version::V2025
        }
    }
}

/// One Region category of a table.
#[derive(Clone, Debug, PartialEq)]
pub struct Region {
    /// As served: `0114R001_RegSO2025`.
    pub code: String,
    /// Without the suffix: `0114R001`. The 2020 and 2025 versions of a code share its latent.
    pub base: String,
    pub level: Level,
    /// `None` for riket, län and kommun, which serve every year.
    pub version: Option<Version>,
    pub label: String,
    /// For a DeSO: the base code of its RegSO of the same version.
    pub regso: Option<String>,
}

impl Region {
    pub fn serves(&self, year: u16) -> bool {
        self.version.is_none_or(|v| v.serves(year))
    }

    /// The kommun a code lies in (kommun, RegSO, DeSO).
    pub fn municipality(&self) -> Option<&str> {
        (self.base.len() >= 4).then(|| &self.base[..4])
    }
}

/// A RegSO with its name, or a DeSO with its RegSO.
#[derive(Clone, Debug)]
pub struct SmallArea {
    pub code: String,
    pub name: Option<String>,
    pub regso: Option<String>,
}

/// The national code lists, read once.
#[derive(Clone, Debug)]
pub struct Geography {
    pub riket_name: String,
    /// (code, name)
    pub counties: Vec<(String, String)>,
    /// (code, name)
    pub municipalities: Vec<(String, String)>,
    pub regso_2020: Vec<SmallArea>,
    pub deso_2018: Vec<SmallArea>,
    pub regso_2025: Vec<SmallArea>,
    pub deso_2025: Vec<SmallArea>,
}

/// Which kommuner a replay serves: all, or a few with their län, RegSO and DeSO (riket always).
#[derive(Clone, Debug, Default)]
pub struct Restriction(Option<HashSet<String>>);

impl Restriction {
    pub fn new(municipalities: &[String]) -> Restriction {
        if municipalities.is_empty() {
            Restriction(None)
        } else {
            Restriction(Some(municipalities.iter().cloned().collect()))
        }
    }

    pub fn keeps(&self, base: &str, level: Level) -> bool {
        let Some(set) = &self.0 else { return true };
        match level {
            Level::Riket => true,
            Level::Lan => set.iter().any(|m| m.starts_with(base)),
            _ => set.contains(&base[..4]),
        }
    }
}

impl Geography {
    pub fn read(data_dir: &Path) -> Result<Geography> {
        let read = |name: &str| Source::read(&data_dir.join(name), name);
        let rows = read_regions(&read("codes/regioner.json")?)?;
        let mut geography = Geography {
            riket_name: String::new(),
            counties: Vec::new(),
            municipalities: Vec::new(),
            regso_2020: Vec::new(),
            deso_2018: Vec::new(),
            regso_2025: Vec::new(),
            deso_2025: Vec::new(),
        };
        for row in rows {
            let name = row.name.unwrap_or_default();
            match row.division {
                Division::Riket => geography.riket_name = name,
                Division::Lan => geography.counties.push((row.code, name)),
                _ => geography.municipalities.push((row.code, name)),
            }
        }
        let known: HashSet<String> = geography
            .municipalities
            .iter()
            .map(|(c, _)| c.clone())
            .collect();
        let small = |rows: Vec<crate::import::codes::AreaRow>| {
            rows.into_iter()
                .map(|r| SmallArea {
                    code: r.code,
                    name: r.name,
                    regso: r.regso,
                })
                .collect::<Vec<_>>()
        };
        let (regso, deso) = read_deso_regso(
            &read("codes/deso_regso_2018.json")?,
            Division::Regso2020,
            Division::Deso2018,
            &known,
        )?;
        geography.regso_2020 = small(regso);
        geography.deso_2018 = small(deso);
        let (regso, deso) = read_deso_regso(
            &read("codes/deso_regso_2025.json")?,
            Division::Regso2025,
            Division::Deso2025,
            &known,
        )?;
        geography.regso_2025 = small(regso);
        geography.deso_2025 = small(deso);
        Ok(geography)
    }

    fn municipality_name(&self, code: &str) -> &str {
        self.municipalities
            .iter()
            .find(|(c, _)| c == code)
            .map_or("", |(_, n)| n.as_str())
    }

    /// Every RegSO of a version, nationally (plain codes).
    pub fn regso(&self, version: Version) -> &[SmallArea] {
        match version {
            Version::V2020 => &self.regso_2020,
            Version::V2025 => &self.regso_2025,
        }
    }

    /// The codes of one PxWebApi 2 code list, in its code form, kept by `restriction`.
    pub fn code_list(&self, id: &str, restriction: &Restriction) -> Result<Vec<Region>> {
        let mut out = Vec::new();
        let mut push = |base: &str, level: Level, version, label: String, regso| {
            if restriction.keeps(base, level) {
                let code = match (version, level) {
                    (Some(Version::V2025), Level::Regso) => format!("{base}_RegSO2025"),
                    (Some(Version::V2025), Level::Deso) => format!("{base}_DeSO2025"),
                    _ => base.to_owned(),
                };
                out.push(Region {
                    code,
                    base: base.to_owned(),
                    level,
                    version,
                    label,
                    regso,
                });
            }
        };
        let regso_label = |area: &SmallArea, version| {
            let kommun = self.municipality_name(&area.code[..4]);
            let name = area.name.as_deref().unwrap_or_default();
            match version {
                Version::V2020 => format!("{kommun} ({name})"),
                Version::V2025 => format!("{} {kommun} ({name})", area.code),
            }
        };
        match id {
            "vs_ARegionRiket" => push("00", Level::Riket, None, self.riket_name.clone(), None),
            "vs_BRegionLän07" => {
                for (code, name) in &self.counties {
                    push(code, Level::Lan, None, name.clone(), None);
                }
            }
            "vs_CRegionKommun07" => {
                for (code, name) in &self.municipalities {
                    push(code, Level::Kommun, None, format!("{code} {name}"), None);
                }
            }
            "vs_RegSO2020" | "vs_RegSo1" | "" => {
                for area in &self.regso_2020 {
                    let label = regso_label(area, Version::V2020);
                    push(&area.code, Level::Regso, Some(Version::V2020), label, None);
                }
            }
            "vs_RegSO2025" => {
                for area in &self.regso_2025 {
                    let label = regso_label(area, Version::V2025);
                    push(&area.code, Level::Regso, Some(Version::V2025), label, None);
                }
            }
            "vs_DeSO2018" | "vs_DeSoHE" | "vs_DeSO2025" => {
                let (list, version) = if id == "vs_DeSO2025" {
                    (&self.deso_2025, Version::V2025)
                } else {
                    (&self.deso_2018, Version::V2020)
                };
                for area in list {
                    push(
                        &area.code,
                        Level::Deso,
                        Some(version),
                        area.code.clone(),
                        area.regso.clone(),
                    );
                }
            }
            other => {
                return Err(Error::Internal(format!(
                    "code list {other:?} is not one the replay knows"
                )))
            }
        }
        Ok(out)
    }

    /// A table's Region categories: its code lists' codes, riket, län and kommun first, then the
    /// others as listed; no code lists means plain RegSO 2020 codes (as TAB5750 serves).
    pub fn table_regions(
        &self,
        code_lists: &[String],
        restriction: &Restriction,
    ) -> Result<Vec<Region>> {
        let mut ids: Vec<&str> = code_lists.iter().map(String::as_str).collect();
        if ids.is_empty() {
            ids.push("");
        }
        let rank = |id: &&str| match *id {
            "vs_ARegionRiket" => 0,
            "vs_BRegionLän07" => 1,
            "vs_CRegionKommun07" => 2,
            _ => 3,
        };
        ids.sort_by_key(rank);
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for id in ids {
            for region in self.code_list(id, restriction)? {
                if seen.insert(region.code.clone()) {
                    out.push(region);
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn geography() -> Geography {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        Geography::read(&data).unwrap()
    }

    #[test]
    fn code_forms_and_labels_follow_the_code_list() {
        let g = geography();
        let all = Restriction::default();
        let riket = g.code_list("vs_ARegionRiket", &all).unwrap();
        assert_eq!(riket.len(), 1);
        assert_eq!(riket[0].code, "00");
        assert_eq!(g.code_list("vs_BRegionLän07", &all).unwrap().len(), 21);
        assert_eq!(g.code_list("vs_CRegionKommun07", &all).unwrap().len(), 290);
        let r25 = g.code_list("vs_RegSO2025", &all).unwrap();
        assert_eq!(r25[0].code, format!("{}_RegSO2025", r25[0].base));
        assert!(r25[0].label.starts_with(&format!("{} ", r25[0].base)));
        let d25 = g.code_list("vs_DeSO2025", &all).unwrap();
        assert!(d25[0].code.ends_with("_DeSO2025"));
        assert_eq!(d25[0].label, d25[0].base);
        let r20 = g.code_list("vs_RegSo1", &all).unwrap();
        assert_eq!(r20[0].code, r20[0].base);
        assert!(r20[0].label.ends_with(')'));
        assert!(g.code_list("vs_Unknown", &all).is_err());
    }

    #[test]
    fn restriction_keeps_riket_the_county_and_the_kommun_areas() {
        let g = geography();
        let only = Restriction::new(&["0180".to_owned()]);
        let lists: Vec<String> = ["vs_ARegionRiket", "vs_BRegionLän07", "vs_CRegionKommun07"]
            .map(String::from)
            .into();
        let codes: Vec<String> = g
            .table_regions(&lists, &only)
            .unwrap()
            .into_iter()
            .map(|r| r.code)
            .collect();
        assert_eq!(codes, ["00", "01", "0180"]);
        let regso = g.table_regions(&["vs_RegSO2025".into()], &only).unwrap();
        assert!(!regso.is_empty());
        assert!(regso.iter().all(|r| r.base.starts_with("0180R")));
    }
}
