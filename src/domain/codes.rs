//! SCB's area codes. Levels follow from the pattern; SCB's statistics database writes 2025
//! division codes with a suffix (`0114R001_RegSO2025`), which is accepted and understood.

pub use super::geography::{Division, Level};

/// A code as read from a source: the plain code, its level, and the division version a suffix
/// named, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AreaCode {
    pub code: String,
    pub level: Level,
    pub version: Option<u16>,
}

impl AreaCode {
    /// The municipality (kommun) the area lies in, for RegSO, DeSO and kommun codes.
    pub fn municipality(&self) -> Option<&str> {
        (self.code.len() >= 4).then(|| &self.code[..4])
    }

    /// The county (län), for every level below riket.
    pub fn county(&self) -> Option<&str> {
        (self.level != Level::Riket).then(|| &self.code[..2])
    }
}

fn digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// The level a plain code has, from its pattern alone.
pub fn level_of(code: &str) -> Option<Level> {
    // Byte positions below are character positions only for ASCII; anything else is no code.
    if !code.is_ascii() {
        return None;
    }
    let b = code.as_bytes();
    match b.len() {
        2 if digits(code) && code == "00" => Some(Level::Riket),
        2 if digits(code) => Some(Level::Lan),
        4 if digits(code) => Some(Level::Kommun),
        8 if digits(&code[..4]) && b[4] == b'R' && digits(&code[5..]) => Some(Level::Regso),
        9 if digits(&code[..4]) && matches!(b[4], b'A' | b'B' | b'C') && digits(&code[5..]) => {
            Some(Level::Deso)
        }
        _ => None,
    }
}

/// Parses `0180`, `0180R036`, `0114A0010`, `0114R001_RegSO2025`, `0114A0010_DeSO2025`.
pub fn parse(raw: &str) -> Result<AreaCode, String> {
    let raw = raw.trim();
    let (code, suffix) = match raw.split_once('_') {
        Some((c, s)) => (c, Some(s)),
        None => (raw, None),
    };
    let level = level_of(code).ok_or_else(|| {
        format!(
            "{raw:?} is not an SCB area code (00, 2-digit län, 4-digit kommun, 0180R036 RegSO, 0114A0010 DeSO)"
        )
    })?;
    let version = match suffix {
        None => None,
        Some(s) => {
            let (name, year) = s.split_at(s.find(|c: char| c.is_ascii_digit()).unwrap_or(s.len()));
            let Some(expected) = level.suffix_name() else {
                return Err(format!(
                    "{raw:?}: only RegSO and DeSO codes take a version suffix"
                ));
            };
            match (name == expected, year.parse::<u16>()) {
                (true, Ok(y)) if (2000..=2100).contains(&y) => Some(y),
                _ => {
                    return Err(format!(
                        "{raw:?}: the suffix must be _{expected}<year>, e.g. _{expected}2025"
                    ))
                }
            }
        }
    };
    Ok(AreaCode {
        code: code.to_owned(),
        level,
        version,
    })
}

/// The division a RegSO or DeSO code read from a statistics table stands for in a reference
/// year, or `None` when the code's version does not serve that year.
///
/// The rule (DESIGN.md §1): SCB writes 2025-version codes with a suffix (`0114R001_RegSO2025`)
/// and earlier versions plain (`0114R001`). A suffixed code serves the years of its version
/// (2025: from 2024); a plain RegSO or DeSO code is the 2020 / 2018 version, which serves years
/// up to 2023. A cell outside its version's years (SCB's tables hold both code lists over all
/// years, the cells that do not apply being `..`) is never stored under another version.
/// Riket, län and kommun codes have one version and serve every year.
pub fn division_serving_year(code: &AreaCode, year: i32) -> Option<Division> {
    let division = match code.version {
        Some(v) => Division::of_version(code.level, v)?,
        None => Division::of_plain_code(code.level),
    };
    division.serves(year).then_some(division)
}

/// The division a code's own suffix names (`0114R001_RegSO2025` → `regso-2025`), `None` for a
/// plain code.
pub fn division_of_suffix(code: &AreaCode) -> Option<Division> {
    code.version
        .and_then(|v| Division::of_version(code.level, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_serves_only_its_versions_years() {
        let at =
            |raw: &str, year| division_serving_year(&parse(raw).unwrap(), year).map(Division::id);
        assert_eq!(at("0114R001", 2011), Some("regso-2020"));
        assert_eq!(at("0114R001", 2023), Some("regso-2020"));
        assert_eq!(
            at("0114R001", 2024),
            None,
            "a plain code from 2024 is the old version"
        );
        assert_eq!(at("0114R001_RegSO2025", 2023), None);
        assert_eq!(at("0114R001_RegSO2025", 2024), Some("regso-2025"));
        assert_eq!(at("0114A0010", 2024), None);
        assert_eq!(at("0114A0010_DeSO2025", 2025), Some("deso-2025"));
        assert_eq!(at("0114A0010_DeSO2018", 2018), Some("deso-2018"));
        assert_eq!(at("0114A0010_DeSO2018", 2024), None);
        assert_eq!(at("0114R001_RegSO2020", 2024), None);
        assert_eq!(at("0114", 2011), Some("kommun"));
        assert_eq!(at("01", 2024), Some("lan"));
        assert_eq!(at("00", 2030), Some("riket"));
    }

    #[test]
    fn levels_follow_the_pattern() {
        assert_eq!(level_of("00"), Some(Level::Riket));
        assert_eq!(level_of("01"), Some(Level::Lan));
        assert_eq!(level_of("0180"), Some(Level::Kommun));
        assert_eq!(level_of("0180R036"), Some(Level::Regso));
        assert_eq!(level_of("0114A0010"), Some(Level::Deso));
        for bad in [
            "",
            "1",
            "018",
            "0180R36",
            "0180X036",
            "0114D0010",
            "018OR036",
            "0180r036",
        ] {
            assert_eq!(level_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn suffixed_codes_are_understood() {
        let c = parse("0114R001_RegSO2025").unwrap();
        assert_eq!(
            (c.code.as_str(), c.level, c.version),
            ("0114R001", Level::Regso, Some(2025))
        );
        assert_eq!(c.municipality(), Some("0114"));
        assert_eq!(c.county(), Some("01"));
        let d = parse(" 0114A0010_DeSO2025 ").unwrap();
        assert_eq!((d.level, d.version), (Level::Deso, Some(2025)));
        assert_eq!(parse("0180").unwrap().version, None);
        assert!(parse("0114R001_DeSO2025").is_err());
        assert!(parse("0180_RegSO2025").is_err());
        assert!(parse("0114R001_RegSO").is_err());
        assert!(parse("Husby").is_err());
    }
}
