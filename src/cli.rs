//! The command line: one binary, one subcommand per job, and how a command's failure is
//! reported (over HTTP the same errors are problem documents: `http::problems`).

use clap::{Parser, Subcommand};

use crate::error::Error;

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
    /// Write bulk downloads of the current data version (GeoPackage, FlatGeobuf, zipped CSV, …)
    /// into DIR/<data_version>/, all or nothing, for `serve` (/v1/downloads) or a CDN.
    Export {
        /// The downloads folder; default $SEGSTAT_DOWNLOADS_DIR.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// Formats to write, comma-separated: gpkg, fgb, csv, area-types, summaries; default all.
        #[arg(long, value_delimiter = ',')]
        formats: Vec<String>,
        /// Write a version that is exported already again, and swap it in.
        #[arg(long)]
        replace: bool,
    },
    /// Write the synthetic national dataset (SCB formats, labelled synthetic) into a folder.
    GenerateSynthetic {
        /// Same seed, same dataset.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Border vertices to aim for per RegSO and DeSO, as real borders have (SCB's RegSO:
        /// median about 450; 580 gives that median once cells are cut by kommun borders); 0 keeps
        /// straight Voronoi edges, which cut and load fastest.
        #[arg(long, default_value_t = 580)]
        vertices: u32,
        /// Where to write; default target/synthetic-<seed>.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// The real bundle whose codes and kommun boundaries it builds on.
        #[arg(long)]
        data_dir: Option<std::path::PathBuf>,
    },
    /// Replay SCB's PxWebApi 2 offline: the real table metadata of data/scb-metadata with
    /// synthetic values (labelled so), for the SCB import's tests and benchmarks.
    ReplayScb(ReplayArgs),
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
    /// Fetch a table (PxWebApi 2) and boundary layers (WFS) from SCB and import them together
    /// with the bundled codes and boundaries. Honours SCB's limit of 30 calls per 10 s.
    Scb(Box<ScbArgs>),
    /// A synthetic dataset written by `generate-synthetic` (replaces whatever was loaded; every
    /// response is then marked synthetic).
    Synthetic {
        #[arg(long)]
        dir: std::path::PathBuf,
    },
}

#[derive(Debug, clap::Args)]
pub struct ScbArgs {
    /// PxWebApi 2 base URL.
    #[arg(long, default_value = "https://statistikdatabasen.scb.se/api/v2")]
    pub pxweb_url: String,
    /// SCB's WFS endpoint.
    #[arg(long, default_value = "https://geodata.scb.se/geoserver/stat/wfs")]
    pub wfs_url: String,
    /// Every table the indicator catalogue reads (the whole barometer: index, area types,
    /// population, economic standard, income, work, education, housing), every year, every
    /// level from riket to DeSO, both division versions. Resumable: a rerun fetches only
    /// what is missing from --keep.
    #[arg(long, conflicts_with_all = ["table", "selections", "chunk"])]
    pub all: bool,
    /// With --all: only these kommuner (and their län, riket, RegSO and DeSO), comma-separated.
    #[arg(long, value_delimiter = ',', requires = "all")]
    pub municipalities: Vec<String>,
    /// A table id such as TAB638; its contents codes must be in the indicator catalogue.
    #[arg(long)]
    pub table: Option<String>,
    /// A selection for the table, DIM=code,code (repeatable), sent as valueCodes[DIM].
    #[arg(long = "select", value_parser = parse_selection)]
    pub selections: Vec<(String, Vec<String>)>,
    /// Split the selected codes of one dimension over several calls: DIM:N.
    #[arg(long, value_parser = parse_chunk)]
    pub chunk: Option<(String, usize)>,
    /// A WFS layer: RegSO_2020, RegSO_2025, DeSO_2018 or DeSO_2025 (repeatable).
    #[arg(long = "layer")]
    pub layers: Vec<String>,
    /// Features per WFS page.
    #[arg(long, default_value_t = 1000)]
    pub page_size: usize,
    /// The bundled data folder (codes, catalogue, the other boundaries).
    #[arg(long)]
    pub data_dir: Option<std::path::PathBuf>,
    /// Where to keep the fetched files.
    #[arg(long, default_value = "target/scb-fetch")]
    pub keep: std::path::PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8090")]
    pub bind: String,
    /// The bundled data folder; default: $SEGSTAT_DATA_DIR, ./data, /usr/share/segstat/data.
    #[arg(long)]
    pub data_dir: Option<std::path::PathBuf>,
    /// Serve only these kommuner (comma-separated), with riket, their län, RegSO and DeSO.
    #[arg(long, value_delimiter = ',')]
    pub municipalities: Vec<String>,
    /// Same seed, same values.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Cells one data call may select, as SCB's maxDataCells.
    #[arg(long, default_value_t = 150_000)]
    pub max_cells: u64,
    /// Calls allowed per window over all clients, as SCB's maxCallsPerTimeWindow.
    #[arg(long, default_value_t = 30)]
    pub calls: u32,
    /// The window of the call limit, in seconds.
    #[arg(long, default_value_t = 10)]
    pub window_secs: u64,
}

impl ReplayArgs {
    pub fn options(&self) -> crate::synthetic::replay::ReplayOptions {
        crate::synthetic::replay::ReplayOptions {
            data_dir: self.data_dir.clone(),
            municipalities: self
                .municipalities
                .iter()
                .map(|m| m.trim().to_owned())
                .filter(|m| !m.is_empty())
                .collect(),
            seed: self.seed,
            max_cells: self.max_cells,
            calls: self.calls,
            window: std::time::Duration::from_secs(self.window_secs),
        }
    }
}

fn parse_selection(s: &str) -> Result<(String, Vec<String>), String> {
    let (dim, codes) = s.split_once('=').ok_or("expected DIM=code,code")?;
    let codes: Vec<String> = codes
        .split(',')
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect();
    if dim.trim().is_empty() || codes.is_empty() {
        return Err("expected DIM=code,code".into());
    }
    Ok((dim.trim().to_owned(), codes))
}

fn parse_chunk(s: &str) -> Result<(String, usize), String> {
    let (dim, n) = s.split_once(':').ok_or("expected DIM:N")?;
    let n: usize = n
        .parse()
        .ok()
        .filter(|&n| n > 0)
        .ok_or("N must be a positive number")?;
    Ok((dim.to_owned(), n))
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

/// A failed command as the command line reports it: the message for stderr and the exit
/// status. A mistake on the command line ([`Error::Usage`]) exits 2 and points to `--help`, as
/// clap does for the mistakes it catches itself; any other failure exits 1.
pub fn failure(error: &Error) -> (String, u8) {
    match error {
        Error::Usage(_) => (format!("segstat: {error}\nsee `segstat --help`"), 2),
        _ => (format!("segstat: {error}"), 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_mistakes_exit_2_and_point_to_help_other_failures_exit_1() {
        let (message, status) = failure(&Error::Usage("--formats: \"xlsx\" is unknown".into()));
        assert_eq!(status, 2);
        assert_eq!(
            message,
            "segstat: --formats: \"xlsx\" is unknown\nsee `segstat --help`"
        );
        let (message, status) = failure(&Error::Internal("boom".into()));
        assert_eq!(status, 1);
        assert_eq!(message, "segstat: internal error: boom");
    }
}
