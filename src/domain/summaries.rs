//! Per municipality, county and the country, and per year: RegSO per area type, population
//! per area type and its share of the whole population, and the inequality index (the data
//! behind Segregationsbarometern's municipality pages).

use std::collections::BTreeMap;

use super::inequality::dissimilarity;

/// Where an area type came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Published by SCB.
    Official,
    /// Computed here from SCB's components.
    Computed,
}

/// One RegSO of one year, as the summaries need it. Every RegSO of the division is given,
/// typed or not, so counts and populations cover the whole municipality.
#[derive(Clone, Debug)]
pub struct RegsoFacts {
    pub municipality: String,
    pub area_type: Option<(u8, Origin)>,
    pub population: Option<f64>,
    /// (lowest-quintile, highest-quintile) resident counts, when known.
    pub income_quintiles: Option<(f64, f64)>,
    /// (low, high) economic standard resident counts, when known.
    pub economic_standard: Option<(f64, f64)>,
}

/// Persons with low and with high economic standard in a RegSO from SCB's TAB6685: its
/// at-risk-of-poverty rate and high-economic-standard share (whole per cent, so each count is
/// uncertain by up to ½ % of the persons) times its number of persons.
pub fn economic_standard_counts(low_pct: f64, high_pct: f64, persons: f64) -> (f64, f64) {
    (low_pct * persons / 100.0, high_pct * persons / 100.0)
}

/// How an inequality index was computed: which pair of resident groups, over RegSO.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InequalityMethod {
    /// Lowest vs highest income quintile (where a source has quintile counts).
    IncomeQuintiles,
    /// Persons with low vs high economic standard (SCB's TAB6685 shares × persons).
    EconomicStandard,
}

impl InequalityMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            InequalityMethod::IncomeQuintiles => "income_quintiles",
            InequalityMethod::EconomicStandard => "economic_standard",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// `00`, a län code or a kommun code.
    pub code: String,
    /// Every RegSO of the area, typed or not.
    pub regso_count: u32,
    pub regso_by_type: [u32; 5],
    /// `Official` or `Computed` when every counted type has that origin; `None` when mixed or
    /// when no RegSO is typed (see [`Summary::mixed_origin`]).
    pub area_type_origin: Option<Origin>,
    pub mixed_origin: bool,
    /// The whole population: `None` unless every RegSO has one.
    pub population: Option<f64>,
    /// Over the typed RegSO; `None` unless every typed RegSO has a population.
    pub population_by_type: Option<[f64; 5]>,
    /// The population of the RegSO without an area type; `None` unless each has a figure.
    pub population_untyped: Option<f64>,
    /// Population per type as a percentage of the whole population.
    pub population_share_by_type: Option<[f64; 5]>,
    pub inequality_index: Option<f64>,
    pub inequality_method: Option<InequalityMethod>,
    /// How many RegSO the inequality index was computed over.
    pub inequality_areas: u32,
}

fn typed(r: &RegsoFacts) -> Option<(u8, Origin)> {
    r.area_type.filter(|(t, _)| (1..=5).contains(t))
}

fn summarise(code: String, regso: &[&RegsoFacts], published: Option<f64>) -> Summary {
    let mut by_type = [0u32; 5];
    let (mut official, mut computed) = (0, 0);
    for r in regso {
        if let Some((t, origin)) = typed(r) {
            by_type[usize::from(t - 1)] += 1;
            match origin {
                Origin::Official => official += 1,
                Origin::Computed => computed += 1,
            }
        }
    }
    let area_type_origin = match (official, computed) {
        (0, 0) => None,
        (_, 0) => Some(Origin::Official),
        (0, _) => Some(Origin::Computed),
        _ => None,
    };
    // The whole population is the area's own published figure, else the sum over its RegSO
    // when every one has a population. The population per type needs every typed RegSO's
    // figure, and the population without a type every untyped RegSO's: a sum over part of
    // them would understate it. The shares divide by the whole population, so what lives
    // outside typed RegSO is not hidden in them.
    let total: Option<f64> = published.or_else(|| regso.iter().map(|r| r.population).sum());
    let typed_pop: Option<Vec<(u8, f64)>> = regso
        .iter()
        .filter_map(|r| typed(r).map(|(t, _)| r.population.map(|p| (t, p))))
        .collect();
    let population_by_type = typed_pop.filter(|t| !t.is_empty()).map(|list| {
        let mut pop = [0.0; 5];
        for (t, p) in list {
            pop[usize::from(t - 1)] += p;
        }
        pop
    });
    let population_untyped: Option<f64> = regso
        .iter()
        .filter(|r| typed(r).is_none())
        .map(|r| r.population)
        .sum();
    let shares = match (total, population_by_type) {
        (Some(t), Some(pop)) if t > 0.0 => Some(pop.map(|p| 100.0 * p / t)),
        _ => None,
    };
    let (inequality_index, inequality_method, inequality_areas) = inequality(regso);
    Summary {
        code,
        regso_count: u32::try_from(regso.len()).unwrap_or(u32::MAX),
        regso_by_type: by_type,
        area_type_origin,
        mixed_origin: official > 0 && computed > 0,
        population: total,
        population_by_type,
        population_untyped,
        population_share_by_type: shares,
        inequality_index,
        inequality_method,
        inequality_areas,
    }
}

/// The quintile method where every RegSO has quintile counts; otherwise low vs high economic
/// standard over the RegSO that have both counts. The number of RegSO used is returned, so a
/// reader can see an index computed over few areas or over part of them.
fn inequality(regso: &[&RegsoFacts]) -> (Option<f64>, Option<InequalityMethod>, u32) {
    if let Some(q) = regso
        .iter()
        .map(|r| r.income_quintiles)
        .collect::<Option<Vec<_>>>()
    {
        if let Some(d) = dissimilarity(&q) {
            return (
                Some(d),
                Some(InequalityMethod::IncomeQuintiles),
                u32::try_from(q.len()).unwrap_or(u32::MAX),
            );
        }
    }
    let counts: Vec<(f64, f64)> = regso.iter().filter_map(|r| r.economic_standard).collect();
    match dissimilarity(&counts) {
        Some(d) => (
            Some(d),
            Some(InequalityMethod::EconomicStandard),
            u32::try_from(counts.len()).unwrap_or(u32::MAX),
        ),
        None => (None, None, 0),
    }
}

/// Summaries for the country (`00`), every county and every municipality that has RegSO.
/// `published` holds the population each of them publishes itself (code → population).
pub fn summarise_all(regso: &[RegsoFacts], published: &BTreeMap<String, f64>) -> Vec<Summary> {
    let mut groups: BTreeMap<String, Vec<&RegsoFacts>> = BTreeMap::new();
    for r in regso {
        groups.entry("00".into()).or_default().push(r);
        groups
            .entry(r.municipality[..2].to_owned())
            .or_default()
            .push(r);
        groups.entry(r.municipality.clone()).or_default().push(r);
    }
    groups
        .into_iter()
        .map(|(code, list)| {
            let own = published.get(&code).copied();
            summarise(code, &list, own)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summarise_all_test(regso: &[RegsoFacts]) -> Vec<Summary> {
        summarise_all(regso, &BTreeMap::new())
    }

    #[test]
    fn the_areas_own_population_is_the_denominator() {
        let mut untyped = r("0180", 2, Some(100.0), None);
        untyped.area_type = None;
        let own = BTreeMap::from([("0180".to_owned(), 400.0)]);
        let s = summarise_all(&[r("0180", 1, Some(300.0), None), untyped], &own);
        let sthlm = s.iter().find(|x| x.code == "0180").unwrap();
        assert_eq!(sthlm.population, Some(400.0));
        assert_eq!(sthlm.population_untyped, Some(100.0));
        assert_eq!(
            sthlm.population_share_by_type,
            Some([75.0, 0.0, 0.0, 0.0, 0.0])
        );
        let sweden = s.iter().find(|x| x.code == "00").unwrap();
        assert_eq!(
            sweden.population,
            Some(400.0),
            "the RegSO sum where no own figure is given"
        );
    }

    #[test]
    fn a_typed_regso_without_a_figure_leaves_the_split_unknown_not_understated() {
        // Stockholm 2023 in the bundle: SCB's kommun population, every RegSO typed, no RegSO
        // population. Nothing may be said per type, and nobody lives outside a type.
        let own = BTreeMap::from([("0180".to_owned(), 984_748.0)]);
        let s = summarise_all(&[r("0180", 1, None, None), r("0180", 4, None, None)], &own);
        let sthlm = s.iter().find(|x| x.code == "0180").unwrap();
        assert_eq!(sthlm.population, Some(984_748.0));
        assert_eq!(sthlm.population_by_type, None);
        assert_eq!(sthlm.population_share_by_type, None);
        assert_eq!(sthlm.population_untyped, Some(0.0));
    }

    fn r(m: &str, t: u8, pop: Option<f64>, q: Option<(f64, f64)>) -> RegsoFacts {
        RegsoFacts {
            municipality: m.into(),
            area_type: Some((t, Origin::Official)),
            population: pop,
            income_quintiles: q,
            economic_standard: None,
        }
    }

    #[test]
    fn counts_populations_and_shares_roll_up() {
        let s = summarise_all_test(&[
            r("0180", 1, Some(100.0), Some((60.0, 20.0))),
            r("0180", 4, Some(300.0), Some((40.0, 80.0))),
            r("0127", 4, Some(100.0), Some((10.0, 10.0))),
        ]);
        let by_code: BTreeMap<_, _> = s.iter().map(|x| (x.code.as_str(), x)).collect();
        assert_eq!(
            by_code.keys().copied().collect::<Vec<_>>(),
            ["00", "01", "0127", "0180"]
        );
        let sthlm = by_code["0180"];
        assert_eq!(sthlm.regso_by_type, [1, 0, 0, 1, 0]);
        assert_eq!(sthlm.population, Some(400.0));
        assert_eq!(sthlm.population_untyped, Some(0.0));
        assert_eq!(
            sthlm.population_share_by_type,
            Some([25.0, 0.0, 0.0, 75.0, 0.0])
        );
        assert!((sthlm.inequality_index.unwrap() - 40.0).abs() < 1e-9);
        assert_eq!(
            sthlm.inequality_method,
            Some(InequalityMethod::IncomeQuintiles)
        );
        assert_eq!(sthlm.inequality_areas, 2);
        assert_eq!(sthlm.area_type_origin, Some(Origin::Official));
        assert_eq!(by_code["00"].regso_count, 3);
        assert_eq!(by_code["01"].regso_by_type, [1, 0, 0, 2, 0]);
    }

    #[test]
    fn shares_divide_by_the_whole_population_and_the_untyped_are_their_own_figure() {
        let mut untyped = r("0180", 1, Some(50.0), None);
        untyped.area_type = None;
        let s = summarise_all_test(&[r("0180", 2, Some(150.0), None), untyped]);
        let sthlm = s.iter().find(|x| x.code == "0180").unwrap();
        assert_eq!(sthlm.regso_count, 2, "every RegSO counts, typed or not");
        assert_eq!(sthlm.population, Some(200.0));
        assert_eq!(sthlm.population_by_type, Some([0.0, 150.0, 0.0, 0.0, 0.0]));
        assert_eq!(sthlm.population_untyped, Some(50.0));
        assert_eq!(
            sthlm.population_share_by_type,
            Some([0.0, 75.0, 0.0, 0.0, 0.0])
        );
    }

    #[test]
    fn unknown_population_or_counts_leave_those_fields_empty() {
        let s = summarise_all_test(&[r("0180", 2, None, None), r("0180", 3, Some(5.0), None)]);
        let sthlm = s.iter().find(|x| x.code == "0180").unwrap();
        assert_eq!(sthlm.regso_by_type, [0, 1, 1, 0, 0]);
        assert_eq!(sthlm.population, None);
        assert_eq!(sthlm.population_share_by_type, None);
        assert_eq!(sthlm.inequality_index, None);
        assert_eq!(sthlm.inequality_method, None);
    }

    #[test]
    fn economic_standard_counts_are_shares_of_the_persons() {
        assert_eq!(
            economic_standard_counts(12.0, 30.0, 2_500.0),
            (300.0, 750.0)
        );
        // Two RegSO: 300 of 500 low in the first, 100 of 500 high; D by hand = 50.
        let a = economic_standard_counts(60.0, 20.0, 500.0);
        let b = economic_standard_counts(20.0, 60.0, 500.0);
        assert_eq!((a, b), ((300.0, 100.0), (100.0, 300.0)));
        let d = dissimilarity(&[a, b]).unwrap();
        assert!((d - 50.0).abs() < 1e-9, "{d}");
    }

    #[test]
    fn economic_standard_is_used_where_quintiles_are_not_known() {
        let mut a = r("0180", 1, Some(100.0), None);
        a.economic_standard = Some((30.0, 10.0));
        let mut b = r("0180", 5, Some(100.0), None);
        b.economic_standard = Some((10.0, 30.0));
        let c = r("0180", 3, Some(100.0), None); // no counts: left out, and said so
        let s = summarise_all_test(&[a, b, c]);
        let sthlm = s.iter().find(|x| x.code == "0180").unwrap();
        assert_eq!(
            sthlm.inequality_method,
            Some(InequalityMethod::EconomicStandard)
        );
        assert!((sthlm.inequality_index.unwrap() - 50.0).abs() < 1e-9);
        assert_eq!(sthlm.inequality_areas, 2);
    }

    #[test]
    fn mixed_origins_are_said_to_be_mixed() {
        let mut c = r("0180", 2, Some(1.0), None);
        c.area_type = Some((2, Origin::Computed));
        let s = summarise_all_test(&[r("0180", 1, Some(1.0), None), c]);
        let sthlm = s.iter().find(|x| x.code == "0180").unwrap();
        assert_eq!(sthlm.area_type_origin, None);
        assert!(sthlm.mixed_origin);
    }
}
