//! The replay's HTTP side: PxWebApi 2's `/config`, `/tables/{id}/metadata` and
//! `/tables/{id}/data` (GET and POST), at the root and under `/api/v2`, with SCB's call limit
//! over a sliding window, problem+json errors, and counters a test can read.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use actix_web::dev::ServerHandle;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, HttpServer};
use serde_json::json;

use super::selection::{cells, parse_body, parse_query, resolve};
use super::{jsonstat, Replay, ReplayTable};
use crate::error::{Error, Result};

/// What a replay has answered so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReplayStats {
    /// `/config` calls answered.
    pub config_calls: u64,
    /// Metadata documents served.
    pub metadata_calls: u64,
    /// Datasets served.
    pub data_calls: u64,
    /// Calls refused for going over the call limit.
    pub too_many_requests: u64,
    /// Calls refused as bad requests (selection, cells, language, format).
    pub bad_requests: u64,
    /// Unknown tables and paths.
    pub not_found: u64,
}

#[derive(Default)]
struct Counters {
    config_calls: AtomicU64,
    metadata_calls: AtomicU64,
    data_calls: AtomicU64,
    too_many_requests: AtomicU64,
    bad_requests: AtomicU64,
    not_found: AtomicU64,
}

struct Shared {
    replay: Replay,
    /// When each call admitted within the current window arrived, oldest first.
    window: Mutex<VecDeque<Instant>>,
    counters: Counters,
}

impl Shared {
    fn stats(&self) -> ReplayStats {
        let c = &self.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        ReplayStats {
            config_calls: get(&c.config_calls),
            metadata_calls: get(&c.metadata_calls),
            data_calls: get(&c.data_calls),
            too_many_requests: get(&c.too_many_requests),
            bad_requests: get(&c.bad_requests),
            not_found: get(&c.not_found),
        }
    }

    /// Admits a call, or answers 429 with the whole seconds until the oldest call leaves the
    /// window (at least 1).
    fn admit(&self) -> Result<(), HttpResponse> {
        let options = &self.replay.options;
        let now = Instant::now();
        let mut calls = self.window.lock().unwrap_or_else(|e| e.into_inner());
        while calls
            .front()
            .is_some_and(|&t| now.duration_since(t) >= options.window)
        {
            calls.pop_front();
        }
        if calls.len() < options.calls as usize {
            calls.push_back(now);
            return Ok(());
        }
        let frees_at = calls.front().map_or(now, |&t| t + options.window);
        let wait = frees_at.duration_since(now);
        let seconds = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
        self.counters
            .too_many_requests
            .fetch_add(1, Ordering::Relaxed);
        let mut response = problem(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "More than {} calls within {} seconds; retry in {seconds} s",
                options.calls,
                options.window.as_secs_f64()
            ),
        );
        response.headers_mut().insert(
            actix_web::http::header::RETRY_AFTER,
            actix_web::http::header::HeaderValue::from(seconds),
        );
        Err(response)
    }

    fn bad_request(&self, detail: String) -> HttpResponse {
        self.counters.bad_requests.fetch_add(1, Ordering::Relaxed);
        problem(StatusCode::BAD_REQUEST, detail)
    }

    fn not_found(&self, detail: String) -> HttpResponse {
        self.counters.not_found.fetch_add(1, Ordering::Relaxed);
        problem(StatusCode::NOT_FOUND, detail)
    }

    fn table(&self, id: &str) -> Result<&ReplayTable, HttpResponse> {
        self.replay
            .table(id)
            .ok_or_else(|| self.not_found(format!("No table with the id {id}")))
    }

    /// `lang` and `outputFormat` as this replay can honour them.
    fn check_format(&self, lang: Option<&str>, format: Option<&str>) -> Result<(), HttpResponse> {
        if let Some(lang) = lang.filter(|l| !matches!(*l, "sv" | "en")) {
            return Err(self.bad_request(format!(
                "The language {lang:?} is not supported; use sv or en"
            )));
        }
        if let Some(format) = format.filter(|f| !f.eq_ignore_ascii_case("json-stat2")) {
            return Err(self.bad_request(format!(
                "The output format {format:?} is not replayed; use json-stat2"
            )));
        }
        Ok(())
    }
}

/// An RFC 9457 problem as PxWebApi 2 (ASP.NET) writes it.
fn problem(status: StatusCode, detail: String) -> HttpResponse {
    let kind = match status {
        StatusCode::BAD_REQUEST => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        StatusCode::NOT_FOUND => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        StatusCode::TOO_MANY_REQUESTS => "https://tools.ietf.org/html/rfc6585#section-4",
        _ => "about:blank",
    };
    let body = json!({
        "type": kind,
        "title": status.canonical_reason().unwrap_or_default(),
        "status": status.as_u16(),
        "detail": detail,
    });
    HttpResponse::build(status)
        .content_type("application/problem+json")
        .body(body.to_string())
}

/// A document built off the worker: its bytes, `None` for an unknown table.
type Built = Result<Option<Result<Vec<u8>, serde_json::Error>>, actix_web::error::BlockingError>;

/// The answer to a built document, counted in `served` when it is one.
fn respond(state: &Shared, built: Built, served: &AtomicU64) -> HttpResponse {
    match built {
        Ok(Some(Ok(body))) => {
            served.fetch_add(1, Ordering::Relaxed);
            HttpResponse::Ok()
                .content_type("application/json; charset=utf-8")
                .body(body)
        }
        Ok(None) => state.not_found("No such table".into()),
        Ok(Some(Err(e))) => problem(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

type State = web::Data<Arc<Shared>>;

async fn config(state: State) -> HttpResponse {
    if let Err(refused) = state.admit() {
        return refused;
    }
    state.counters.config_calls.fetch_add(1, Ordering::Relaxed);
    let o = &state.replay.options;
    HttpResponse::Ok().json(json!({
        "apiVersion": "2.0.0",
        "appVersion": "segstat-replay",
        "languages": [{"id": "sv", "label": "Svenska"}, {"id": "en", "label": "English"}],
        "defaultLanguage": "sv",
        "maxDataCells": o.max_cells,
        "maxCallsPerTimeWindow": o.calls,
        "timeWindow": o.window.as_secs(),
        "license": "CC0",
        "sourceReferences": [{"language": "en", "text": jsonstat::SOURCE}],
        "defaultDataFormat": "json-stat2",
        "dataFormats": ["json-stat2"],
        "features": [],
    }))
}

async fn metadata(state: State, path: web::Path<String>, req: HttpRequest) -> HttpResponse {
    if let Err(refused) = state.admit() {
        return refused;
    }
    let query = parse_query(req.query_string());
    if let Err(refused) = state.check_format(query.lang.as_deref(), query.output_format.as_deref())
    {
        return refused;
    }
    if let Err(refused) = state.table(&path) {
        return refused;
    }
    let shared = state.get_ref().clone();
    let id = path.into_inner();
    let built = web::block(move || {
        let table = shared.replay.table(&id)?;
        Some(serde_json::to_vec(&jsonstat::metadata(table)))
    })
    .await;
    respond(&state, built, &state.counters.metadata_calls)
}

async fn data(
    state: State,
    path: web::Path<String>,
    req: HttpRequest,
    body: Option<web::Bytes>,
) -> HttpResponse {
    if let Err(refused) = state.admit() {
        return refused;
    }
    let query = parse_query(req.query_string());
    if let Err(refused) = state.check_format(query.lang.as_deref(), query.output_format.as_deref())
    {
        return refused;
    }
    let table = match state.table(&path) {
        Ok(t) => t,
        Err(refused) => return refused,
    };
    let selection = match body.filter(|_| req.method() == actix_web::http::Method::POST) {
        Some(body) => match parse_body(&body) {
            Ok(selection) => selection,
            Err(detail) => return state.bad_request(detail),
        },
        None => query.selection,
    };
    let positions = match resolve(&table.dimensions, &selection) {
        Ok(p) => p,
        Err(detail) => return state.bad_request(detail),
    };
    let n = cells(&positions);
    let max = state.replay.options.max_cells;
    if n > max {
        return state.bad_request(format!("Too many data cells selected: {n} > {max}"));
    }
    let shared = state.get_ref().clone();
    let id = path.into_inner();
    let built = web::block(move || {
        let table = shared.replay.table(&id)?;
        let values = shared.replay.values(table, &positions);
        Some(serde_json::to_vec(&jsonstat::dataset(
            table, &positions, &values,
        )))
    })
    .await;
    respond(&state, built, &state.counters.data_calls)
}

async fn unknown(state: State, req: HttpRequest) -> HttpResponse {
    if let Err(refused) = state.admit() {
        return refused;
    }
    state.not_found(format!("No resource at {}", req.path()))
}

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/config", web::get().to(config))
        .route("/tables/{id}/metadata", web::get().to(metadata))
        .route("/tables/{id}/data", web::get().to(data))
        .route("/tables/{id}/data", web::post().to(data));
}

fn server(
    shared: Arc<Shared>,
    bind: &str,
    workers: usize,
) -> std::io::Result<(actix_web::dev::Server, SocketAddr)> {
    let data = web::Data::new(shared);
    let http = HttpServer::new(move || {
        actix_web::App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(1 << 20))
            .service(web::scope("/api/v2").configure(routes))
            .configure(routes)
            .default_service(web::to(unknown))
    })
    .workers(workers)
    .shutdown_timeout(1)
    .bind(bind)?;
    let addr = http
        .addrs()
        .first()
        .copied()
        .ok_or_else(|| std::io::Error::other(format!("{bind} gave no address")))?;
    Ok((http.disable_signals().run(), addr))
}

fn shared(replay: Replay) -> Arc<Shared> {
    Arc::new(Shared {
        replay,
        window: Mutex::new(VecDeque::new()),
        counters: Counters::default(),
    })
}

/// Serves a replay on the caller's actix system until interrupted (`segstat replay-scb`).
pub async fn serve(replay: Replay, bind: &str) -> Result<()> {
    let shared = shared(replay);
    let (http, addr) = server(shared, bind, 2)?;
    let handle = http.handle();
    log::info!("replaying SCB PxWebApi 2 (synthetic values) on http://{addr}");
    actix_web::rt::spawn(async move {
        if actix_web::rt::signal::ctrl_c().await.is_ok() {
            handle.stop(true).await;
        }
    });
    http.await?;
    Ok(())
}

/// A replay served on its own thread and actix system; dropping it (or `stop`) ends it.
pub struct ReplayHandle {
    server: Option<ServerHandle>,
    thread: Option<std::thread::JoinHandle<()>>,
    shared: Arc<Shared>,
}

impl ReplayHandle {
    pub fn stats(&self) -> ReplayStats {
        self.shared.stats()
    }

    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        if let Some(server) = self.server.take() {
            // A fresh thread: the caller may be inside a runtime of its own.
            let stopper = std::thread::spawn(move || {
                actix_web::rt::System::new().block_on(server.stop(false))
            });
            let _ = stopper.join();
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for ReplayHandle {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// Serves a replay on its own thread; `bind` may be `127.0.0.1:0` for a free port.
pub fn spawn(replay: Replay, bind: &str) -> Result<(SocketAddr, ReplayHandle)> {
    let shared = shared(replay);
    let (sender, receiver) = std::sync::mpsc::channel();
    let bind = bind.to_owned();
    let for_server = shared.clone();
    let thread = std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            match server(for_server, &bind, 1) {
                Ok((http, addr)) => {
                    let _ = sender.send(Ok((addr, http.handle())));
                    let _ = http.await;
                }
                Err(e) => {
                    let _ = sender.send(Err(e));
                }
            }
        });
    });
    let (addr, server) = receiver
        .recv()
        .map_err(|_| Error::Internal("the replay thread ended before it bound".into()))??;
    Ok((
        addr,
        ReplayHandle {
            server: Some(server),
            thread: Some(thread),
            shared,
        },
    ))
}
