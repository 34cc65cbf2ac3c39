//! Per municipality, county and the country, and per year: RegSO per area type, population
//! per area type and its share, and the inequality index (the data behind
//! Segregationsbarometern's municipality pages).

use std::collections::BTreeMap;

use super::inequality::dissimilarity;

/// One RegSO of one year, as the summaries need it.
#[derive(Clone, Debug)]
pub struct RegsoFacts {
    pub municipality: String,
    pub area_type: Option<u8>,
    pub population: Option<f64>,
    /// (lowest-quintile, highest-quintile) resident counts, when known.
    pub income_quintiles: Option<(f64, f64)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// `00`, a län code or a kommun code.
    pub code: String,
    pub regso_count: u32,
    pub regso_by_type: [u32; 5],
    /// `None` unless every RegSO has a population.
    pub population: Option<f64>,
    /// Over the RegSO that have both a type and a population; `None` when none has.
    pub population_by_type: Option<[f64; 5]>,
    pub population_share_by_type: Option<[f64; 5]>,
    /// `None` unless every RegSO has quintile counts and the index is defined.
    pub inequality_index: Option<f64>,
}

fn summarise(code: String, regso: &[&RegsoFacts]) -> Summary {
    let mut by_type = [0u32; 5];
    for r in regso {
        if let Some(t) = r.area_type.filter(|t| (1..=5).contains(t)) {
            by_type[usize::from(t - 1)] += 1;
        }
    }
    // The total needs every RegSO's population; the split by type uses the RegSO that have
    // both a type and a population, so one untyped RegSO does not blank the whole split.
    let total: Option<f64> = regso.iter().map(|r| r.population).sum();
    let typed: Vec<(u8, f64)> = regso
        .iter()
        .filter_map(|r| Some((r.area_type.filter(|t| (1..=5).contains(t))?, r.population?)))
        .collect();
    let (population, population_by_type, shares) = if typed.is_empty() {
        (total, None, None)
    } else {
        let mut pop = [0.0; 5];
        for (t, p) in typed {
            pop[usize::from(t - 1)] += p;
        }
        let typed_total: f64 = pop.iter().sum();
        let shares = (typed_total > 0.0).then(|| pop.map(|p| 100.0 * p / typed_total));
        (total, Some(pop), shares)
    };
    let quintiles: Option<Vec<(f64, f64)>> = regso.iter().map(|r| r.income_quintiles).collect();
    Summary {
        code,
        regso_count: regso.len() as u32,
        regso_by_type: by_type,
        population,
        population_by_type,
        population_share_by_type: shares,
        inequality_index: quintiles.and_then(|q| dissimilarity(&q)),
    }
}

/// Summaries for the country (`00`), every county and every municipality that has RegSO.
pub fn summarise_all(regso: &[RegsoFacts]) -> Vec<Summary> {
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
        .map(|(code, list)| summarise(code, &list))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(m: &str, t: u8, pop: Option<f64>, q: Option<(f64, f64)>) -> RegsoFacts {
        RegsoFacts {
            municipality: m.into(),
            area_type: Some(t),
            population: pop,
            income_quintiles: q,
        }
    }

    #[test]
    fn counts_populations_and_shares_roll_up() {
        let s = summarise_all(&[
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
        assert_eq!(
            sthlm.population_share_by_type,
            Some([25.0, 0.0, 0.0, 75.0, 0.0])
        );
        assert!((sthlm.inequality_index.unwrap() - 40.0).abs() < 1e-9);
        assert_eq!(by_code["00"].regso_count, 3);
        assert_eq!(by_code["01"].regso_by_type, [1, 0, 0, 2, 0]);
    }

    #[test]
    fn an_untyped_regso_does_not_blank_the_split_by_type() {
        let mut untyped = r("0180", 1, Some(50.0), None);
        untyped.area_type = None;
        let s = summarise_all(&[r("0180", 2, Some(100.0), None), untyped]);
        let sthlm = s.iter().find(|x| x.code == "0180").unwrap();
        assert_eq!(sthlm.population, Some(150.0));
        assert_eq!(sthlm.population_by_type, Some([0.0, 100.0, 0.0, 0.0, 0.0]));
        assert_eq!(
            sthlm.population_share_by_type,
            Some([0.0, 100.0, 0.0, 0.0, 0.0])
        );
    }

    #[test]
    fn unknown_population_or_quintiles_leave_those_fields_empty() {
        let s = summarise_all(&[r("0180", 2, None, None), r("0180", 3, Some(5.0), None)]);
        let sthlm = s.iter().find(|x| x.code == "0180").unwrap();
        assert_eq!(sthlm.regso_by_type, [0, 1, 1, 0, 0]);
        assert_eq!(sthlm.population, None);
        assert_eq!(sthlm.inequality_index, None);
    }
}
