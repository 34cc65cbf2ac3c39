//! Indicator values in long form (`/v1/data`): the request checked against the catalogue and
//! the years with data, then one page of values with what labels them.

use std::collections::{BTreeMap, BTreeSet};

use diesel::PgConnection;

use crate::api_error::{ApiError, ApiResult, ParamError};
use crate::db::{self, indicators::ValueQuery, indicators::ValueRow};
use crate::domain::geography::{Division, Level};

use super::indicators::unknown_indicators;

/// Which years a request asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Years {
    /// Every year with data.
    All,
    /// These years (`year=`); each must have data.
    List(Vec<i16>),
    /// From `from` to `to` (`from_year`, `to_year`), either end open; a given end must reach
    /// the years with data.
    Range { from: Option<i16>, to: Option<i16> },
    /// The N most recent years with data (`latest=`).
    Latest(i16),
}

impl Years {
    /// The years to read (`None`: all) given the years with data, or one error per parameter
    /// that names only years without data.
    pub fn resolve(
        &self,
        available: &[i16],
    ) -> std::result::Result<Option<Vec<i16>>, Vec<ParamError>> {
        let (first, last) = (available.first().copied(), available.last().copied());
        let outside = |name: &str, y: i16| {
            ParamError::new(
                name,
                format!(
                    "{y} is outside the years with data: {}",
                    available
                        .iter()
                        .map(|y| y.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        };
        match self {
            Years::All => Ok(None),
            Years::Latest(n) => Ok(Some(
                available
                    .iter()
                    .rev()
                    .take(usize::try_from(*n).unwrap_or(0))
                    .copied()
                    .collect(),
            )),
            Years::List(years) => match years.iter().find(|y| !available.contains(y)) {
                Some(&y) => Err(vec![outside("year", y)]),
                None => Ok(Some(years.clone())),
            },
            Years::Range { from, to } => {
                let mut errors = Vec::new();
                if let Some(y) = from.filter(|y| last.is_some_and(|l| *y > l)) {
                    errors.push(outside("from_year", y));
                }
                if let Some(y) = to.filter(|y| first.is_some_and(|f| *y < f)) {
                    errors.push(outside("to_year", y));
                }
                if !errors.is_empty() {
                    return Err(errors);
                }
                let range = from.unwrap_or(i16::MIN)..=to.unwrap_or(i16::MAX);
                Ok(Some(
                    available
                        .iter()
                        .copied()
                        .filter(|y| range.contains(y))
                        .collect(),
                ))
            }
        }
    }
}

/// What a request for values names: indicators, then areas by code or by level (optionally
/// within a kommun or län), years, breakdowns and a page.
#[derive(Clone, Debug)]
pub struct ValuesRequest {
    pub indicators: Vec<String>,
    /// Codes, each with the division its own suffix named (none: any version).
    pub areas: Option<Vec<(String, Option<Division>)>>,
    pub level: Option<Level>,
    pub municipality: Option<String>,
    pub county: Option<String>,
    pub years: Years,
    pub breakdowns: Option<Vec<String>>,
    pub limit: i64,
    pub offset: i64,
}

/// What labels an indicator's values.
#[derive(Clone, Debug)]
pub struct IndicatorInfo {
    pub unit: String,
    pub origin: String,
    pub name_sv: String,
    pub name_en: String,
    pub decimals: i16,
}

/// One page of values, how many match in all, and the catalogue entries that label them.
#[derive(Debug)]
pub struct Values {
    pub rows: Vec<ValueRow>,
    pub matched: i64,
    pub indicators: BTreeMap<String, IndicatorInfo>,
}

/// The values `request` asks for. Every unknown indicator, breakdown the indicators lack and
/// year without data is a 400 naming its parameter (all of them at once); codes that match no
/// area are a 404 rather than an empty list.
pub fn values(conn: &mut PgConnection, request: &ValuesRequest) -> ApiResult<Values> {
    let catalogue = db::indicators::catalogue(conn)?;
    let mut problems = unknown_indicators(&catalogue, "indicator", &request.indicators);
    let indicators: BTreeMap<String, IndicatorInfo> = catalogue
        .iter()
        .map(|(i, _)| {
            let info = IndicatorInfo {
                unit: i.unit.clone(),
                origin: i.origin.clone(),
                name_sv: i.name_sv.clone(),
                name_en: i.name_en.clone(),
                decimals: i.decimals,
            };
            (i.id.clone(), info)
        })
        .collect();
    // Breakdowns the asked indicators have in some division; a typo would otherwise answer an
    // empty list.
    let breakdowns: BTreeSet<&str> = catalogue
        .iter()
        .filter(|(i, _)| request.indicators.contains(&i.id))
        .flat_map(|(_, coverage)| coverage.iter())
        .flat_map(|c| c.breakdowns.iter().flatten())
        .map(String::as_str)
        .collect();
    if problems.is_empty() {
        for b in request.breakdowns.iter().flatten() {
            if !breakdowns.contains(b.as_str()) {
                problems.push(ParamError::new(
                    "breakdown",
                    format!(
                        "{b:?} is not a breakdown of the indicators asked for; they have: {}",
                        breakdowns.iter().copied().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
    }
    let known: Vec<String> = request
        .indicators
        .iter()
        .filter(|i| indicators.contains_key(*i))
        .cloned()
        .collect();
    let available = db::indicators::years_of(conn, &known)?;
    let years = request.years.resolve(&available).unwrap_or_else(|errors| {
        problems.extend(errors);
        None
    });
    if !problems.is_empty() {
        return Err(ApiError::BadRequest(problems));
    }
    let query = ValueQuery {
        indicators: request.indicators.clone(),
        codes: request.areas.clone(),
        level: request.level,
        municipality: request.municipality.clone(),
        county: request.county.clone(),
        division: None,
        years,
        breakdowns: request.breakdowns.clone(),
    };
    let (matched, rows) = db::indicators::values(conn, &query, request.limit, request.offset)?;
    if let (Some(areas), true) = (&request.areas, rows.is_empty() && request.offset == 0) {
        // Say which codes are unknown rather than answer an empty list.
        let unknown: Vec<String> = areas
            .iter()
            .filter(|(c, _)| {
                db::areas::versions(conn, c)
                    .map(|v| v.is_empty())
                    .unwrap_or(false)
            })
            .map(|(c, _)| c.clone())
            .collect();
        if !unknown.is_empty() {
            return Err(ApiError::NotFound(format!(
                "no area has the code {}",
                unknown.join(", ")
            )));
        }
    }
    Ok(Values {
        rows,
        matched,
        indicators,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const AVAILABLE: [i16; 4] = [2020, 2021, 2022, 2023];

    fn names(errors: Vec<ParamError>) -> Vec<String> {
        errors.into_iter().map(|e| e.parameter).collect()
    }

    #[test]
    fn all_years_reads_every_year() {
        assert_eq!(Years::All.resolve(&AVAILABLE), Ok(None));
    }

    #[test]
    fn latest_takes_the_most_recent_years_with_data() {
        assert_eq!(
            Years::Latest(2).resolve(&AVAILABLE),
            Ok(Some(vec![2023, 2022]))
        );
        assert_eq!(
            Years::Latest(50)
                .resolve(&AVAILABLE)
                .unwrap()
                .unwrap()
                .len(),
            4
        );
    }

    #[test]
    fn a_listed_year_without_data_is_named() {
        assert_eq!(
            Years::List(vec![2021, 2023]).resolve(&AVAILABLE),
            Ok(Some(vec![2021, 2023]))
        );
        let errors = Years::List(vec![2021, 1999])
            .resolve(&AVAILABLE)
            .unwrap_err();
        assert_eq!(names(errors.clone()), ["year"]);
        assert!(errors[0].detail.contains("1999"), "{errors:?}");
        assert!(errors[0].detail.contains("2020, 2021, 2022, 2023"));
    }

    #[test]
    fn a_range_keeps_the_years_with_data_inside_it() {
        let range = |from, to| Years::Range { from, to }.resolve(&AVAILABLE);
        assert_eq!(range(Some(2021), Some(2022)), Ok(Some(vec![2021, 2022])));
        assert_eq!(range(Some(2022), None), Ok(Some(vec![2022, 2023])));
        assert_eq!(range(None, Some(2020)), Ok(Some(vec![2020])));
        // Ends beyond the data are fine as long as they reach it.
        assert_eq!(range(Some(1990), Some(2100)), Ok(Some(AVAILABLE.to_vec())));
        assert_eq!(names(range(Some(2024), None).unwrap_err()), ["from_year"]);
        assert_eq!(names(range(None, Some(2019)).unwrap_err()), ["to_year"]);
        assert_eq!(
            names(range(Some(2024), Some(2019)).unwrap_err()),
            ["from_year", "to_year"]
        );
    }

    #[test]
    fn without_data_only_all_and_latest_answer() {
        assert_eq!(Years::Latest(3).resolve(&[]), Ok(Some(vec![])));
        assert_eq!(
            Years::Range {
                from: Some(2000),
                to: None
            }
            .resolve(&[]),
            Ok(Some(vec![]))
        );
        assert_eq!(
            names(Years::List(vec![2020]).resolve(&[]).unwrap_err()),
            ["year"]
        );
    }
}
