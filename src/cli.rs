//! The command line: one binary, one subcommand per job.

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "segstat",
    version,
    about = "Open-data API for Sweden's socio-economic segregation statistics",
    after_help = settings_help()
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API (read-only; run `migrate` first).
    Serve,
    /// Apply pending database migrations (the embedded ones).
    Migrate {
        /// Revert every migration instead, dropping all tables (development only).
        #[arg(long)]
        revert_all: bool,
    },
    /// Import data (in one transaction: it lands whole or changes nothing).
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// Write the synthetic national dataset (SCB formats, labelled synthetic) into a folder.
    GenerateSynthetic {
        /// Same seed, same dataset.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write; default target/synthetic-<seed>.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// The real bundle whose codes and kommun boundaries it builds on.
        #[arg(long)]
        data_dir: Option<std::path::PathBuf>,
    },
    /// Print the OpenAPI document (the contents of openapi/openapi.json).
    Openapi,
    /// Exit 0 when the server at URL answers /health with 200 (for container health checks).
    Healthcheck {
        #[arg(long, default_value = "http://127.0.0.1:8080/health")]
        url: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// The real SCB dataset shipped in data/ (replaces whatever was loaded).
    Bundled {
        /// The data folder; default: $SEGSTAT_DATA_DIR, ./data, /usr/share/segstat/data.
        #[arg(long)]
        data_dir: Option<std::path::PathBuf>,
    },
    /// A synthetic dataset written by `generate-synthetic` (replaces whatever was loaded; every
    /// response is then marked synthetic).
    Synthetic {
        #[arg(long)]
        dir: std::path::PathBuf,
    },
}

fn settings_help() -> String {
    let mut text = String::from("Environment variables:\n");
    for s in crate::config::SETTINGS {
        text.push_str(&format!(
            "  {:<30} {} (default {})\n",
            s.name, s.meaning, s.default
        ));
    }
    text
}
