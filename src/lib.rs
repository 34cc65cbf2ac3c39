//! Open-data API for Sweden's socio-economic segregation statistics.
//!
//! `ARCHITECTURE.md` maps the modules; in short: `db` holds every query, `http` the request and
//! response machinery shared by all endpoints, `api` the endpoints themselves (thin handlers),
//! `openapi` the generated spec, `app` the application put together from them.

pub mod api;
pub mod api_error;
pub mod app;
pub mod cli;
pub mod config;
pub mod convert;
pub mod db;
pub mod domain;
pub mod error;
pub mod export;
pub mod geo;
pub mod http;
pub mod import;
pub mod limits;
pub mod metrics;
#[cfg(test)]
mod module_graph;
pub mod network;
pub mod openapi;
pub mod render;
pub mod server;
pub mod state;
pub mod synthetic;
pub mod usecase;

pub use config::Config;
pub use error::{Error, Result};
pub use state::AppState;
