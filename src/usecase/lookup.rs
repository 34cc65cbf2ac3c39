//! The point lookup (`/v1/lookup`): the län, kommun, RegSO and DeSO around a point, each RegSO
//! with its latest area type and values. The areas come from the in-memory locator (the caller
//! hands over what it found) or, while none is built, from the database.

use std::borrow::Borrow;

use diesel::PgConnection;

use crate::api_error::{ApiError, ApiResult};
use crate::db::{
    self,
    areas::YearFacts,
    summaries::{AreaTypeYear, Containing, RegsoFacts},
};
use crate::domain::geography::Level;
use crate::geo::sweref;

/// The coordinate reference system a point is given in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Crs {
    /// WGS 84 longitude, latitude.
    Crs84,
    /// SWEREF 99 TM easting, northing in metres.
    Sweref99Tm,
}

impl Crs {
    /// The names a request may give, CRS84's (and EPSG:4326, the same for a point) first.
    pub const NAMES: [&'static str; 5] = [
        "CRS84",
        "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        "EPSG:4326",
        "EPSG:3006",
        "http://www.opengis.net/def/crs/EPSG/0/3006",
    ];
    const CRS84_NAMES: usize = 3;

    /// The CRS a name in [`Self::NAMES`] stands for; none given is CRS84.
    pub fn named(name: Option<&str>) -> Crs {
        match name {
            Some(n) if !Self::NAMES[..Self::CRS84_NAMES].contains(&n) => Crs::Sweref99Tm,
            _ => Crs::Crs84,
        }
    }

    /// The EPSG code PostGIS reads the point in.
    pub fn srid(self) -> i32 {
        match self {
            Crs::Crs84 => 4326,
            Crs::Sweref99Tm => 3006,
        }
    }
}

/// A point as asked: x is longitude or easting, y latitude or northing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub crs: Crs,
    pub x: f64,
    pub y: f64,
}

impl Point {
    /// Whether the point lies in the box around Sweden where SWEREF 99 TM is defined; far from
    /// it the transformation is not, and no kommun can contain the point anyway.
    pub fn near_sweden(&self) -> bool {
        let (x, y) = (self.x, self.y);
        match self.crs {
            Crs::Sweref99Tm => {
                (0.0..=1_200_000.0).contains(&x) && (5_900_000.0..=7_900_000.0).contains(&y)
            }
            Crs::Crs84 => (5.0..=30.0).contains(&x) && (53.0..=71.0).contains(&y),
        }
    }

    /// The point in SWEREF 99 TM (easting, northing), or the 404 of a point outside Sweden.
    pub fn in_sweref(&self) -> ApiResult<(f64, f64)> {
        if !self.near_sweden() {
            return Err(self.outside());
        }
        Ok(match self.crs {
            Crs::Sweref99Tm => (self.x, self.y),
            Crs::Crs84 => sweref::project(self.x, self.y),
        })
    }

    /// The 404 of a point in no kommun.
    pub fn outside(&self) -> ApiError {
        ApiError::NotFound(format!(
            "the point ({}, {}) lies in no Swedish kommun",
            self.x, self.y
        ))
    }
}

/// The areas around a point by level, each RegSO with its facts, in the order
/// [`db::summaries::containing`] gives them.
#[derive(Clone, Debug, PartialEq)]
pub struct Located {
    pub county: Option<Containing>,
    pub municipality: Containing,
    pub regso: Vec<(Containing, RegsoFacts)>,
    pub deso: Vec<Containing>,
}

/// The areas found around a point (each with its RegSO facts, empty for other levels) sorted
/// by level. `None` when no kommun is among them: the point is not in Sweden.
pub fn arrange<A: Borrow<Containing>>(
    found: impl IntoIterator<Item = (A, RegsoFacts)>,
) -> Option<Located> {
    let (mut county, mut municipality) = (None, None);
    let (mut regso, mut deso) = (Vec::new(), Vec::new());
    for (area, facts) in found {
        let area = area.borrow();
        match area.level {
            Level::Lan if county.is_none() => county = Some(area.clone()),
            Level::Kommun if municipality.is_none() => municipality = Some(area.clone()),
            Level::Regso => regso.push((area.clone(), facts)),
            Level::Deso => deso.push(area.clone()),
            _ => {}
        }
    }
    Some(Located {
        county,
        municipality: municipality?,
        regso,
        deso,
    })
}

/// A RegSO's latest year with an area type, from its history (oldest first).
pub fn latest_type(history: &[YearFacts]) -> Option<AreaTypeYear> {
    history
        .iter()
        .rev()
        .find(|y| y.area_type.is_some())
        .map(|l| AreaTypeYear {
            year: l.year,
            area_type: l.area_type,
            area_type_origin: l.area_type_origin.clone(),
            socioeconomic_index: l.socioeconomic_index,
        })
}

/// The areas `hits`, each RegSO with its facts read from the database (two queries per RegSO):
/// what the locator holds, for the answer while none is built.
pub fn with_facts(
    conn: &mut PgConnection,
    hits: Vec<Containing>,
) -> ApiResult<Vec<(Containing, RegsoFacts)>> {
    hits.into_iter()
        .map(|h| {
            let facts = if h.level == Level::Regso {
                RegsoFacts {
                    latest_type: latest_type(&db::areas::history(conn, h.division, &h.code)?),
                    latest_values: db::summaries::latest_values(conn, h.division, &h.code)?,
                }
            } else {
                RegsoFacts::default()
            };
            Ok((h, facts))
        })
        .collect()
}

/// The areas around `point` from the database alone; a point outside Sweden is a 404.
pub fn from_database(conn: &mut PgConnection, point: Point) -> ApiResult<Located> {
    let hits = db::summaries::containing(conn, point.x, point.y, point.crs.srid())?;
    arrange(with_facts(conn, hits)?).ok_or_else(|| point.outside())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::geography::Division;

    fn area(division: Division, code: &str) -> Containing {
        Containing {
            division,
            level: division.level(),
            code: code.into(),
            name: None,
            geometry_source: None,
        }
    }

    #[test]
    fn crs84_unless_a_sweref_name_is_given() {
        assert_eq!(Crs::named(None), Crs::Crs84);
        for name in &Crs::NAMES[..3] {
            assert_eq!(Crs::named(Some(name)), Crs::Crs84, "{name}");
        }
        for name in &Crs::NAMES[3..] {
            assert_eq!(Crs::named(Some(name)), Crs::Sweref99Tm, "{name}");
        }
        assert_eq!(Crs::Crs84.srid(), 4326);
        assert_eq!(Crs::Sweref99Tm.srid(), 3006);
    }

    #[test]
    fn only_points_near_sweden_are_projected() {
        let lonlat = |x, y| Point {
            crs: Crs::Crs84,
            x,
            y,
        };
        let sweref = |x, y| Point {
            crs: Crs::Sweref99Tm,
            x,
            y,
        };
        assert!(lonlat(17.9, 59.4).near_sweden());
        assert!(!lonlat(2.35, 48.85).near_sweden());
        assert!(!lonlat(17.9, 72.0).near_sweden());
        assert!(sweref(668_500.0, 6_590_000.0).near_sweden());
        assert!(!sweref(668_500.0, 5_000_000.0).near_sweden());
        assert_eq!(
            sweref(668_500.0, 6_590_000.0).in_sweref().unwrap(),
            (668_500.0, 6_590_000.0)
        );
        let (e, n) = lonlat(15.0, 62.0).in_sweref().unwrap();
        assert!((e - 500_000.0).abs() < 1.0 && n > 6_800_000.0, "{e} {n}");
        assert!(matches!(
            lonlat(2.35, 48.85).in_sweref(),
            Err(ApiError::NotFound(_))
        ));
    }

    #[test]
    fn areas_are_sorted_by_level_and_need_a_kommun() {
        let found = [
            area(Division::Riket, "00"),
            area(Division::Lan, "01"),
            area(Division::Kommun, "0180"),
            area(Division::Regso2020, "0180R001"),
            area(Division::Deso2018, "0180C1010"),
            area(Division::Regso2025, "0180R002"),
        ];
        let located = arrange(found.iter().map(|a| (a, RegsoFacts::default()))).unwrap();
        assert_eq!(located.county.unwrap().code, "01");
        assert_eq!(located.municipality.code, "0180");
        let regso: Vec<_> = located.regso.iter().map(|(a, _)| a.code.as_str()).collect();
        assert_eq!(regso, ["0180R001", "0180R002"]);
        assert_eq!(located.deso.len(), 1);
        assert_eq!(
            arrange(found[..2].iter().map(|a| (a, RegsoFacts::default()))),
            None
        );
    }

    #[test]
    fn the_latest_type_is_the_last_year_that_has_one() {
        let year = |year, area_type| YearFacts {
            year,
            area_type,
            area_type_origin: None,
            socioeconomic_index: None,
            index_origin: None,
            rank_in_municipality: None,
            areas_in_municipality: None,
            rank_in_country: None,
            areas_in_country: None,
            percentile_in_country: None,
        };
        let history = [year(2021, Some(3)), year(2022, Some(2)), year(2023, None)];
        assert_eq!(latest_type(&history).map(|t| t.year), Some(2022));
        assert_eq!(latest_type(&history[2..]), None);
    }
}
