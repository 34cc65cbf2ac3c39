//! SCB's geography as the service serves it: the five levels (riket, län, kommun, RegSO, DeSO)
//! and the seven division versions (DESIGN.md §1). Every level and division name the code uses
//! is spelled here, once; the rest of the code holds a [`Level`] or a [`Division`] and turns it
//! into text only at an edge (a query bind, a response field, a file name).
//!
//! Divisions are ordered as their ids are (`deso-2018` < `kommun` < `regso-2020`), so a sorted
//! list of divisions comes out in the order a sorted list of their ids always did.

use std::cmp::Ordering;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    Riket,
    Lan,
    Kommun,
    Regso,
    Deso,
}

impl Level {
    /// Top down, as `level=` lists them.
    pub const ALL: [Level; 5] = [
        Level::Riket,
        Level::Lan,
        Level::Kommun,
        Level::Regso,
        Level::Deso,
    ];

    /// The ids of [`Level::ALL`], as `level=` takes them and the spec lists them.
    pub const IDS: [&'static str; Level::ALL.len()] = {
        let mut ids = [""; Level::ALL.len()];
        let mut i = 0;
        while i < ids.len() {
            ids[i] = Level::ALL[i].as_str();
            i += 1;
        }
        ids
    };

    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Riket => "riket",
            Level::Lan => "lan",
            Level::Kommun => "kommun",
            Level::Regso => "regso",
            Level::Deso => "deso",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// The name SCB's version suffix uses for the level (`_RegSO2025`, `_DeSO2025`); only
    /// RegSO and DeSO codes take one.
    pub const fn suffix_name(self) -> Option<&'static str> {
        match self {
            Level::Regso => Some("RegSO"),
            Level::Deso => Some("DeSO"),
            _ => None,
        }
    }

    /// The levels with one division version, which serve every year.
    pub const fn single_division(self) -> Option<Division> {
        match self {
            Level::Riket => Some(Division::Riket),
            Level::Lan => Some(Division::Lan),
            Level::Kommun => Some(Division::Kommun),
            Level::Regso | Level::Deso => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A division version: a level and the boundaries of one of its versions. The areas table and
/// every table keyed by area hold it as its id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Division {
    Riket,
    Lan,
    Kommun,
    Regso2020,
    Regso2025,
    Deso2018,
    Deso2025,
}

/// The first reference year the 2025 versions serve; the 2018/2020 versions serve the years
/// before it.
const FIRST_YEAR_OF_2025_VERSIONS: i32 = 2024;

impl Division {
    /// Top down, older version first, as `division=` lists them.
    pub const ALL: [Division; 7] = [
        Division::Riket,
        Division::Lan,
        Division::Kommun,
        Division::Regso2020,
        Division::Regso2025,
        Division::Deso2018,
        Division::Deso2025,
    ];

    /// The ids of [`Division::ALL`], as `division=` takes them and the spec lists them.
    pub const IDS: [&'static str; Division::ALL.len()] = {
        let mut ids = [""; Division::ALL.len()];
        let mut i = 0;
        while i < ids.len() {
            ids[i] = Division::ALL[i].id();
            i += 1;
        }
        ids
    };

    /// The divisions with an OGC collection (and tiles), in the order `/v1/collections`
    /// lists them: riket has none.
    pub const COLLECTIONS: [Division; 6] = [
        Division::Lan,
        Division::Kommun,
        Division::Regso2020,
        Division::Regso2025,
        Division::Deso2018,
        Division::Deso2025,
    ];

    /// The divisions the 2025 crosswalk starts from, and where it goes.
    pub const CROSSWALKED: [(Division, Division); 2] = [
        (Division::Deso2018, Division::Deso2025),
        (Division::Regso2020, Division::Regso2025),
    ];

    /// The id the database, the URLs and the bodies use: `regso-2020`.
    pub const fn id(self) -> &'static str {
        match self {
            Division::Riket => "riket",
            Division::Lan => "lan",
            Division::Kommun => "kommun",
            Division::Regso2020 => "regso-2020",
            Division::Regso2025 => "regso-2025",
            Division::Deso2018 => "deso-2018",
            Division::Deso2025 => "deso-2025",
        }
    }

    pub fn parse(id: &str) -> Option<Division> {
        Division::ALL.into_iter().find(|d| d.id() == id)
    }

    pub const fn level(self) -> Level {
        match self {
            Division::Riket => Level::Riket,
            Division::Lan => Level::Lan,
            Division::Kommun => Level::Kommun,
            Division::Regso2020 | Division::Regso2025 => Level::Regso,
            Division::Deso2018 | Division::Deso2025 => Level::Deso,
        }
    }

    /// The version year of a versioned division (RegSO and DeSO), `None` for the others.
    pub const fn version(self) -> Option<u16> {
        match self {
            Division::Regso2020 => Some(2020),
            Division::Regso2025 | Division::Deso2025 => Some(2025),
            Division::Deso2018 => Some(2018),
            Division::Riket | Division::Lan | Division::Kommun => None,
        }
    }

    /// The division a suffixed code names (`_RegSO2025` → `regso-2025`).
    pub fn of_version(level: Level, version: u16) -> Option<Division> {
        Division::ALL
            .into_iter()
            .find(|d| d.level() == level && d.version() == Some(version))
    }

    /// The division of a level that a reference year's statistics use: DeSO 2018 / RegSO 2020
    /// up to 2023, DeSO 2025 / RegSO 2025 from 2024 (DESIGN.md §1).
    pub fn for_year(level: Level, year: i32) -> Division {
        match (level, year >= FIRST_YEAR_OF_2025_VERSIONS) {
            (Level::Riket, _) => Division::Riket,
            (Level::Lan, _) => Division::Lan,
            (Level::Kommun, _) => Division::Kommun,
            (Level::Regso, false) => Division::Regso2020,
            (Level::Regso, true) => Division::Regso2025,
            (Level::Deso, false) => Division::Deso2018,
            (Level::Deso, true) => Division::Deso2025,
        }
    }

    /// The division a plain (unsuffixed) code of a level stands for: the 2018/2020 version
    /// for RegSO and DeSO, which SCB writes without a suffix.
    pub const fn of_plain_code(level: Level) -> Division {
        match level {
            Level::Riket => Division::Riket,
            Level::Lan => Division::Lan,
            Level::Kommun => Division::Kommun,
            Level::Regso => Division::Regso2020,
            Level::Deso => Division::Deso2018,
        }
    }

    /// Whether the division's statistics cover a reference year.
    pub fn serves(self, year: i32) -> bool {
        Division::for_year(self.level(), year) == self
    }

    /// The reference years the division serves, `None` meaning open-ended.
    pub const fn years(self) -> (Option<i32>, Option<i32>) {
        match self.version() {
            Some(2025) => (Some(FIRST_YEAR_OF_2025_VERSIONS), None),
            Some(_) => (None, Some(FIRST_YEAR_OF_2025_VERSIONS - 1)),
            None => (None, None),
        }
    }

    /// The DeSO division that nests in a RegSO division (SCB's DeSO → RegSO mapping pairs
    /// DeSO 2018 with RegSO 2020 and DeSO 2025 with RegSO 2025).
    pub const fn child(self) -> Option<Division> {
        match self {
            Division::Regso2020 => Some(Division::Deso2018),
            Division::Regso2025 => Some(Division::Deso2025),
            _ => None,
        }
    }

    /// The suffix SCB's statistics database writes after a code of this division
    /// (`0114R001_RegSO2025`); only the 2025 versions have one, older codes are written plain.
    pub const fn scb_suffix(self) -> Option<&'static str> {
        match self {
            Division::Regso2025 => Some("_RegSO2025"),
            Division::Deso2025 => Some("_DeSO2025"),
            _ => None,
        }
    }

    /// The code as SCB's statistics database writes it: `0114R001_RegSO2025`, `0180`.
    pub fn scb_code(self, code: &str) -> String {
        match self.scb_suffix() {
            Some(s) => format!("{code}{s}"),
            None => code.to_owned(),
        }
    }

    /// The id of the OGC collection (and tile set) of the division; riket has none.
    pub const fn collection_id(self) -> Option<&'static str> {
        match self {
            Division::Riket => None,
            Division::Lan => Some("counties"),
            Division::Kommun => Some("municipalities"),
            d => Some(d.id()),
        }
    }

    /// The division a collection id names.
    pub fn of_collection(id: &str) -> Option<Division> {
        Division::COLLECTIONS
            .into_iter()
            .find(|d| d.collection_id() == Some(id))
    }

    /// The collection's title, (Swedish, English).
    pub const fn title(self) -> (&'static str, &'static str) {
        match self {
            Division::Riket => ("Riket", "Sweden"),
            Division::Lan => ("Län", "Counties"),
            Division::Kommun => ("Kommuner", "Municipalities"),
            Division::Regso2020 => (
                "RegSO 2020 (statistik till och med 2023)",
                "RegSO 2020 (statistics up to 2023)",
            ),
            Division::Regso2025 => (
                "RegSO 2025 (statistik från 2024)",
                "RegSO 2025 (statistics from 2024)",
            ),
            Division::Deso2018 => (
                "DeSO 2018 (statistik till och med 2023)",
                "DeSO 2018 (statistics up to 2023)",
            ),
            Division::Deso2025 => (
                "DeSO 2025 (statistik från 2024)",
                "DeSO 2025 (statistics from 2024)",
            ),
        }
    }

    /// The layer of SCB's WFS (GeoServer) with the division's polygons, and the attribute
    /// that holds the code.
    pub const fn wfs_layer(self) -> Option<(&'static str, &'static str)> {
        match self {
            Division::Regso2020 => Some(("RegSO_2020", "regsokod")),
            Division::Regso2025 => Some(("RegSO_2025", "regsokod")),
            Division::Deso2018 => Some(("DeSO_2018", "desokod")),
            Division::Deso2025 => Some(("DeSO_2025", "desokod")),
            _ => None,
        }
    }

    /// The division a WFS layer name stands for.
    pub fn of_wfs_layer(layer: &str) -> Option<Division> {
        Division::ALL
            .into_iter()
            .find(|d| d.wfs_layer().is_some_and(|(l, _)| l == layer))
    }
}

impl fmt::Display for Division {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl std::str::FromStr for Division {
    type Err = String;

    fn from_str(s: &str) -> Result<Division, String> {
        Division::parse(s).ok_or_else(|| format!("{s:?} is not a division"))
    }
}

impl PartialOrd for Division {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Division {
    /// As the ids sort, so that lists ordered by division read as they did when divisions
    /// were text.
    fn cmp(&self, other: &Self) -> Ordering {
        self.id().cmp(other.id())
    }
}

impl serde::Serialize for Level {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl serde::Serialize for Division {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_name_the_level() {
        for d in Division::ALL {
            assert_eq!(Division::parse(d.id()), Some(d));
            assert_eq!(d.id().parse::<Division>(), Ok(d));
            assert!(d.id().starts_with(d.level().as_str()), "{d}");
        }
        for l in Level::ALL {
            assert_eq!(Level::parse(l.as_str()), Some(l));
        }
        assert_eq!(Division::IDS.len(), Division::ALL.len());
        assert_eq!(Division::parse("regso"), None);
        assert_eq!(Division::parse("RegSO-2020"), None);
        assert_eq!(Level::parse("regso-2020"), None);
        assert!("lan ".parse::<Division>().is_err());
    }

    #[test]
    fn the_lists_are_in_the_published_order() {
        assert_eq!(
            Division::IDS,
            [
                "riket",
                "lan",
                "kommun",
                "regso-2020",
                "regso-2025",
                "deso-2018",
                "deso-2025"
            ]
        );
        assert_eq!(Level::IDS, ["riket", "lan", "kommun", "regso", "deso"]);
    }

    #[test]
    fn divisions_sort_as_their_ids() {
        let mut ds = Division::ALL.to_vec();
        ds.sort();
        let mut ids = Division::IDS.to_vec();
        ids.sort();
        assert_eq!(ds.iter().map(|d| d.id()).collect::<Vec<_>>(), ids);
    }

    #[test]
    fn years_pick_the_version() {
        assert_eq!(Division::for_year(Level::Regso, 2023), Division::Regso2020);
        assert_eq!(Division::for_year(Level::Regso, 2024), Division::Regso2025);
        assert_eq!(Division::for_year(Level::Deso, 2011), Division::Deso2018);
        assert_eq!(Division::for_year(Level::Kommun, 2030), Division::Kommun);
        assert!(Division::Regso2020.serves(2023));
        assert!(!Division::Regso2020.serves(2024));
        assert!(Division::Deso2025.serves(2024));
        assert!(Division::Lan.serves(1990));
        assert_eq!(Division::Regso2020.years(), (None, Some(2023)));
        assert_eq!(Division::Deso2025.years(), (Some(2024), None));
        assert_eq!(Division::Kommun.years(), (None, None));
        for d in Division::ALL {
            let (from, to) = d.years();
            for y in [2011, 2023, 2024, 2030] {
                let inside = from.is_none_or(|f| y >= f) && to.is_none_or(|t| y <= t);
                assert_eq!(d.serves(y), inside, "{d} {y}");
            }
        }
    }

    #[test]
    fn versions_and_suffixes() {
        assert_eq!(
            Division::of_version(Level::Regso, 2025),
            Some(Division::Regso2025)
        );
        assert_eq!(
            Division::of_version(Level::Deso, 2018),
            Some(Division::Deso2018)
        );
        assert_eq!(Division::of_version(Level::Regso, 2018), None);
        assert_eq!(Division::of_version(Level::Kommun, 2025), None);
        assert_eq!(Division::of_plain_code(Level::Regso), Division::Regso2020);
        assert_eq!(
            Division::Regso2025.scb_code("0114R001"),
            "0114R001_RegSO2025"
        );
        assert_eq!(
            Division::Deso2025.scb_code("0114A0010"),
            "0114A0010_DeSO2025"
        );
        assert_eq!(Division::Regso2020.scb_code("0114R001"), "0114R001");
        assert_eq!(Division::Kommun.scb_code("0180"), "0180");
        for d in Division::ALL {
            if let Some(s) = d.scb_suffix() {
                let name = d.level().suffix_name().unwrap();
                assert_eq!(s, format!("_{name}{}", d.version().unwrap()));
            }
        }
    }

    #[test]
    fn children_nest_in_the_matching_version() {
        assert_eq!(Division::Regso2020.child(), Some(Division::Deso2018));
        assert_eq!(Division::Regso2025.child(), Some(Division::Deso2025));
        assert_eq!(Division::Kommun.child(), None);
        for d in Division::ALL {
            if let Some(c) = d.child() {
                assert_eq!(c.level(), Level::Deso);
                assert_eq!(c.serves(2023), d.serves(2023));
            }
        }
        for (from, to) in Division::CROSSWALKED {
            assert_eq!(from.level(), to.level());
            assert_eq!(to.version(), Some(2025));
        }
    }

    #[test]
    fn collections_and_wfs_layers() {
        assert_eq!(Division::Lan.collection_id(), Some("counties"));
        assert_eq!(Division::Riket.collection_id(), None);
        assert_eq!(
            Division::of_collection("municipalities"),
            Some(Division::Kommun)
        );
        assert_eq!(
            Division::of_collection("regso-2025"),
            Some(Division::Regso2025)
        );
        assert_eq!(Division::of_collection("kommun"), None);
        assert_eq!(Division::of_collection("riket"), None);
        for d in Division::COLLECTIONS {
            assert_eq!(Division::of_collection(d.collection_id().unwrap()), Some(d));
        }
        assert_eq!(
            Division::of_wfs_layer("RegSO_2020"),
            Some(Division::Regso2020)
        );
        assert_eq!(
            Division::Deso2025.wfs_layer(),
            Some(("DeSO_2025", "desokod"))
        );
        assert_eq!(Division::of_wfs_layer("Kommun"), None);
    }

    #[test]
    fn serialises_as_its_id() {
        assert_eq!(
            serde_json::to_string(&Division::Regso2020).unwrap(),
            "\"regso-2020\""
        );
    }
}
