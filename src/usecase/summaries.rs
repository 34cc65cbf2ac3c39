//! A kommun's or län's (or Sweden's) summary year by year (`/v1/municipalities/{code}/summary`,
//! `/v1/counties/{code}/summary`): its RegSO per area type, population per type, inequality
//! index and, where asked, its RegSO with their type.

use diesel::PgConnection;

use crate::api_error::{ApiError, ApiResult};
use crate::db::{
    self,
    summaries::{SummaryRow, TypedRegso},
};
use crate::domain::codes;
use crate::domain::geography::{Division, Level};

/// The code of a summary's path, and the division it names: a kommun code for `Kommun`; a län
/// code, or `00` for Sweden, for `Lan`. Anything else is a 400 naming `code`.
pub fn code_and_division(level: Level, raw: &str) -> ApiResult<(String, Division)> {
    let code = codes::parse(raw).map_err(|e| ApiError::bad_param("code", e))?;
    let division = match (level, code.level) {
        (Level::Kommun, Level::Kommun) => Division::Kommun,
        (Level::Lan, Level::Lan) => Division::Lan,
        (Level::Lan, Level::Riket) => Division::Riket,
        (Level::Kommun, _) => {
            return Err(ApiError::bad_param(
                "code",
                format!("{raw:?} is not a 4-digit kommun code"),
            ))
        }
        _ => {
            return Err(ApiError::bad_param(
                "code",
                format!("{raw:?} is not a 2-digit län code (or 00 for Sweden)"),
            ))
        }
    };
    Ok((code.code, division))
}

/// Whether a summary lists its RegSO with their type: always for a kommun or län; for Sweden
/// (thousands of RegSO a year) only when years are asked for.
pub fn lists_regso(division: Division, years: Option<&[i16]>) -> bool {
    division != Division::Riket || years.is_some()
}

/// One year of a summary, with its typed RegSO when [`lists_regso`].
#[derive(Clone, Debug)]
pub struct Year {
    pub summary: SummaryRow,
    pub regso: Option<Vec<TypedRegso>>,
}

#[derive(Clone, Debug)]
pub struct Summary {
    pub name: Option<String>,
    pub years: Vec<Year>,
}

/// The summary of `code` in `division` for `years` (none: every year with data); an unknown
/// code is a 404.
pub fn summary(
    conn: &mut PgConnection,
    division: Division,
    code: &str,
    years: Option<&[i16]>,
) -> ApiResult<Summary> {
    let name = db::areas::admin_name(conn, division, code)?;
    if db::areas::versions(conn, code)?.is_empty() {
        return Err(ApiError::NotFound(format!(
            "no {division} has the code {code}"
        )));
    }
    let rows = db::summaries::summaries(conn, division, code, years)?;
    let with_list = lists_regso(division, years);
    let regso = if with_list {
        db::summaries::typed_regso(conn, code, years)?
    } else {
        Vec::new()
    };
    let years = rows
        .into_iter()
        .map(|summary| Year {
            regso: with_list.then(|| {
                regso
                    .iter()
                    .filter(|r| r.year == summary.year)
                    .cloned()
                    .collect()
            }),
            summary,
        })
        .collect();
    Ok(Summary { name, years })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parameter(r: ApiResult<(String, Division)>) -> String {
        match r {
            Err(ApiError::BadRequest(e)) => e[0].parameter.clone(),
            other => panic!("expected a 400, got {other:?}"),
        }
    }

    #[test]
    fn a_summary_code_names_its_division() {
        let ok = |level, raw| code_and_division(level, raw).unwrap();
        assert_eq!(ok(Level::Kommun, "0180"), ("0180".into(), Division::Kommun));
        assert_eq!(ok(Level::Lan, "01"), ("01".into(), Division::Lan));
        assert_eq!(ok(Level::Lan, "00"), ("00".into(), Division::Riket));
        assert_eq!(parameter(code_and_division(Level::Kommun, "01")), "code");
        assert_eq!(parameter(code_and_division(Level::Kommun, "00")), "code");
        assert_eq!(parameter(code_and_division(Level::Lan, "0180")), "code");
        assert_eq!(parameter(code_and_division(Level::Lan, "x")), "code");
    }

    #[test]
    fn sweden_lists_its_regso_only_for_years_asked() {
        assert!(lists_regso(Division::Kommun, None));
        assert!(lists_regso(Division::Lan, None));
        assert!(!lists_regso(Division::Riket, None));
        assert!(lists_regso(Division::Riket, Some(&[2023])));
    }
}
