//! The OpenAPI document and Swagger UI, both served from the binary (no network needed).

use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::api::Routes;
use crate::api_error::ApiResult;
use crate::http::conditional::{software_response, Representation};
use crate::http::query::Query;
use crate::state::AppState;

pub fn routes(r: &mut Routes) {
    r.plain(__path_get_openapi, get_openapi)
        // The interactive documentation: pages for people, not part of the API it documents.
        .undocumented("/v1/docs", redirect_to_docs)
        .undocumented_service(
            "/v1/docs/{_:.*}",
            SwaggerUi::new("/v1/docs/{_:.*}").config(Config::new(["/v1/openapi.json"])),
        );
}

/// The OpenAPI document as served. It is made from the routes, this handler's among them, so
/// the handler is handed it as app data (`app`) instead of making it.
pub struct OpenApiJson(pub Bytes);

/// This API's OpenAPI 3.1 description.
#[utoipa::path(
    get,
    path = "/v1/openapi.json",
    tag = "discovery",
    responses((status = 200, description = "The OpenAPI document.", content_type = "application/vnd.oai.openapi+json;version=3.1"))
)]
pub async fn get_openapi(
    req: HttpRequest,
    state: web::Data<AppState>,
    spec: web::Data<OpenApiJson>,
    _: Query<()>,
) -> ApiResult<HttpResponse> {
    Ok(software_response(
        &req,
        &state,
        "openapi",
        Representation {
            content_type: "application/vnd.oai.openapi+json;version=3.1",
            body: spec.0.clone(),
            lang: None,
            disposition: None,
            link: None,
        },
    ))
}

async fn redirect_to_docs() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header(("Location", "/v1/docs/"))
        .finish()
}
