//! `/v1/problems/{kind}`: the page each problem's `type` URL names, saying what the problem
//! means and what to do about it.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::Routes;
use crate::api_error::{ApiError, ApiResult, ProblemKind};
use crate::http::conditional::{respond, Freshness, Representation, Source};
use crate::http::query::Query;

pub fn routes(r: &mut Routes) {
    r.plain(__path_get_problem_type, get_problem_type);
}

/// What a kind of problem means.
#[derive(Serialize, ToSchema)]
pub struct ProblemType {
    #[schema(example = "invalid-parameter")]
    pub kind: &'static str,
    #[schema(example = "Invalid parameter")]
    pub title: &'static str,
    /// The HTTP status the problem is answered with; absent for `other`.
    #[schema(example = 400)]
    pub status: Option<u16>,
    /// What the problem means.
    pub meaning: &'static str,
    /// What a client can do about it.
    pub what_to_do: &'static str,
}

/// A kind of problem: the page a problem document's `type` URL resolves to.
#[utoipa::path(get, path = "/v1/problems/{kind}", tag = "discovery",
    params(
        ("kind" = String, Path, description = "The problem kind, the last segment of a problem's `type`.",
            example = "invalid-parameter"),
        crate::api::params::LangJson,
    ),
    responses(
        (status = 200, description = "What the problem means and what to do.", body = ProblemType),
        (status = 404, description = "No such kind of problem.", body = crate::api_error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_problem_type(
    req: HttpRequest,
    kind: web::Path<String>,
    _: Query<crate::api::params::LangJson>,
) -> ApiResult<HttpResponse> {
    let kind = ProblemKind::from_slug(&kind).ok_or_else(|| {
        ApiError::NotFound(format!(
            "no problem kind {kind:?}; the kinds are: {}",
            ProblemKind::ALL.map(ProblemKind::slug).join(", ")
        ))
    })?;
    let body = ProblemType {
        kind: kind.slug(),
        title: kind.title(),
        status: kind.status(),
        meaning: kind.meaning(),
        what_to_do: kind.remedy(),
    };
    Ok(respond(
        &req,
        Source::Software,
        None,
        Freshness::Public {
            max_age_secs: 86_400,
        },
        kind.slug(),
        Representation::json(&body, None)?,
    ))
}
