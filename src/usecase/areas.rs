//! An area by its code (`/v1/areas/{code}`): its profile in every division version it exists
//! in, and the areas one level down (`/v1/areas/{code}/children`).

use diesel::PgConnection;

use crate::api_error::{ApiError, ApiResult};
use crate::db::{
    self,
    areas::{AreaFilter, AreaRow, YearFacts},
};
use crate::domain::codes;
use crate::domain::geography::{Division, Level};
use crate::limits::MAX_LIMIT;

/// The code of a path, plain or with SCB's version suffix, and the division it picks: the
/// suffix's, else `division`'s (none: every version). A suffix that contradicts `division` is a
/// 400 naming `division`; a malformed code one naming `code`.
pub fn code_and_division(
    raw: &str,
    division: Option<Division>,
) -> ApiResult<(String, Option<Division>)> {
    let code = codes::parse(raw).map_err(|e| ApiError::bad_param("code", e))?;
    let from_suffix = codes::division_of_suffix(&code);
    match (from_suffix, division) {
        (Some(a), Some(b)) if a != b => Err(ApiError::bad_param(
            "division",
            format!("{b} contradicts the code's suffix ({a})"),
        )),
        (a, b) => Ok((code.code, a.or(b))),
    }
}

/// An area's kommun or län, by code and name.
#[derive(Clone, Debug, PartialEq)]
pub struct Parent {
    pub code: String,
    pub name: Option<String>,
}

/// One division version of an area: its row, its children per division and its area type and
/// index per year.
#[derive(Clone, Debug)]
pub struct Version {
    pub area: AreaRow,
    pub children: Vec<(Division, i64)>,
    pub history: Vec<YearFacts>,
}

/// An area's profile: what its versions share, then each version.
#[derive(Clone, Debug)]
pub struct Profile {
    pub code: String,
    pub level: Level,
    pub municipality: Option<Parent>,
    pub county: Option<Parent>,
    pub versions: Vec<Version>,
}

/// The kommun and län codes an area names as its parents: those it has, but not itself (a
/// kommun has no kommun above it, a län no län).
pub fn parent_codes(area: &AreaRow) -> (Option<&str>, Option<&str>) {
    fn above(code: &Option<String>, below: bool) -> Option<&str> {
        code.as_deref().filter(|_| below)
    }
    (
        above(&area.municipality_code, area.level != Level::Kommun),
        above(&area.county_code, area.level != Level::Lan),
    )
}

/// The areas with this code, in `division` if one is given; none is a 404.
fn versions(
    conn: &mut PgConnection,
    code: &str,
    division: Option<Division>,
) -> ApiResult<Vec<AreaRow>> {
    let rows: Vec<AreaRow> = db::areas::versions(conn, code)?
        .into_iter()
        .filter(|row| division.is_none_or(|d| d == row.division))
        .collect();
    if rows.is_empty() {
        return Err(ApiError::NotFound(match division {
            Some(d) => format!("no area {code} in {d}"),
            None => format!("no area has the code {code}"),
        }));
    }
    Ok(rows)
}

/// The profile of `code` in every division version it exists in (only `division` if given).
pub fn profile(
    conn: &mut PgConnection,
    code: &str,
    division: Option<Division>,
) -> ApiResult<Profile> {
    let rows = versions(conn, code, division)?;
    let first = &rows[0];
    let (municipality, county) = parent_codes(first);
    let (municipality, county) = (municipality.map(str::to_owned), county.map(str::to_owned));
    let mut parent = |division: Division, code: Option<String>| -> ApiResult<Option<Parent>> {
        code.map(|code| {
            let name = db::areas::admin_name(conn, division, &code)?;
            Ok(Parent { code, name })
        })
        .transpose()
    };
    let municipality = parent(Division::Kommun, municipality)?;
    let county = parent(Division::Lan, county)?;
    let (code, level) = (first.code.clone(), first.level);
    let versions = rows
        .into_iter()
        .map(|area| {
            Ok(Version {
                children: db::areas::child_counts(conn, &area)?,
                history: db::areas::history(conn, area.division, &area.code)?,
                area,
            })
        })
        .collect::<ApiResult<_>>()?;
    Ok(Profile {
        code,
        level,
        municipality,
        county,
        versions,
    })
}

/// Which version of an area lists its children: the one `division` names, except that for a
/// kommun `division` names the RegSO version to list (a kommun is the same in each).
pub fn parent_version(rows: &[AreaRow], division: Option<Division>) -> Option<&AreaRow> {
    rows.iter().find(|row| match division {
        Some(d) if row.level == Level::Kommun => d.level() == Level::Regso,
        Some(d) => row.division == d,
        None => true,
    })
}

/// What selects the children of `parent`: [`db::areas::children_filter`], narrowed to the
/// RegSO version `division` names for a kommun; nothing for an area without children.
pub fn children_filter(parent: &AreaRow, division: Option<Division>) -> AreaFilter {
    let mut filter = db::areas::children_filter(parent).unwrap_or_else(|| AreaFilter {
        codes: Some(Vec::new()),
        ..AreaFilter::default()
    });
    if let (Level::Kommun, Some(d)) = (parent.level, division) {
        filter.level = None;
        filter.division = Some(d);
    }
    filter
}

/// Most children in one answer: every child, on one page.
pub const CHILDREN_LIMIT: i64 = MAX_LIMIT;

/// The areas one level down from `code` (in `division`, see [`parent_version`]), all in one
/// page, and how many there are.
pub fn children(
    conn: &mut PgConnection,
    code: &str,
    division: Option<Division>,
) -> ApiResult<(i64, Vec<AreaRow>)> {
    let rows = versions(conn, code, None)?;
    let parent = parent_version(&rows, division).ok_or_else(|| {
        ApiError::NotFound(format!(
            "no area {code} in {}",
            division.map(Division::id).unwrap_or_default()
        ))
    })?;
    Ok(db::areas::list(
        conn,
        &children_filter(parent, division),
        CHILDREN_LIMIT,
        0,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(division: Division, code: &str) -> AreaRow {
        AreaRow {
            division,
            level: division.level(),
            code: code.into(),
            name: None,
            county_code: Some("01".into()),
            municipality_code: Some("0180".into()),
            regso_code: None,
            geometry_source: None,
        }
    }

    #[test]
    fn a_suffix_picks_the_division_and_must_agree_with_one_given() {
        assert_eq!(
            code_and_division("0180R036", None).unwrap(),
            ("0180R036".to_owned(), None)
        );
        assert_eq!(
            code_and_division("0180R036", Some(Division::Regso2020)).unwrap(),
            ("0180R036".to_owned(), Some(Division::Regso2020))
        );
        assert_eq!(
            code_and_division("0114R001_RegSO2025", None).unwrap(),
            ("0114R001".to_owned(), Some(Division::Regso2025))
        );
        let named = |r: ApiResult<_>| match r {
            Err(ApiError::BadRequest(e)) => e[0].parameter.clone(),
            other => panic!("expected a 400, got {other:?}"),
        };
        assert_eq!(
            named(code_and_division(
                "0114R001_RegSO2025",
                Some(Division::Regso2020)
            )),
            "division"
        );
        assert_eq!(named(code_and_division("nonsense", None)), "code");
    }

    #[test]
    fn parents_are_named_above_the_area_only() {
        assert_eq!(
            parent_codes(&row(Division::Regso2020, "0180R036")),
            (Some("0180"), Some("01"))
        );
        assert_eq!(
            parent_codes(&row(Division::Kommun, "0180")),
            (None, Some("01"))
        );
        let mut lan = row(Division::Lan, "01");
        lan.municipality_code = None;
        assert_eq!(parent_codes(&lan), (None, None));
    }

    #[test]
    fn a_kommun_lists_the_regso_version_asked_for() {
        let kommun = [row(Division::Kommun, "0180")];
        assert!(parent_version(&kommun, Some(Division::Regso2025)).is_some());
        assert!(parent_version(&kommun, Some(Division::Deso2018)).is_none());
        let filter = children_filter(&kommun[0], Some(Division::Regso2025));
        assert_eq!(filter.level, None);
        assert_eq!(filter.division, Some(Division::Regso2025));
        assert_eq!(filter.municipality.as_deref(), Some("0180"));
        let both = children_filter(&kommun[0], None);
        assert_eq!(both.level, Some(Level::Regso));

        let regso = [
            row(Division::Regso2020, "0180R036"),
            row(Division::Regso2025, "0180R036"),
        ];
        let picked = parent_version(&regso, Some(Division::Regso2025)).unwrap();
        assert_eq!(picked.division, Division::Regso2025);
        assert_eq!(
            parent_version(&regso, None).unwrap().division,
            Division::Regso2020
        );
        assert_eq!(
            children_filter(&row(Division::Deso2018, "0180C1010"), None).codes,
            Some(Vec::new())
        );
    }
}
