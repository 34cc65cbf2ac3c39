//! Every endpoint family, in the order the OpenAPI document lists them: the server's routes
//! (`configure`) and the document's operations (`openapi::document`) are both this one list.

use actix_web::web;

use super::routes::Routes;
use super::{
    areas, changes, data, docs, downloads, explorer, features, indicators, landing, lookup, meta,
    ogc_tiles, problems, summaries, system, tiles,
};

/// Registers every route; `app` wraps them in the shared middleware.
pub fn configure(cfg: &mut web::ServiceConfig) {
    register(&mut Routes::new(cfg));
}

/// Registers every route with `routes`, which keeps the list (see [`super::routes`]).
pub fn register(routes: &mut Routes) {
    // In the order the OpenAPI document lists the operations.
    system::routes(routes);
    landing::routes(routes);
    meta::routes(routes);
    docs::routes(routes);
    problems::routes(routes);
    areas::routes(routes);
    changes::routes(routes);
    indicators::routes(routes);
    data::routes(routes);
    summaries::routes(routes);
    lookup::routes(routes);
    features::routes(routes);
    tiles::routes(routes);
    ogc_tiles::routes(routes);
    downloads::routes(routes);
    explorer::routes(routes);
}
