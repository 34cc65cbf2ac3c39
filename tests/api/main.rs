//! The integration suite: the real application against a real PostgreSQL + PostGIS.
//! One binary; each test owns its database, so tests run in parallel and in any order.

// clippy.toml lets `#[test]` functions unwrap; the helpers they share (support.rs, per-file
// helpers) are test code too, where a panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]
#![allow(
    clippy::as_conversions,
    reason = "test arithmetic on counts and coordinates the tests choose"
)]

mod support;

mod areas;
mod barometer;
mod bodies;
mod caching;
mod changes;
mod cli;
mod data;
mod downloads;
mod errors;
mod explorer;
mod export;
mod features;
mod filter;
mod import;
mod limits;
mod migrations;
mod online;
mod openapi;
mod readme;
mod replication;
mod resilience;
mod summaries;
mod synthetic;
mod system;
mod tiles;
mod versions;
