//! Synthetic statistics: every RegSO gets a latent level of socio-economic challenge (a kommun
//! effect plus its own), drifting a little each year; every indicator is a noisy function of
//! it, so the numbers correlate as real ones do and the index spreads into five area types.

use std::collections::BTreeMap;

use super::rng::Rng;

pub const FIRST_YEAR: i16 = 2011;
pub const LAST_YEAR: i16 = 2024;

/// Which table an indicator is published in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    /// The three components of the socio-economic index (SCB's TAB6586 shape).
    Components,
    /// One value per area and year.
    Total,
    /// Split by sex (Kon 1, 2, 1+2).
    BySex,
}

pub struct Spec {
    pub id: &'static str,
    pub theme: &'static str,
    pub name_sv: &'static str,
    pub name_en: &'static str,
    pub unit: &'static str,
    pub age_band: Option<&'static str>,
    pub decimals: i16,
    pub table: Table,
    /// value = base + slope · challenge + noise · N(0,1), clamped to [min, max].
    pub base: f64,
    pub slope: f64,
    pub noise: f64,
    pub min: f64,
    pub max: f64,
    /// Only in general-election years (2014, 2018, 2022).
    pub elections_only: bool,
}

const fn spec(
    id: &'static str,
    theme: &'static str,
    (name_sv, name_en): (&'static str, &'static str),
    unit: &'static str,
    age_band: Option<&'static str>,
    table: Table,
    (base, slope, noise): (f64, f64, f64),
) -> Spec {
    Spec {
        id,
        theme,
        name_sv,
        name_en,
        unit,
        age_band,
        decimals: if matches!(unit.as_bytes(), b"count" | b"sek") {
            0
        } else {
            1
        },
        table,
        base,
        slope,
        noise,
        min: 0.0,
        max: if matches!(unit.as_bytes(), b"percent") {
            100.0
        } else {
            f64::MAX
        },
        elections_only: false,
    }
}

/// The synthetic catalogue: modelled on Segregationsbarometern's indicators.
pub fn specs() -> Vec<Spec> {
    use Table::*;
    let mut v = vec![
        spec(
            "population",
            "population",
            ("Folkmängd", "Population"),
            "count",
            None,
            BySex,
            (0.0, 0.0, 0.0),
        ),
        spec(
            "persons_lowest_income_quintile",
            "economy",
            (
                "Personer i lägsta inkomstkvintilen",
                "People in the lowest income quintile",
            ),
            "count",
            None,
            Total,
            (0.0, 0.0, 0.0),
        ),
        spec(
            "persons_highest_income_quintile",
            "economy",
            (
                "Personer i högsta inkomstkvintilen",
                "People in the highest income quintile",
            ),
            "count",
            None,
            Total,
            (0.0, 0.0, 0.0),
        ),
        spec(
            "low_economic_standard",
            "economy",
            (
                "Andel med låg ekonomisk standard",
                "Share with low economic standard",
            ),
            "percent",
            None,
            Components,
            (13.0, 7.0, 1.5),
        ),
        spec(
            "low_education",
            "education",
            (
                "Andel med förgymnasial utbildning",
                "Share with compulsory schooling only",
            ),
            "percent",
            Some("20-64"),
            Components,
            (11.0, 5.0, 1.2),
        ),
        spec(
            "long_term_dependency",
            "work",
            (
                "Andel med långvarigt ekonomiskt bistånd eller arbetslöshet",
                "Share with long-term social assistance or unemployment",
            ),
            "percent",
            Some("20-64"),
            Components,
            (6.0, 4.5, 1.0),
        ),
        spec(
            "employment_rate",
            "work",
            ("Andel förvärvsarbetande", "Share gainfully employed"),
            "percent",
            Some("20-64"),
            BySex,
            (80.0, -8.0, 2.0),
        ),
        spec(
            "unemployment_rate",
            "work",
            ("Andel arbetslösa", "Share unemployed"),
            "percent",
            Some("20-64"),
            Total,
            (5.0, 3.5, 1.0),
        ),
        spec(
            "economic_assistance",
            "economy",
            (
                "Andel med ekonomiskt bistånd",
                "Share receiving social assistance",
            ),
            "percent",
            None,
            Total,
            (3.0, 3.5, 0.8),
        ),
        spec(
            "median_disposable_income",
            "economy",
            (
                "Medianinkomst, disponibel inkomst per konsumtionsenhet",
                "Median disposable income per consumption unit",
            ),
            "sek",
            Some("20+"),
            Total,
            (290_000.0, -45_000.0, 12_000.0),
        ),
        spec(
            "post_secondary_education",
            "education",
            (
                "Andel med eftergymnasial utbildning",
                "Share with post-secondary education",
            ),
            "percent",
            Some("25-64"),
            Total,
            (45.0, -11.0, 4.0),
        ),
        spec(
            "upper_secondary_eligibility",
            "education",
            (
                "Andel behöriga till gymnasiet",
                "Share eligible for upper secondary school",
            ),
            "percent",
            Some("15-16"),
            BySex,
            (86.0, -8.0, 3.0),
        ),
        spec(
            "preschool_enrolment",
            "education",
            ("Andel inskrivna i förskola", "Share enrolled in preschool"),
            "percent",
            Some("1-5"),
            Total,
            (88.0, -5.0, 3.0),
        ),
        spec(
            "overcrowding",
            "housing",
            ("Andel trångbodda", "Share living in overcrowded housing"),
            "percent",
            None,
            Total,
            (11.0, 8.0, 2.0),
        ),
        spec(
            "rental_housing",
            "housing",
            ("Andel i hyresrätt", "Share living in rented housing"),
            "percent",
            None,
            Total,
            (38.0, 14.0, 8.0),
        ),
        spec(
            "owner_occupied_housing",
            "housing",
            (
                "Andel i äganderätt",
                "Share living in owner-occupied housing",
            ),
            "percent",
            None,
            Total,
            (35.0, -12.0, 8.0),
        ),
        spec(
            "sickness_absence_days",
            "health",
            (
                "Ohälsotal, dagar per person",
                "Sickness absence, days per person",
            ),
            "days",
            Some("20-64"),
            Total,
            (26.0, 7.0, 3.0),
        ),
        spec(
            "ill_health_rate",
            "health",
            (
                "Andel med sjukpenning eller aktivitetsersättning",
                "Share on sickness or activity compensation",
            ),
            "percent",
            Some("20-64"),
            Total,
            (8.0, 3.0, 1.0),
        ),
        spec(
            "voter_turnout_municipal",
            "democracy",
            (
                "Valdeltagande i kommunval",
                "Voter turnout in municipal elections",
            ),
            "percent",
            Some("18+"),
            Total,
            (83.0, -9.0, 2.5),
        ),
        spec(
            "foreign_born",
            "population",
            ("Andel utrikes födda", "Share born abroad"),
            "percent",
            None,
            Total,
            (19.0, 14.0, 4.0),
        ),
    ];
    for s in &mut v {
        if s.id == "voter_turnout_municipal" {
            s.elections_only = true;
        }
    }
    v
}

/// One RegSO's latent state for one year.
#[derive(Clone, Copy, Debug)]
pub struct Draw {
    pub challenge: f64,
    pub population: f64,
}

/// The latent challenge and population of a RegSO in a year. Codes shared by both division
/// versions keep their history across 2023 → 2024.
pub fn draw(seed: u64, regso: &str, year: i16) -> Draw {
    let mut kommun = Rng::for_key(seed, &regso[..4]);
    let mut area = Rng::for_key(seed, regso);
    // Right-skewed like the real index: a few areas far above the mean, most a little below,
    // which gives roughly SCB's shares of the five area types.
    let level = (0.5 * (0.6 * kommun.normal() + 0.9 * area.normal())).exp() - 1.0;
    let size = (7.9 + 0.45 * area.normal()).exp().clamp(600.0, 20_000.0);
    let trend = 0.015 * area.normal();
    let t = f64::from(year - FIRST_YEAR);
    let mut yearly = Rng::for_key(seed, &format!("{regso}/{year}"));
    Draw {
        challenge: level + trend * t + 0.08 * yearly.normal(),
        population: (size * 1.006f64.powf(t)).round(),
    }
}

/// The value of `spec` for a RegSO; `None` where a small area's value is suppressed, or in a
/// year without an election for election indicators. `sex` is 0 (total), 1 (men), 2 (women).
pub fn value(seed: u64, spec: &Spec, regso: &str, year: i16, sex: u8, d: Draw) -> Option<f64> {
    if spec.elections_only && ![2014, 2018, 2022].contains(&year) {
        return None;
    }
    let mut r = Rng::for_key(seed, &format!("{}/{regso}/{year}/{sex}", spec.id));
    match spec.id {
        "population" => {
            return Some(match sex {
                0 => d.population,
                1 => (d.population * 0.503).round(),
                _ => d.population - (d.population * 0.503).round(),
            })
        }
        "persons_lowest_income_quintile" => {
            return Some((d.population * (0.2 + 0.16 * d.challenge).clamp(0.03, 0.75)).round())
        }
        "persons_highest_income_quintile" => {
            return Some((d.population * (0.2 - 0.12 * d.challenge).clamp(0.02, 0.6)).round())
        }
        _ => {}
    }
    if spec.table != Table::Components && d.population < 900.0 && r.uniform() < 0.15 {
        return None;
    }
    let sex_shift = match sex {
        1 => 1.5,
        2 => -1.5,
        _ => 0.0,
    };
    let v = spec.base + spec.slope * d.challenge + spec.noise * r.normal() + sex_shift * spec.noise;
    let scale = 10f64.powi(i32::from(spec.decimals));
    Some((v.clamp(spec.min, spec.max) * scale).round() / scale)
}

/// Population-weighted means (sums for counts) of RegSO values, per kommun, län and riket.
pub fn aggregate(unit: &str, values: &[(&str, f64, Option<f64>)]) -> BTreeMap<String, f64> {
    let mut acc: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for &(code, weight, value) in values {
        let Some(v) = value else { continue };
        for key in ["00", &code[..2], &code[..4]] {
            let e = acc.entry(key.to_owned()).or_default();
            if unit == "count" {
                e.0 += v;
                e.1 = 1.0;
            } else {
                e.0 += v * weight;
                e.1 += weight;
            }
        }
    }
    acc.into_iter()
        .filter(|(_, (_, w))| *w > 0.0)
        .map(|(k, (s, w))| (k, s / w))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_deterministic_and_plausible() {
        let a = draw(1, "0180R001", 2015);
        let b = draw(1, "0180R001", 2015);
        assert_eq!(a.challenge, b.challenge);
        assert!(a.population >= 600.0 && a.population <= 25_000.0);
        assert_ne!(draw(2, "0180R001", 2015).challenge, a.challenge);
    }

    #[test]
    fn values_follow_the_challenge_and_stay_in_range() {
        let specs = specs();
        let emp = specs.iter().find(|s| s.id == "employment_rate").unwrap();
        let good = Draw {
            challenge: -1.5,
            population: 5000.0,
        };
        let hard = Draw {
            challenge: 2.5,
            population: 5000.0,
        };
        let mean = |d: Draw| {
            (0..200)
                .filter_map(|i| value(3, emp, &format!("0180R{i:03}"), 2020, 0, d))
                .sum::<f64>()
                / 200.0
        };
        assert!(mean(good) > mean(hard) + 20.0);
        for s in &specs {
            for i in 0..50 {
                if let Some(v) = value(9, s, &format!("1480R{i:03}"), 2022, 0, hard) {
                    assert!(v >= s.min && v <= s.max, "{} = {v}", s.id);
                }
            }
        }
    }

    #[test]
    fn aggregates_weight_by_population_and_sum_counts() {
        let rows = [
            ("0180R001", 100.0, Some(10.0)),
            ("0180R002", 300.0, Some(20.0)),
            ("0127R001", 100.0, None),
        ];
        let share = aggregate("percent", &rows);
        assert_eq!(share["0180"], 17.5);
        assert_eq!(share["00"], 17.5);
        assert!(!share.contains_key("0127"));
        let counts = aggregate("count", &rows);
        assert_eq!(counts["01"], 30.0);
    }
}
