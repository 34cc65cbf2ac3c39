//! The replay's values: synthetic, not SCB statistics. Every number is a pure function of the
//! seed, the table, the area's code without its version suffix, the year and the categories, so
//! the same seed gives the same values on every machine, and the 2020 and 2025 versions of a code
//! share their latent.
//!
//! The model: each RegSO has a latent deprivation score `z` (about mean 0, sd 1: its own draw,
//! a kommun effect and a slow trend over the years); a DeSO takes its RegSO's `z` plus a little
//! noise. Counts grow from a population by five-year age band and sex; kommun, län and riket
//! populations are the sums over their RegSO of the version that serves the year. Shares and
//! rates move with `z` through a logistic curve, so they stay in 0–100.

use std::collections::HashMap;

use super::regions::{Geography, Region, Version};
use crate::convert::{f64_from_u64, f64_from_usize, u32_saturating, u64_saturating};
use crate::domain::codes::Level;
use crate::domain::index::{classify, socioeconomic_index};
use crate::synthetic::rng::Rng;

/// Persons by five-year age band (`-4`, `5-9`, …, `80-`) and sex (men, women).
pub type Population = [[u32; 2]; 17];

/// The five-year age bands of TAB6574, in its order.
pub const AGE_BANDS: [&str; 17] = [
    "-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49", "50-54",
    "55-59", "60-64", "65-69", "70-74", "75-79", "80-",
];

/// Share of each band in a typical Swedish area (percent; the open band `80-` is wider).
const AGE_PROFILE: [f64; 17] = [
    5.6, 5.9, 6.0, 5.7, 5.8, 6.4, 6.9, 6.7, 6.4, 6.3, 6.6, 6.5, 6.0, 5.8, 5.5, 5.4, 9.6,
];

/// Tables whose cells are never suppressed: area types must exist for every RegSO, and SCB
/// publishes the population of every area.
const COMPLETE_TABLES: &[&str] = &["TAB6586", "TAB6574"];

/// Share of RegSO/DeSO cells of a served year that are suppressed (`..`).
pub const SUPPRESSED_SHARE: f64 = 0.01;

fn normal(seed: u64, key: &str) -> f64 {
    Rng::for_key(seed, key).normal()
}

fn uniform(seed: u64, key: &str) -> f64 {
    Rng::for_key(seed, key).uniform()
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// `x` rounded to `decimals` places.
pub fn round_to(x: f64, decimals: u32) -> f64 {
    let f = 10f64.powi(i32::try_from(decimals).unwrap_or(i32::MAX));
    (x * f).round() / f
}

fn municipality_effect(seed: u64, municipality: &str) -> f64 {
    0.35 * normal(seed, &format!("{}|{municipality}", Level::Kommun.as_str()))
}

/// The latent deprivation score of a RegSO (base code, no suffix) in a year.
pub fn regso_z(seed: u64, regso: &str, year: u16) -> f64 {
    let trend = 0.015 * normal(seed, &format!("trend|{regso}"));
    0.9 * normal(seed, &format!("latent|{regso}"))
        + municipality_effect(seed, &regso[..4])
        + trend * (f64::from(year) - 2018.0)
}

/// The latent score of any area: a DeSO's is its RegSO's plus noise; kommun, län and riket sit
/// near the middle.
pub fn area_z(seed: u64, region: &Region, year: u16) -> f64 {
    match region.level {
        Level::Regso => regso_z(seed, &region.base, year),
        Level::Deso => {
            let parent = region.regso.as_deref().unwrap_or(&region.base[..4]);
            let own = 0.3 * normal(seed, &format!("{}|{}", Level::Deso.as_str(), region.base));
            if parent.len() == 8 {
                regso_z(seed, parent, year) + own
            } else {
                municipality_effect(seed, parent) + own
            }
        }
        Level::Kommun => municipality_effect(seed, &region.base),
        Level::Lan => 0.15 * normal(seed, &format!("{}|{}", Level::Lan.as_str(), region.base)),
        Level::Riket => 0.0,
    }
}

/// The population of a RegSO (1,000–20,000) or DeSO (700–2,700) in a year. Younger when `z`
/// is high; a few more women among the old.
pub fn small_area_population(seed: u64, base: &str, level: Level, z: f64, year: u16) -> Population {
    let (median, spread, low, high) = match level {
        Level::Deso => (1500.0, 0.25, 700.0, 2700.0),
        _ => (2500.0, 0.6, 1000.0, 20000.0),
    };
    let mut rng = Rng::for_key(seed, &format!("size|{base}"));
    let size: f64 = median * (spread * rng.normal()).exp();
    let growth = 0.006 + 0.008 * rng.normal();
    let total = (size * (1.0 + growth).powf(f64::from(year) - 2020.0)).clamp(low, high);
    let weights: Vec<f64> = AGE_PROFILE
        .iter()
        .enumerate()
        .map(|(band, share)| {
            let tilt = if band <= 7 {
                0.08 * z
            } else if band >= 13 {
                -0.12 * z
            } else {
                0.0
            };
            share * (tilt + 0.1 * rng.normal()).exp()
        })
        .collect();
    let sum: f64 = weights.iter().sum();
    let mut population = [[0u32; 2]; 17];
    for (band, w) in weights.iter().enumerate() {
        let men_share =
            0.51 - 0.012 * f64_from_usize(band.saturating_sub(12)) + 0.005 * rng.normal();
        let persons = total * w / sum;
        population[band] = [
            u32_saturating((persons * men_share).round()),
            u32_saturating((persons * (1.0 - men_share)).round()),
        ];
    }
    population
}

fn add(into: &mut Population, other: &Population) {
    for (a, b) in into.iter_mut().zip(other) {
        a[0] += b[0];
        a[1] += b[1];
    }
}

/// Persons aged `lo..=hi` (a band partly inside counts in proportion), of one sex or both.
pub fn persons_aged(population: &Population, lo: u32, hi: u32, sex: Option<usize>) -> f64 {
    let mut sum = 0.0;
    for (band, counts) in (0u32..).zip(population.iter()) {
        let (from, to) = (band * 5, if band == 16 { 100 } else { band * 5 + 5 });
        let overlap = (hi + 1).min(to).saturating_sub(lo.max(from));
        if overlap == 0 {
            continue;
        }
        let n = match sex {
            Some(s) => f64::from(counts[s]),
            None => f64::from(counts[0] + counts[1]),
        };
        sum += n * f64::from(overlap) / f64::from(to - from);
    }
    sum
}

/// An age code as an inclusive range: `tot`, `totalt`, `-4`, `80-`, `65+`, `20-64`.
pub fn age_range(code: &str) -> Option<(u32, u32)> {
    match code {
        "tot" | "totalt" | "tot20-64" => Some(if code == "tot20-64" {
            (20, 64)
        } else {
            (0, 99)
        }),
        _ => {
            if let Some(lo) = code.strip_suffix('+').or_else(|| code.strip_suffix('-')) {
                return Some((lo.parse().ok()?, 99));
            }
            let (lo, hi) = code.split_once('-')?;
            let lo = if lo.is_empty() { 0 } else { lo.parse().ok()? };
            Some((lo, hi.parse().ok()?))
        }
    }
}

/// The sexes a `Kon` code covers.
fn sexes(code: &str) -> Option<&'static [usize]> {
    match code {
        "1" => Some(&[0]),
        "2" => Some(&[1]),
        "1+2" => Some(&[0, 1]),
        _ => None,
    }
}

/// `total` split by `weights` into whole numbers that add up to it exactly (largest remainder).
pub fn split(total: u64, weights: &[f64]) -> Vec<u64> {
    let sum: f64 = weights.iter().sum();
    if sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights
        .iter()
        .map(|w| f64_from_u64(total) * w / sum)
        .collect();
    let mut parts: Vec<u64> = exact.iter().map(|x| u64_saturating(x.floor())).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    let missing = total - parts.iter().sum::<u64>();
    for &i in order
        .iter()
        .take(usize::try_from(missing).unwrap_or(usize::MAX))
    {
        parts[i] += 1;
    }
    parts
}

/// The three index components of a RegSO in a year, percentages rounded to one decimal, rising
/// with `z`: low economic standard (V1), pre-upper-secondary education (V2), financial
/// assistance or long-term unemployment (V3).
pub fn index_components(seed: u64, regso: &str, z: f64, year: u16) -> [f64; 3] {
    let mut rng = Rng::for_key(seed, &format!("components|{regso}|{year}"));
    let mut component = |intercept: f64, slope: f64| {
        round_to(
            100.0 * logistic(intercept + slope * z + 0.15 * rng.normal()),
            1,
        )
    };
    [
        component(-2.0, 0.8),
        component(-1.9, 0.6),
        component(-2.95, 0.9),
    ]
}

/// The published index: the mean of the rounded components, to one decimal.
pub fn index_of(components: [f64; 3]) -> f64 {
    round_to(
        socioeconomic_index(components[0], components[1], components[2]),
        1,
    )
}

/// One area in one year of one table: what every cell of that row is computed from.
pub struct AreaYear<'a> {
    seed: u64,
    table: &'a str,
    pub region: &'a Region,
    pub year: u16,
    pub z: f64,
    pub population: Population,
    /// TAB6586's area type of a RegSO.
    pub area_type: Option<u8>,
}

impl AreaYear<'_> {
    fn noise(&self, what: &str) -> f64 {
        normal(
            self.seed,
            &format!("{}|{}|{}|{what}", self.table, self.region.base, self.year),
        )
    }

    fn unit(&self, what: &str) -> f64 {
        uniform(
            self.seed,
            &format!("{}|{}|{}|{what}", self.table, self.region.base, self.year),
        )
    }

    fn total(&self) -> f64 {
        persons_aged(&self.population, 0, 99, None)
    }
}

/// The seeded model with what must be computed over the whole country: the populations of
/// kommun, län and riket, and TAB6586's area types (typed over ALL RegSO of a version and year,
/// whatever a replay serves).
pub struct Model {
    pub seed: u64,
    aggregates: HashMap<(String, u16), Population>,
    area_types: HashMap<(Version, u16), HashMap<String, u8>>,
}

/// The years TAB6586 types areas in.
const INDEX_YEARS: std::ops::RangeInclusive<u16> = 2011..=2024;

impl Model {
    pub fn new(seed: u64, geography: &Geography, years: &[u16]) -> Model {
        let mut aggregates: HashMap<(String, u16), Population> = HashMap::new();
        for &year in years {
            let version = Version::of_year(year);
            for area in geography.regso(version) {
                let z = regso_z(seed, &area.code, year);
                let p = small_area_population(seed, &area.code, Level::Regso, z, year);
                for key in ["00", &area.code[..2], &area.code[..4]] {
                    add(
                        aggregates
                            .entry((key.to_owned(), year))
                            .or_insert([[0; 2]; 17]),
                        &p,
                    );
                }
            }
        }
        let mut area_types = HashMap::new();
        for version in [Version::V2020, Version::V2025] {
            for year in INDEX_YEARS.filter(|&y| version.serves(y)) {
                let areas = geography.regso(version);
                let indices: Vec<f64> = areas
                    .iter()
                    .map(|a| {
                        let z = regso_z(seed, &a.code, year);
                        index_of(index_components(seed, &a.code, z, year))
                    })
                    .collect();
                if let Some(types) = classify(&indices) {
                    let by_code = areas.iter().map(|a| a.code.clone()).zip(types).collect();
                    area_types.insert((version, year), by_code);
                }
            }
        }
        Model {
            seed,
            aggregates,
            area_types,
        }
    }

    /// Whether a cell of this area and year is suppressed or outside its division version.
    pub fn missing(&self, table: &str, region: &Region, year: u16) -> bool {
        if !region.serves(year) {
            return true;
        }
        matches!(region.level, Level::Regso | Level::Deso)
            && !COMPLETE_TABLES.contains(&table)
            && uniform(
                self.seed,
                &format!("suppressed|{table}|{}|{year}", region.base),
            ) < SUPPRESSED_SHARE
    }

    /// The row every cell of an area and year is computed from; `None` when its cells are `..`.
    pub fn area_year<'a>(
        &self,
        table: &'a str,
        region: &'a Region,
        year: u16,
    ) -> Option<AreaYear<'a>> {
        if self.missing(table, region, year) {
            return None;
        }
        let z = area_z(self.seed, region, year);
        let population = match region.level {
            Level::Regso | Level::Deso => {
                small_area_population(self.seed, &region.base, region.level, z, year)
            }
            _ => *self.aggregates.get(&(region.base.clone(), year))?,
        };
        let area_type = region.version.and_then(|v| {
            self.area_types
                .get(&(v, year))
                .and_then(|types| types.get(&region.base))
                .copied()
        });
        Some(AreaYear {
            seed: self.seed,
            table,
            region,
            year,
            z,
            population,
            area_type,
        })
    }

    /// One cell: `categories` holds (dimension, code) for every dimension but Region and Tid.
    pub fn value(&self, row: &AreaYear, categories: &[(&str, &str)]) -> Option<f64> {
        let get = |dim: &str| categories.iter().find(|(d, _)| *d == dim).map(|(_, c)| *c);
        let contents = get("ContentsCode").unwrap_or("");
        match row.table {
            "TAB6586" => socioeconomic(self.seed, row, contents),
            "TAB6574" => population_cell(row, get("Alder")?, get("Kon")?),
            "TAB6685" => economic_standard(row, get("Alder")?, contents),
            "TAB6680" => labour_market_cell(row, get("Kon")?, get("Alder")?, contents),
            "TAB6682" => employed_by_sector(row, get("ArbetsSektor")?, get("Kon")?),
            "TAB6683" => income_component(row, get("Inkomstkomponenter")?, get("Kon")?, contents),
            "TAB5750" => income_variables(row, get("Bakgrund")?, get("Kon")?, contents),
            "TAB6534" | "TAB5956" => {
                let hi = if row.table == "TAB6534" || row.year >= 2023 {
                    65
                } else {
                    64
                };
                let total = persons_aged(&row.population, 25, hi, None);
                parts_cell(row, get("UtbildningsNiva")?, EDUCATION, None, total)
            }
            "TAB6253" => parts_cell(
                row,
                get("Upplatelseform")?,
                TENURE_PERSONS,
                Some("TOTALT"),
                row.total(),
            ),
            "TAB6065" => parts_cell(
                row,
                get("Hustyp")?,
                BUILDING_PERSONS,
                Some("TOTALT"),
                row.total(),
            ),
            "TAB6568" => parts_cell(
                row,
                get("Hushallstyp")?,
                HOUSEHOLDS,
                Some("TOTALT"),
                row.total() / 2.1,
            ),
            "TAB6638" | "TAB6258" => parts_cell(
                row,
                get("Upplatelseform")?,
                DWELLINGS,
                None,
                row.total() / 2.0,
            ),
            _ => None,
        }
    }
}

/// TAB6586: the components, their mean, and the area type.
fn socioeconomic(seed: u64, row: &AreaYear, contents: &str) -> Option<f64> {
    let components = index_components(seed, &row.region.base, row.z, row.year);
    match contents {
        "000008IW" => Some(components[0]),
        "000008IV" => Some(components[1]),
        "000008IX" => Some(components[2]),
        "000008IT" => Some(index_of(components)),
        "000008IU" => row.area_type.map(f64::from),
        _ => None,
    }
}

/// TAB6574: persons by age band and sex; `totalt` and `1+2` are exact sums.
fn population_cell(row: &AreaYear, age: &str, sex: &str) -> Option<f64> {
    let bands: Vec<usize> = if age == "totalt" {
        (0..17).collect()
    } else {
        vec![AGE_BANDS.iter().position(|b| *b == age)?]
    };
    let sexes = sexes(sex)?;
    let n: u32 = bands
        .iter()
        .flat_map(|&b| sexes.iter().map(move |&s| row.population[b][s]))
        .sum();
    Some(f64::from(n))
}

/// TAB6685: at-risk-of-poverty rate (rises with `z`), high economic standard (falls with `z`),
/// their sum at most 100, and persons (97–99 % of the population of the ages).
fn economic_standard(row: &AreaYear, age: &str, contents: &str) -> Option<f64> {
    let (lo, hi) = age_range(age)?;
    let age_shift = match age {
        "0-19" => 0.25,
        "65+" | "66+" => 0.12,
        "tot" => 0.0,
        _ => -0.1,
    };
    let poverty = (100.0
        * logistic(-1.9 + 0.8 * row.z + age_shift + 0.1 * row.noise(&format!("AC{age}"))))
    .round();
    let high = (100.0
        * logistic(-1.3 - 0.7 * row.z - 0.5 * age_shift + 0.1 * row.noise(&format!("AD{age}"))))
    .round()
    .min(100.0 - poverty);
    match contents {
        "000008AC" => Some(poverty),
        "000008AD" => Some(high),
        "000008AE" => {
            let share = 0.97 + 0.02 * row.unit(&format!("AE{age}"));
            Some((persons_aged(&row.population, lo, hi, None) * share).round())
        }
        _ => None,
    }
}

/// Labour market status of one sex and age range: total, employed, unemployed.
fn labour_market(row: &AreaYear, sex: usize, age: &str) -> Option<(f64, f64, f64)> {
    let (lo, hi) = age_range(age)?;
    let total = persons_aged(&row.population, lo, hi, Some(sex)).round();
    let edges = if lo < 20 || hi > 66 { -0.45 } else { 0.0 };
    let sex_shift = if sex == 0 { 0.12 } else { -0.05 };
    let employment = logistic(
        1.55 - 0.55 * row.z + sex_shift + edges + 0.08 * row.noise(&format!("e{sex}{age}")),
    );
    let unemployment = logistic(-2.9 + 0.6 * row.z + 0.1 * row.noise(&format!("u{sex}{age}")));
    let employed = (total * employment).round();
    let unemployed = (employed * unemployment / (1.0 - unemployment))
        .round()
        .min(total - employed);
    Some((total, employed, unemployed))
}

/// TAB6680: `0000089V` = employed + unemployed, `0000089Z` = total − labour force, exactly.
fn labour_market_cell(row: &AreaYear, sex: &str, age: &str, contents: &str) -> Option<f64> {
    let (mut total, mut employed, mut unemployed) = (0.0, 0.0, 0.0);
    for &s in sexes(sex)? {
        let (t, e, u) = labour_market(row, s, age)?;
        total += t;
        employed += e;
        unemployed += u;
    }
    match contents {
        "0000089Y" => Some(total),
        "0000089X" => Some(employed),
        "0000089W" => Some(unemployed),
        "0000089V" => Some(employed + unemployed),
        "0000089Z" => Some(total - employed - unemployed),
        _ => None,
    }
}

/// TAB6682: the employed 15–74 of TAB6680 by sector; business and government within all.
fn employed_by_sector(row: &AreaYear, sector: &str, sex: &str) -> Option<f64> {
    let mut sum = 0.0;
    for &s in sexes(sex)? {
        let (_, employed, _) = labour_market(row, s, "15-74")?;
        let business_share = logistic(
            0.85 + if s == 0 { 0.5 } else { -0.45 } + 0.1 * row.noise(&format!("sector{s}")),
        );
        let business = (employed * business_share).round();
        sum += match sector {
            "010" => employed,
            "030" => business,
            "550" => ((employed - business) * 0.97).round(),
            _ => return None,
        };
    }
    Some(sum)
}

/// TAB6683 components: (code, share with income %, its slope in `z`, mean in SEK thousands, the
/// mean's log-slope in `z`).
const INCOME_COMPONENTS: &[(&str, f64, f64, f64, f64)] = &[
    ("10", 78.0, -6.0, 330.0, -0.18),
    ("30", 8.0, -1.0, 60.0, -0.1),
    ("230", 55.0, -10.0, 25.0, -0.5),
    ("70", 27.0, -3.0, 190.0, -0.1),
    ("80", 4.0, 1.2, 120.0, 0.0),
    ("90", 5.0, 1.0, 45.0, 0.0),
    ("100", 9.0, 0.5, 55.0, -0.05),
    ("110", 3.0, 2.0, 70.0, 0.0),
    ("120", 12.0, 2.0, 25.0, 0.0),
    ("140", 28.0, 3.0, 20.0, 0.05),
    ("150", 7.0, 1.0, 35.0, 0.0),
    ("160", 3.0, 3.0, 18.0, 0.0),
    ("170", 3.0, 3.5, 40.0, 0.05),
    ("180", 10.0, 2.0, 10.0, 0.0),
    ("200", 97.0, 0.0, -110.0, -0.2),
    ("350", 20.0, 0.0, -8.0, 0.0),
    ("240", 100.0, 0.0, 280.0, -0.15),
];

/// TAB6683 of one sex: (persons 20+, persons with income, mean SEK thousands).
fn income_of(row: &AreaYear, component: &str, sex: usize) -> Option<(f64, f64, f64)> {
    let &(_, share, share_slope, mean, mean_slope) =
        INCOME_COMPONENTS.iter().find(|c| c.0 == component)?;
    let adults = persons_aged(&row.population, 20, 99, Some(sex)).round();
    let share = if share >= 100.0 {
        100.0
    } else {
        (share + share_slope * row.z + 1.5 * row.noise(&format!("share{component}{sex}")))
            .clamp(0.0, 100.0)
            .round()
    };
    let sex_factor = match (component, sex) {
        ("10" | "240" | "200", 0) => 1.12,
        ("10" | "240" | "200", _) => 0.88,
        _ => 1.0,
    };
    let mean = mean
        * (mean_slope * row.z + 0.03 * row.noise(&format!("mean{component}{sex}"))).exp()
        * 1.012f64.powf(f64::from(row.year) - 2011.0)
        * sex_factor;
    Some((adults, (adults * share / 100.0).round(), round_to(mean, 1)))
}

fn income_component(row: &AreaYear, component: &str, sex: &str, contents: &str) -> Option<f64> {
    let (mut adults, mut with_income, mut amount) = (0.0, 0.0, 0.0);
    for &s in sexes(sex)? {
        let (a, w, m) = income_of(row, component, s)?;
        adults += a;
        with_income += w;
        amount += w * m;
    }
    match contents {
        "000008A3" => Some(with_income),
        "000008A2" => Some(if adults > 0.0 {
            (100.0 * with_income / adults).round()
        } else {
            0.0
        }),
        "000008A4" => Some(if with_income > 0.0 {
            round_to(amount / with_income, 1)
        } else {
            0.0
        }),
        _ => None,
    }
}

/// TAB5750 background groups: (code, share of persons %, its log-slope in `z`, income factor,
/// income-support shift).
const BACKGROUNDS: &[(&str, f64, f64, f64, f64)] = &[
    ("tot20-64", 100.0, 0.0, 1.0, 0.0),
    ("20-24", 9.0, 0.1, 0.55, 0.3),
    ("25-34", 22.0, 0.1, 0.85, 0.2),
    ("35-44", 21.0, 0.0, 1.05, 0.0),
    ("45-54", 23.0, -0.05, 1.15, -0.1),
    ("55-64", 22.0, -0.1, 1.1, -0.2),
    ("000", 100.0, 0.0, 1.0, 0.0),
    ("F", 10.0, 0.4, 0.75, 0.7),
    ("3", 43.0, 0.0, 0.95, 0.0),
    ("EU", 43.0, -0.35, 1.2, -0.6),
    ("US", 2.0, 0.4, 0.7, 0.8),
    ("TOT", 100.0, 0.0, 1.0, 0.0),
    ("SE", 78.0, -0.15, 1.05, -0.3),
    ("NEXS", 2.0, 0.0, 0.95, 0.0),
    ("EUEESXN", 5.0, 0.1, 0.9, 0.1),
    ("VXEUEES", 15.0, 0.6, 0.7, 1.3),
    ("030", 20.0, 0.45, 0.75, 1.0),
    ("SAMUTF", 20.0, 0.45, 0.75, 1.0),
    ("010", 6.0, 0.7, 0.55, 1.8),
    ("020", 14.0, 0.35, 0.85, 0.6),
    ("INTTOT", 22.0, 0.45, 0.75, 1.0),
    ("INT010", 1.0, 0.6, 0.45, 1.5),
    ("INT020", 1.5, 0.6, 0.55, 1.2),
    ("INT030", 4.0, 0.5, 0.65, 1.0),
    ("INT040", 15.0, 0.4, 0.8, 0.8),
];

/// TAB5750: shares in percent (0–100), incomes in price base amounts, one decimal.
fn income_variables(row: &AreaYear, background: &str, sex: &str, contents: &str) -> Option<f64> {
    let &(_, share, share_slope, income_factor, support_shift) =
        BACKGROUNDS.iter().find(|b| b.0 == background)?;
    let sex_factor = match sex {
        "1" => 1.08,
        "2" => 0.92,
        "1+2" => 1.0,
        _ => return None,
    };
    let z = row.z;
    let key = format!("{background}{sex}");
    let average = 5.0
        * (-0.18 * z + 0.03 * row.noise(&format!("inc{key}"))).exp()
        * 1.012f64.powf(f64::from(row.year) - 2007.0)
        * income_factor
        * sex_factor;
    let support = 100.0 * logistic(-3.4 + 0.8 * z + support_shift + 0.1 * row.noise(&key));
    let foothold = 100.0 * logistic(-6.0 + 0.5 * z + 0.5 * support_shift);
    let introduction = 100.0 * logistic(-3.8 + 0.4 * z + 0.5 * support_shift);
    let value = match contents {
        "000004X2" if share >= 100.0 => 100.0,
        "000004X2" => (share * (share_slope * z + 0.05 * row.noise(&format!("share{key}"))).exp())
            .clamp(0.0, 100.0),
        "000004X3" => average,
        "000004X4" => average * 0.9,
        "000004X5" => support,
        "000004X6" => (100.0 - support - foothold - introduction).max(0.0),
        "000004X7" => foothold,
        _ => return None,
    };
    Some(round_to(value, 1))
}

/// A split of a total: (code, weight, the weight's log-slope in `z`).
type Parts = &'static [(&'static str, f64, f64)];

const EDUCATION: Parts = &[
    ("21", 0.11, 0.45),
    ("3+4", 0.41, 0.0),
    ("5", 0.15, -0.15),
    ("6", 0.30, -0.45),
    ("US", 0.02, 0.35),
];
const TENURE_PERSONS: Parts = &[
    ("ÄG/ANDEL", 0.42, -0.6),
    ("BOSTADSRÄTT", 0.25, 0.0),
    ("HYRESRÄTT", 0.30, 0.6),
    ("ÖVRIGT", 0.03, 0.0),
];
const BUILDING_PERSONS: Parts = &[
    ("SMÅHUS", 0.45, -0.6),
    ("FLERBOST", 0.50, 0.4),
    ("ÖVRHUS", 0.012, 0.0),
    ("SPEC", 0.015, 0.0),
    ("OKÄND", 0.005, 0.0),
];
const HOUSEHOLDS: Parts = &[
    ("SBMB", 0.21, -0.1),
    ("SBUB", 0.25, -0.2),
    ("ESMB", 0.06, 0.4),
    ("ESUB", 0.40, 0.1),
    ("OVRIGA", 0.08, 0.3),
];
const DWELLINGS: Parts = &[
    ("1", 0.38, 0.6),
    ("2", 0.24, 0.0),
    ("3", 0.37, -0.6),
    ("ÖVRIGT", 0.01, 0.0),
];

/// One part of `total` split as `parts` weigh it; `total_code` is the exact sum.
fn parts_cell(
    row: &AreaYear,
    code: &str,
    parts: Parts,
    total_code: Option<&str>,
    total: f64,
) -> Option<f64> {
    let total = u64_saturating(total.round().max(0.0));
    if Some(code) == total_code {
        return Some(f64_from_u64(total));
    }
    let position = parts.iter().position(|p| p.0 == code)?;
    let weights: Vec<f64> = parts
        .iter()
        .map(|&(c, w, slope)| w * (slope * row.z + 0.08 * row.noise(c)).exp())
        .collect();
    Some(f64_from_u64(split(total, &weights)[position]))
}

#[cfg(test)]
#[allow(
    clippy::as_conversions,
    reason = "test arithmetic on small known values"
)]
mod tests {
    use super::super::regions::tests::geography;
    use super::super::regions::Restriction;
    use super::*;

    fn model(seed: u64) -> (Geography, Model) {
        let g = geography();
        let m = Model::new(seed, &g, &(2010..=2025).collect::<Vec<_>>());
        (g, m)
    }

    fn regions(g: &Geography, list: &str) -> Vec<Region> {
        g.code_list(list, &Restriction::default()).unwrap()
    }

    fn cell(m: &Model, table: &str, r: &Region, year: u16, cats: &[(&str, &str)]) -> Option<f64> {
        m.value(&m.area_year(table, r, year)?, cats)
    }

    /// TAB6574's cell of an area's whole population.
    const TOTAL: [(&str, &str); 3] = [
        ("Alder", "totalt"),
        ("Kon", "1+2"),
        ("ContentsCode", "000007Y7"),
    ];

    #[test]
    fn split_adds_up_exactly() {
        let parts = split(1003, &[0.2, 0.3, 0.5, 0.0]);
        assert_eq!(parts.iter().sum::<u64>(), 1003);
        assert_eq!(parts[3], 0);
        assert_eq!(split(7, &[1.0, 1.0, 1.0]), [3, 2, 2]);
    }

    #[test]
    fn age_codes_parse_as_ranges() {
        assert_eq!(age_range("-4"), Some((0, 4)));
        assert_eq!(age_range("80-"), Some((80, 99)));
        assert_eq!(age_range("65+"), Some((65, 99)));
        assert_eq!(age_range("20-64"), Some((20, 64)));
        assert_eq!(age_range("tot"), Some((0, 99)));
        assert_eq!(age_range("x"), None);
        let mut p = [[0u32; 2]; 17];
        p[13] = [50, 50]; // 65-69
        assert_eq!(persons_aged(&p, 20, 65, None), 20.0);
        assert_eq!(persons_aged(&p, 66, 99, Some(0)), 40.0);
    }

    #[test]
    fn socioeconomic_index_is_the_mean_and_types_follow_classify_over_all_regso() {
        let (g, m) = model(1);
        let all = regions(&g, "vs_RegSO2020");
        let year = 2019;
        let mut indices = Vec::new();
        let mut types = Vec::new();
        for r in &all {
            let get = |c| cell(&m, "TAB6586", r, year, &[("ContentsCode", c)]).unwrap();
            let (v1, v2, v3, index) = (
                get("000008IW"),
                get("000008IV"),
                get("000008IX"),
                get("000008IT"),
            );
            for v in [v1, v2, v3] {
                assert!((0.0..=100.0).contains(&v) && round_to(v, 1) == v, "{v}");
            }
            assert_eq!(index, round_to((v1 + v2 + v3) / 3.0, 1));
            indices.push(index);
            types.push(get("000008IU") as u8);
        }
        assert_eq!(classify(&indices).unwrap(), types);
        assert!((1..=5).all(|t| types.contains(&t)), "every type occurs");
        // Components rise with z: the mean index of type 1 is above that of type 5.
        let mean_of = |t: u8| {
            let v: Vec<f64> = indices
                .iter()
                .zip(&types)
                .filter(|p| *p.1 == t)
                .map(|p| *p.0)
                .collect();
            v.iter().sum::<f64>() / v.len() as f64
        };
        assert!(mean_of(1) > mean_of(5) + 10.0);
        // Complete: no suppressed RegSO in served years; none at all in 2024 for 2020 codes.
        assert!(all.iter().all(|r| !m.missing("TAB6586", r, 2023)));
        assert!(all.iter().all(|r| m.missing("TAB6586", r, 2024)));
    }

    #[test]
    fn types_do_not_depend_on_the_restriction() {
        let (g, m) = model(1);
        let only = g
            .table_regions(
                &["vs_RegSO2025".into()],
                &Restriction::new(&["0180".into()]),
            )
            .unwrap();
        let national = regions(&g, "vs_RegSO2025");
        for r in &only {
            let same = national.iter().find(|n| n.code == r.code).unwrap();
            let t = |r| cell(&m, "TAB6586", r, 2024, &[("ContentsCode", "000008IU")]);
            assert!(t(r).is_some());
            assert_eq!(t(r), t(same));
        }
    }

    #[test]
    fn mismatched_versions_are_missing_and_about_one_percent_suppressed() {
        let (g, m) = model(1);
        let r20 = &regions(&g, "vs_RegSO2020")[0];
        let r25 = &regions(&g, "vs_RegSO2025")[0];
        let d25 = &regions(&g, "vs_DeSO2025")[0];
        assert_eq!(cell(&m, "TAB6574", r20, 2024, &TOTAL), None);
        assert_eq!(cell(&m, "TAB6574", r25, 2023, &TOTAL), None);
        assert_eq!(cell(&m, "TAB6574", d25, 2020, &TOTAL), None);
        let kommun = &regions(&g, "vs_CRegionKommun07")[0];
        assert!(cell(&m, "TAB6574", kommun, 2010, &TOTAL).is_some());
        assert!(cell(&m, "TAB6574", kommun, 2025, &TOTAL).is_some());
        let deso = regions(&g, "vs_DeSO2018");
        let suppressed = deso
            .iter()
            .filter(|r| m.missing("TAB6685", r, 2020))
            .count();
        assert!(
            deso.iter().all(|r| !m.missing("TAB6574", r, 2020)),
            "population is complete"
        );
        let share = suppressed as f64 / deso.len() as f64;
        assert!((0.005..0.02).contains(&share), "{share}");
        // The 2020 and 2025 versions of a code share the latent.
        assert_eq!(
            area_z(1, r20, 2022),
            area_z(
                1,
                &Region {
                    version: Some(Version::V2025),
                    ..r20.clone()
                },
                2022
            )
        );
    }

    #[test]
    fn population_bands_and_sexes_add_up_and_levels_sum() {
        let (g, m) = model(1);
        let kommun = regions(&g, "vs_CRegionKommun07")
            .into_iter()
            .find(|r| r.base == "0180")
            .unwrap();
        let year = 2021;
        let get = |r: &Region, age, sex| {
            let row = m.area_year("TAB6574", r, year).unwrap();
            m.value(
                &row,
                &[("Alder", age), ("Kon", sex), ("ContentsCode", "000007Y7")],
            )
            .unwrap()
        };
        for sex in ["1", "2", "1+2"] {
            let bands: f64 = AGE_BANDS.iter().map(|b| get(&kommun, b, sex)).sum();
            assert_eq!(bands, get(&kommun, "totalt", sex));
        }
        assert_eq!(
            get(&kommun, "30-34", "1") + get(&kommun, "30-34", "2"),
            get(&kommun, "30-34", "1+2")
        );
        // The kommun is the sum over its RegSO 2020 (the version serving 2021), suppressed or not.
        let sum: u32 = g
            .regso(Version::V2020)
            .iter()
            .filter(|a| a.code.starts_with("0180"))
            .map(|a| {
                let p = small_area_population(
                    1,
                    &a.code,
                    Level::Regso,
                    regso_z(1, &a.code, year),
                    year,
                );
                p.iter().map(|b| b[0] + b[1]).sum::<u32>()
            })
            .sum();
        assert_eq!(get(&kommun, "totalt", "1+2"), f64::from(sum));
        let riket = &regions(&g, "vs_ARegionRiket")[0];
        let riket_total = get(riket, "totalt", "1+2");
        assert!((9.0e6..1.2e7).contains(&riket_total), "{riket_total}");
        // Each small area's total within its level's bounds.
        for (list, year, bounds) in [
            ("vs_RegSO2020", year, 990.0..=20_010.0),
            ("vs_DeSO2025", 2025, 690.0..=2_710.0),
        ] {
            for r in regions(&g, list).iter().take(300) {
                let Some(row) = m.area_year("TAB6574", r, year) else {
                    continue;
                };
                let n = m.value(&row, &TOTAL).unwrap();
                assert!(bounds.contains(&n), "{list} {n}");
            }
        }
    }

    #[test]
    fn economic_standard_and_labour_market_are_consistent() {
        let (g, m) = model(3);
        let mut low = Vec::new();
        for r in regions(&g, "vs_RegSO2020").iter().take(400) {
            let Some(row) = m.area_year("TAB6685", r, 2022) else {
                continue;
            };
            let population = persons_aged(&row.population, 0, 99, None);
            let v = |age, c| {
                m.value(&row, &[("Alder", age), ("ContentsCode", c)])
                    .unwrap()
            };
            for age in ["tot", "0-19", "20-64", "20-65", "65+", "66+"] {
                let (ac, ad) = (v(age, "000008AC"), v(age, "000008AD"));
                assert!(ac >= 0.0 && ad >= 0.0 && ac + ad <= 100.0 && ac.fract() == 0.0);
            }
            let persons = v("tot", "000008AE");
            assert!(persons >= 0.969 * population && persons <= 0.991 * population);
            low.push((row.z, v("tot", "000008AC")));
            let Some(row) = m.area_year("TAB6680", r, 2022) else {
                continue;
            };
            for sex in ["1", "2", "1+2"] {
                let l = |c| {
                    m.value(
                        &row,
                        &[("Kon", sex), ("Alder", "20-64"), ("ContentsCode", c)],
                    )
                    .unwrap()
                };
                let (x, w, v, zz, y) = (
                    l("0000089X"),
                    l("0000089W"),
                    l("0000089V"),
                    l("0000089Z"),
                    l("0000089Y"),
                );
                assert_eq!(v, x + w);
                assert_eq!(zz, y - v);
                assert!(zz >= 0.0 && w >= 0.0);
            }
        }
        // At-risk-of-poverty rises with z.
        low.sort_by(|a, b| a.0.total_cmp(&b.0));
        let n = low.len() / 4;
        let mean = |s: &[(f64, f64)]| s.iter().map(|p| p.1).sum::<f64>() / s.len() as f64;
        assert!(mean(&low[low.len() - n..]) > mean(&low[..n]) + 5.0);
    }

    #[test]
    fn totals_are_sums_and_percentages_in_range() {
        let (g, m) = model(1);
        let kommun = regions(&g, "vs_CRegionKommun07");
        for r in kommun.iter().take(20) {
            let row = m.area_year("TAB6253", r, 2020).unwrap();
            let v = |c| {
                m.value(&row, &[("Upplatelseform", c), ("ContentsCode", "000007DQ")])
                    .unwrap()
            };
            let parts: f64 = ["ÄG/ANDEL", "BOSTADSRÄTT", "HYRESRÄTT", "ÖVRIGT"]
                .iter()
                .map(|c| v(c))
                .sum();
            assert_eq!(parts, v("TOTALT"));
            let row = m.area_year("TAB6568", r, 2020).unwrap();
            let h = |c| {
                m.value(&row, &[("Hushallstyp", c), ("ContentsCode", "000007Y1")])
                    .unwrap()
            };
            let parts: f64 = ["SBMB", "SBUB", "ESMB", "ESUB", "OVRIGA"]
                .iter()
                .map(|c| h(c))
                .sum();
            assert_eq!(parts, h("TOTALT"));
            let row = m.area_year("TAB5750", r, 2020).unwrap();
            for (b, ..) in BACKGROUNDS {
                for c in ["000004X2", "000004X5", "000004X6", "000004X7"] {
                    let p = m
                        .value(
                            &row,
                            &[("Kon", "1+2"), ("Bakgrund", b), ("ContentsCode", c)],
                        )
                        .unwrap();
                    assert!(
                        (0.0..=100.0).contains(&p) && round_to(p, 1) == p,
                        "{b} {c} {p}"
                    );
                }
            }
            let row = m.area_year("TAB6683", r, 2020).unwrap();
            for (c, ..) in INCOME_COMPONENTS {
                let s = m
                    .value(
                        &row,
                        &[
                            ("Inkomstkomponenter", c),
                            ("Kon", "1+2"),
                            ("ContentsCode", "000008A2"),
                        ],
                    )
                    .unwrap();
                assert!((0.0..=100.0).contains(&s));
            }
        }
    }

    #[test]
    fn same_seed_same_values_other_seed_other_values() {
        let (g, m1) = model(1);
        let m1b = Model::new(1, &g, &[2020]);
        let m2 = Model::new(2, &g, &[2020]);
        let r = &regions(&g, "vs_RegSO2020")[5];
        let a = cell(&m1, "TAB6574", r, 2020, &TOTAL);
        assert!(a.is_some());
        assert_eq!(a, cell(&m1b, "TAB6574", r, 2020, &TOTAL));
        assert_ne!(a, cell(&m2, "TAB6574", r, 2020, &TOTAL));
    }
}
