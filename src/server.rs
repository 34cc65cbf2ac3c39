//! The `serve` and `migrate` commands: start-up checks, the HTTP server, and the background
//! refresh of the data version.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use actix_web::{web, HttpServer};
use diesel::connection::SimpleConnection;

use crate::app::app;
use crate::config::{redact_url, Config};
use crate::convert::{f64_from_u64, u64_from_usize};
use crate::db::{self, READER_ROLE};
use crate::error::{Error, Result};
use crate::state::AppState;

/// Checks what `serve` needs before it binds: a reachable database (with a bounded wait), every
/// migration applied, and a login allowed to switch to the read-only role.
pub fn preflight(config: &Config) -> Result<()> {
    let mut conn = db::wait_for_database(&config.database_url, config.db_wait)?;
    if !db::migrations::is_up_to_date(&mut conn)? {
        return Err(Error::Migration(format!(
            "the database at {} lacks migrations this server needs; run `segstat migrate`",
            redact_url(&config.database_url)
        )));
    }
    conn.batch_execute(&format!("SET ROLE {READER_ROLE}; RESET ROLE"))
        .map_err(|e| {
            Error::Migration(format!(
                "the login in DATABASE_URL cannot read through the role {READER_ROLE} ({e}); \
                 grant it with: GRANT {READER_ROLE} TO <login>"
            ))
        })?;
    Ok(())
}

pub async fn serve(config: Config) -> Result<()> {
    let wait_config = config.clone();
    web::block(move || preflight(&wait_config)).await??;
    let bind = config.bind;
    let workers = config.workers;
    let refresh = config.refresh_interval;
    let state = web::Data::new(AppState::new(config));
    if let Err(e) = state.refresh().await {
        log::warn!("could not read the data version yet: {e}");
    }
    let refresher = state.clone();
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(refresh);
        loop {
            tick.tick().await;
            match refresher.refresh().await {
                // Ready the point lookup of a new version before the first lookup needs it.
                Ok(_) => {
                    refresher.locator().await;
                }
                Err(e) => log::debug!("data version refresh failed: {e}"),
            }
        }
    });
    log::info!("listening on http://{bind} (API at /v1, docs at /v1/docs/)");
    HttpServer::new(move || app(state.clone()))
        .workers(workers)
        // Answers are written whole, so nothing is gained by waiting to coalesce small writes;
        // a streamed body (a download) would otherwise wait on the client's delayed ACK
        // (about 40 ms) between its head and its first bytes on a kept-alive connection.
        .on_connect(|conn, _| {
            if let Some(tcp) = conn.downcast_ref::<actix_web::rt::net::TcpStream>() {
                if let Err(e) = tcp.set_nodelay(true) {
                    log::debug!("TCP_NODELAY not set: {e}");
                }
            }
        })
        .bind(bind)
        .map_err(|e| {
            Error::Io(std::io::Error::new(
                e.kind(),
                format!("cannot listen on {bind}: {e}"),
            ))
        })?
        .shutdown_timeout(10)
        // A client gets 5 s to send its request head (slow-loris clients are cut off with a
        // 408) and 1 s to close after the answer; idle keep-alive connections close after 30 s.
        .client_request_timeout(Duration::from_secs(5))
        .client_disconnect_timeout(Duration::from_secs(1))
        .keep_alive(Duration::from_secs(30))
        .run()
        .await?;
    Ok(())
}

pub fn migrate(config: &Config, revert_all: bool) -> Result<()> {
    let mut conn = db::wait_for_database(&config.database_url, config.db_wait)?;
    let names = if revert_all {
        db::migrations::revert_all(&mut conn)?
    } else {
        db::migrations::run_pending(&mut conn)?
    };
    let verb = if revert_all { "reverted" } else { "applied" };
    if names.is_empty() {
        log::info!("no migrations {verb}; the database is up to date");
    }
    for name in names {
        log::info!("{verb} migration {name}");
    }
    Ok(())
}

fn migrated_connection(config: &Config) -> Result<diesel::PgConnection> {
    let mut conn = db::wait_for_database(&config.database_url, config.db_wait)?;
    if !db::migrations::is_up_to_date(&mut conn)? {
        return Err(Error::Migration(
            "the database is not migrated; run `segstat migrate` first".into(),
        ));
    }
    Ok(conn)
}

fn import_with(
    config: &Config,
    dir: &std::path::Path,
    manifest: &crate::import::manifest::Manifest,
) -> Result<()> {
    let mut conn = migrated_connection(config)?;
    let started = std::time::Instant::now();
    // Standbys that keep up stay ready through the import's one long transaction.
    let _heartbeat =
        crate::db::replication::Heartbeat::start(&config.database_url, Duration::from_secs(1));
    let outcome = crate::import::manifest::import(&mut conn, dir, manifest)?;
    log::info!("{} in {:.1?}", String::from(&outcome), started.elapsed());
    Ok(())
}

/// Writes the bulk downloads of the current data version (see [`crate::export`]).
pub fn export(
    config: &Config,
    out: Option<std::path::PathBuf>,
    formats: &[String],
    replace: bool,
) -> Result<()> {
    let formats = crate::export::select_formats(formats)?;
    let root = out.unwrap_or_else(|| config.downloads_dir.clone());
    let mut conn = migrated_connection(config)?;
    let started = std::time::Instant::now();
    let outcome = crate::export::export(&mut conn, &root, &formats, replace)?;
    if outcome.written {
        log::info!(
            "wrote {} files ({:.1} MB) into {} in {:.1?}",
            outcome.files.len(),
            f64_from_u64(outcome.files.iter().map(|f| f.bytes).sum::<u64>()) / 1e6,
            outcome.dir.display(),
            started.elapsed()
        );
    }
    Ok(())
}

pub fn import_bundled(config: &Config, data_dir: Option<std::path::PathBuf>) -> Result<()> {
    let data_dir = match data_dir {
        Some(d) => d,
        None => crate::import::bundled::default_data_dir()?,
    };
    import_with(config, &data_dir, &crate::import::bundled::manifest())
}

/// Fetches from SCB, then imports the fetched table and layers with the bundled codes,
/// catalogue, area types and remaining boundaries.
pub fn import_scb(config: &Config, args: &crate::cli::ScbArgs) -> Result<()> {
    use crate::import::manifest::{Entry, Role, ValueFormat};
    use crate::import::online::{layer_division, Fetcher, RateLimiter, TableRequest};
    let data_dir = match &args.data_dir {
        Some(d) => d.clone(),
        None => crate::import::bundled::default_data_dir()?,
    };
    let layers = args
        .layers
        .iter()
        .map(|l| {
            layer_division(l).map(|d| (l.as_str(), d)).ok_or_else(|| {
                Error::Usage(format!(
                    "--layer {l}: expected RegSO_2020, RegSO_2025, DeSO_2018 or DeSO_2025"
                ))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    if !args.all && args.table.is_none() && layers.is_empty() {
        return Err(Error::Usage(
            "nothing to fetch: give --all, --table and/or --layer".into(),
        ));
    }
    let mut synthetic = false;
    let mut fetched = Vec::new();
    if args.all {
        let catalogue = crate::import::catalogue::Catalogue::parse(&crate::import::Source::read(
            &data_dir.join("catalogue/indicators.json"),
            "catalogue/indicators.json",
        )?)?;
        let started = std::time::Instant::now();
        let got = crate::import::scb::fetch_all(
            &args.pxweb_url,
            &catalogue,
            &args.municipalities,
            &args.keep,
        )?;
        log::info!(
            "fetched {} calls ({} were already in {}) in {:.1?}",
            got.calls_made,
            got.calls_skipped,
            args.keep.display(),
            started.elapsed()
        );
        if got.synthetic {
            log::warn!(
                "{} serves synthetic values (a replay, not SCB): the import is marked synthetic",
                args.pxweb_url
            );
        }
        synthetic = got.synthetic;
        for f in got.data {
            fetched.push((f, Role::Values(ValueFormat::JsonStat), "indicators"));
        }
    }
    let calls = u64_from_usize(args.table.iter().count() + layers.len());
    let mut fetcher = Fetcher::new(&args.keep, calls, RateLimiter::scb())?;
    if let Some(table) = &args.table {
        let req = TableRequest {
            table: table.clone(),
            selections: args.selections.clone(),
            chunk: args.chunk.clone(),
        };
        for f in fetcher.table(&args.pxweb_url, &req)? {
            fetched.push((f, Role::Values(ValueFormat::JsonStat), "indicators"));
        }
    }
    for (layer, (division, code)) in &layers {
        let f = fetcher.layer(&args.wfs_url, layer, args.page_size)?;
        fetched.push((
            f,
            Role::Layer {
                code,
                division: *division,
            },
            "boundaries",
        ));
    }
    fetcher.finish();
    // The bundle without its own indicator tables (the fetched table takes their place) and
    // without the layers of the divisions fetched anew.
    let mut manifest = crate::import::bundled::manifest();
    let table_fetched = args.table.is_some() || args.all;
    manifest.synthetic = synthetic;
    manifest.entries.retain(|e| match &e.role {
        Role::Values(_) => !table_fetched,
        Role::Layer { division, .. } => !layers.iter().any(|(_, (d, _))| d == division),
        _ => true,
    });
    for (f, role, kind) in fetched {
        let path = std::fs::canonicalize(&f.path)?;
        manifest.entries.push(Entry {
            kind,
            path: path.to_string_lossy().into_owned(),
            role,
            source: Some(f.url),
        });
    }
    import_with(config, &data_dir, &manifest)
}

pub fn import_synthetic(config: &Config, dir: &std::path::Path) -> Result<()> {
    import_with(config, dir, &crate::synthetic::manifest())
}

pub fn generate_synthetic(
    config: &Config,
    seed: u64,
    vertices: u32,
    out: Option<std::path::PathBuf>,
    data_dir: Option<std::path::PathBuf>,
) -> Result<()> {
    let data_dir = match data_dir {
        Some(d) => d,
        None => crate::import::bundled::default_data_dir()?,
    };
    let out = out.unwrap_or_else(|| crate::synthetic::default_dir(seed));
    // PostGIS cuts the polygons; any database with PostGIS will do, nothing is stored.
    let mut conn = migrated_connection(config)?;
    let started = std::time::Instant::now();
    let report = crate::synthetic::generate(&mut conn, &data_dir, &out, seed, vertices)?;
    log::info!(
        "wrote the synthetic dataset (seed {seed}, {vertices} vertices per area) to {}: {} files, {} polygons, {} values in {:.1?}",
        out.display(),
        report.files,
        report.polygons,
        report.values,
        started.elapsed()
    );
    Ok(())
}

/// A minimal HTTP/1.0 GET, so the container image needs no curl for its health check.
pub fn healthcheck(url: &str) -> Result<()> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| Error::Usage(format!("{url}: only http:// URLs are supported")))?;
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let mut stream = TcpStream::connect(host)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n")?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head)?;
    if head.starts_with(b"HTTP/1.") && &head[9..12] == b"200" {
        Ok(())
    } else {
        Err(Error::Internal(format!(
            "{url} answered {}",
            String::from_utf8_lossy(&head)
        )))
    }
}
