//! Indicator ids a request names, checked against the served catalogue.

use diesel::PgConnection;

use crate::api_error::{ApiError, ApiResult, ParamError};
use crate::db::{self, indicators::Coverage, indicators::IndicatorRow};

/// One error per id in `asked` that the catalogue does not have, each naming the parameter
/// `name` and listing the known ids.
pub fn unknown_indicators(
    catalogue: &[(IndicatorRow, Vec<Coverage>)],
    name: &str,
    asked: &[String],
) -> Vec<ParamError> {
    let known = || {
        catalogue
            .iter()
            .map(|(i, _)| i.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    asked
        .iter()
        .filter(|id| !catalogue.iter().any(|(i, _)| &i.id == *id))
        .map(|id| {
            ParamError::new(
                name,
                format!("{id:?} is not an indicator; known: {}", known()),
            )
        })
        .collect()
}

/// [`unknown_indicators`] against the served catalogue, as a 400.
pub fn check_indicators(conn: &mut PgConnection, name: &str, asked: &[String]) -> ApiResult<()> {
    let unknown = unknown_indicators(&db::indicators::catalogue(conn)?, name, asked);
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(ApiError::BadRequest(unknown))
    }
}
