//! The inequality ranking (`/v1/inequality`): every kommun or län with the dissimilarity index
//! this service computed over its RegSO, most unequal first, for one year.

use diesel::PgConnection;

use crate::api_error::{ApiError, ApiResult};
use crate::db::{self, summaries::InequalityRow};
use crate::domain::geography::Division;

/// Why there is no ranking at all, whatever the year.
const NO_INDEX: &str = "the served data has no inequality index (no income-quintile or \
                        economic-standard counts per RegSO)";

/// The year to rank: the one asked for if it has an index, else the latest with one. No year
/// with an index is a 404; an asked year without one is a 400 naming `year` and listing those
/// with one.
pub fn pick_year(asked: Option<i16>, with_index: &[i16]) -> ApiResult<i16> {
    let latest = with_index
        .iter()
        .max()
        .copied()
        .ok_or_else(|| ApiError::NotFound(NO_INDEX.into()))?;
    match asked {
        None => Ok(latest),
        Some(y) if with_index.contains(&y) => Ok(y),
        Some(y) => Err(ApiError::bad_param(
            "year",
            format!(
                "{y} has no inequality index; years with one: {}",
                with_index
                    .iter()
                    .map(i16::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// The ranking of `division` in the year [`pick_year`] picks.
pub struct Ranking {
    pub year: i16,
    /// Most unequal first: rank = position + 1.
    pub rows: Vec<InequalityRow>,
}

pub fn ranking(
    conn: &mut PgConnection,
    division: Division,
    asked: Option<i16>,
) -> ApiResult<Ranking> {
    let year = pick_year(asked, &db::summaries::inequality_years(conn)?)?;
    Ok(Ranking {
        year,
        rows: db::summaries::inequality(conn, division, year)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_year_with_an_index_unless_another_is_asked() {
        assert_eq!(pick_year(None, &[2021, 2023, 2022]).unwrap(), 2023);
        assert_eq!(pick_year(Some(2021), &[2021, 2023]).unwrap(), 2021);
    }

    #[test]
    fn a_year_without_an_index_is_named_and_no_index_at_all_is_a_404() {
        let Err(ApiError::BadRequest(errors)) = pick_year(Some(2019), &[2021, 2023]) else {
            panic!("expected a 400")
        };
        assert_eq!(errors[0].parameter, "year");
        assert!(
            errors[0].detail.ends_with("years with one: 2021, 2023"),
            "{errors:?}"
        );
        assert!(matches!(pick_year(None, &[]), Err(ApiError::NotFound(_))));
        assert!(matches!(
            pick_year(Some(2021), &[]),
            Err(ApiError::NotFound(_))
        ));
    }
}
