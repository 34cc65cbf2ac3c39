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

use super::data::{Replay, ReplayTable};
use super::jsonstat;
use super::selection::{cells, parse_body, parse_query, resolve};
use crate::convert::usize_from_u32;
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

    /// Admits a call, or refuses it with the whole seconds until the oldest call leaves the
    /// window (at least 1).
    fn admit(&self) -> Result<(), Refusal> {
        let options = &self.replay.options;
        let now = Instant::now();
        let mut calls = self.window.lock().unwrap_or_else(|e| e.into_inner());
        while calls
            .front()
            .is_some_and(|&t| now.duration_since(t) >= options.window)
        {
            calls.pop_front();
        }
        if calls.len() < usize_from_u32(options.calls) {
            calls.push_back(now);
            return Ok(());
        }
        let frees_at = calls.front().map_or(now, |&t| t + options.window);
        let wait = frees_at.duration_since(now);
        let seconds = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
        Err(Refusal::TooManyCalls {
            retry_after: seconds,
            detail: format!(
                "More than {} calls within {} seconds; retry in {seconds} s",
                options.calls,
                options.window.as_secs_f64()
            ),
        })
    }

    fn table(&self, id: &str) -> Result<&ReplayTable, Refusal> {
        self.replay
            .table(id)
            .ok_or_else(|| Refusal::NotFound(format!("No table with the id {id}")))
    }

    /// The answer to a handler's outcome; refusals are counted and written as problems.
    fn answer(&self, outcome: Result<HttpResponse, Refusal>) -> HttpResponse {
        let c = &self.counters;
        match outcome {
            Ok(response) => response,
            Err(Refusal::BadRequest(detail)) => {
                c.bad_requests.fetch_add(1, Ordering::Relaxed);
                problem(StatusCode::BAD_REQUEST, detail)
            }
            Err(Refusal::NotFound(detail)) => {
                c.not_found.fetch_add(1, Ordering::Relaxed);
                problem(StatusCode::NOT_FOUND, detail)
            }
            Err(Refusal::TooManyCalls {
                retry_after,
                detail,
            }) => {
                c.too_many_requests.fetch_add(1, Ordering::Relaxed);
                let mut response = problem(StatusCode::TOO_MANY_REQUESTS, detail);
                response.headers_mut().insert(
                    actix_web::http::header::RETRY_AFTER,
                    actix_web::http::header::HeaderValue::from(retry_after),
                );
                response
            }
            Err(Refusal::Internal(detail)) => problem(StatusCode::INTERNAL_SERVER_ERROR, detail),
        }
    }
}

/// Why a call is not answered with a document.
enum Refusal {
    BadRequest(String),
    NotFound(String),
    TooManyCalls { retry_after: u64, detail: String },
    Internal(String),
}

/// `lang` and `outputFormat` as this replay can honour them.
fn check_format(lang: Option<&str>, format: Option<&str>) -> Result<(), Refusal> {
    if let Some(lang) = lang.filter(|l| !matches!(*l, "sv" | "en")) {
        return Err(Refusal::BadRequest(format!(
            "The language {lang:?} is not supported; use sv or en"
        )));
    }
    if let Some(format) = format.filter(|f| !f.eq_ignore_ascii_case("json-stat2")) {
        return Err(Refusal::BadRequest(format!(
            "The output format {format:?} is not replayed; use json-stat2"
        )));
    }
    Ok(())
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

/// Builds a document off the worker (a national table is megabytes) and counts it in `served`.
async fn build_off_worker<F>(served: &AtomicU64, build: F) -> Result<HttpResponse, Refusal>
where
    F: FnOnce() -> Option<Result<Vec<u8>, serde_json::Error>> + Send + 'static,
{
    let body = web::block(build)
        .await
        .map_err(|e| Refusal::Internal(e.to_string()))?
        .ok_or_else(|| Refusal::NotFound("No such table".into()))?
        .map_err(|e| Refusal::Internal(e.to_string()))?;
    served.fetch_add(1, Ordering::Relaxed);
    Ok(HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        .body(body))
}

type State = web::Data<Arc<Shared>>;

async fn config(state: State) -> HttpResponse {
    state.answer(state.admit().map(|()| {
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
    }))
}

async fn metadata(state: State, path: web::Path<String>, req: HttpRequest) -> HttpResponse {
    let outcome = async {
        state.admit()?;
        let query = parse_query(req.query_string());
        check_format(query.lang.as_deref(), query.output_format.as_deref())?;
        state.table(&path)?;
        let shared = state.get_ref().clone();
        let id = path.into_inner();
        build_off_worker(&state.counters.metadata_calls, move || {
            let table = shared.replay.table(&id)?;
            Some(serde_json::to_vec(&jsonstat::metadata(table)))
        })
        .await
    };
    state.answer(outcome.await)
}

async fn data(
    state: State,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let outcome = async {
        state.admit()?;
        let query = parse_query(req.query_string());
        check_format(query.lang.as_deref(), query.output_format.as_deref())?;
        let table = state.table(&path)?;
        let selection = if req.method() == actix_web::http::Method::POST {
            parse_body(&body).map_err(Refusal::BadRequest)?
        } else {
            query.selection
        };
        let positions = resolve(&table.dimensions, &selection).map_err(Refusal::BadRequest)?;
        let n = cells(&positions);
        let max = state.replay.options.max_cells;
        if n > max {
            return Err(Refusal::BadRequest(format!(
                "Too many data cells selected: {n} > {max}"
            )));
        }
        let shared = state.get_ref().clone();
        let id = path.into_inner();
        build_off_worker(&state.counters.data_calls, move || {
            let table = shared.replay.table(&id)?;
            let values = shared.replay.values(table, &positions);
            Some(serde_json::to_vec(&jsonstat::dataset(
                table, &positions, &values,
            )))
        })
        .await
    };
    state.answer(outcome.await)
}

async fn unknown(state: State, req: HttpRequest) -> HttpResponse {
    let outcome = state
        .admit()
        .and_then(|()| Err(Refusal::NotFound(format!("No resource at {}", req.path()))));
    state.answer(outcome)
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

#[cfg(test)]
#[allow(
    clippy::as_conversions,
    reason = "test arithmetic on small known values"
)]
mod tests {
    use std::time::Duration;

    use serde_json::Value;

    use super::super::{load, ReplayOptions};
    use super::*;

    struct Answer {
        status: u16,
        content_type: String,
        retry_after: Option<String>,
        body: Value,
    }

    fn answer(result: Result<ureq::Response, ureq::Error>) -> Answer {
        let response = match result {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{e}"),
        };
        Answer {
            status: response.status(),
            content_type: response.content_type().to_owned(),
            retry_after: response.header("Retry-After").map(str::to_owned),
            body: serde_json::from_str(&response.into_string().unwrap()).unwrap(),
        }
    }

    fn start(options: ReplayOptions) -> (String, ReplayHandle) {
        let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        let replay = load(ReplayOptions {
            data_dir: Some(data),
            ..options
        })
        .unwrap();
        let (addr, handle) = spawn(replay, "127.0.0.1:0").unwrap();
        (format!("http://{addr}"), handle)
    }

    fn stockholm() -> ReplayOptions {
        ReplayOptions {
            municipalities: vec!["0180".into(), "0114".into()],
            ..ReplayOptions::default()
        }
    }

    #[test]
    fn metadata_lists_the_served_regions_and_says_synthetic() {
        let (base, handle) = start(stockholm());
        let config = answer(ureq::get(&format!("{base}/config")).call());
        assert_eq!(config.body["maxDataCells"], 150_000);
        assert_eq!(config.body["maxCallsPerTimeWindow"], 30);
        assert_eq!(config.body["timeWindow"], 10);
        let meta = answer(
            ureq::get(&format!(
                "{base}/api/v2/tables/TAB6574/metadata?lang=en&outputFormat=json-stat2"
            ))
            .call(),
        );
        assert_eq!(meta.status, 200);
        let doc = &meta.body;
        assert_eq!(
            doc["id"],
            serde_json::json!(["Region", "Alder", "Kon", "ContentsCode", "Tid"])
        );
        assert_eq!(doc["extension"]["synthetic"], true);
        assert_eq!(doc["extension"]["px"]["tableid"], "TAB6574");
        assert!(doc["source"].as_str().unwrap().contains("synthetic values"));
        let index = doc["dimension"]["Region"]["category"]["index"]
            .as_object()
            .unwrap();
        assert_eq!(doc["size"][0].as_u64().unwrap() as usize, index.len());
        // Riket, Stockholms län, the two kommuner first, then their DeSO and RegSO.
        for (code, at) in [("00", 0), ("01", 1), ("0114", 2), ("0180", 3)] {
            assert_eq!(index[code], at, "{code}");
        }
        assert!(index.contains_key("0180R001_RegSO2025") && index.contains_key("0180R001"));
        assert!(index
            .keys()
            .all(|c| c.len() <= 2 || c.starts_with("0180") || c.starts_with("0114")));
        assert_eq!(
            doc["dimension"]["Region"]["extension"]["codelists"]
                .as_array()
                .unwrap()
                .len(),
            7
        );
        assert_eq!(doc["value"], serde_json::json!([]));
        assert_eq!(handle.stats().metadata_calls, 1);
        assert_eq!(handle.stats().config_calls, 1);
        handle.stop();
    }

    #[test]
    fn whole_country_region_sizes_match_scb_heads() {
        let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        let replay = load(ReplayOptions {
            data_dir: Some(data),
            ..ReplayOptions::default()
        })
        .unwrap();
        for (id, size) in [("TAB6574", 19182), ("TAB6586", 6726), ("TAB6680", 18870)] {
            let table = replay.table(id).unwrap();
            assert_eq!(table.regions.len(), size, "{id}");
        }
    }

    #[test]
    fn get_and_post_select_the_same_cells_in_the_order_asked() {
        let (base, handle) = start(stockholm());
        let get = answer(
            ureq::get(&format!(
                "{base}/tables/TAB6574/data?lang=en&outputFormat=json-stat2\
                 &valueCodes[Region]=0180,00,0180R001&valuecodes%5BAlder%5D=totalt\
                 &valueCodes[Kon]=1,2,1%2B2&valueCodes[ContentsCode]=*&valueCodes[Tid]=2023,2024"
            ))
            .call(),
        );
        assert_eq!(get.status, 200);
        let doc = &get.body;
        assert_eq!(doc["size"], serde_json::json!([3, 1, 3, 1, 2]));
        assert_eq!(doc["dimension"]["Region"]["category"]["index"]["0180"], 0);
        assert_eq!(doc["dimension"]["Region"]["category"]["index"]["00"], 1);
        let values = doc["value"].as_array().unwrap();
        assert_eq!(values.len(), 18);
        let at = |r: usize, k: usize, t: usize| values[r * 6 + k * 2 + t].clone();
        for r in 0..2 {
            for t in 0..2 {
                let sum = at(r, 0, t).as_i64().unwrap() + at(r, 1, t).as_i64().unwrap();
                assert_eq!(sum, at(r, 2, t).as_i64().unwrap());
            }
        }
        // RegSO 2020 in 2024 is outside its version: null with status "..".
        assert_eq!(at(2, 0, 1), Value::Null);
        assert_eq!(doc["status"][(2 * 6 + 1).to_string()], "..");
        assert_eq!(doc["extension"]["synthetic"], true);
        let post = answer(
            ureq::post(&format!(
                "{base}/tables/TAB6574/data?lang=en&outputFormat=json-stat2"
            ))
            .set("Content-Type", "application/json")
            .send_string(
                &serde_json::json!({"selection": [
                    {"variableCode": "Region", "valueCodes": ["0180", "00", "0180R001"]},
                    {"variableCode": "Alder", "valueCodes": ["totalt"]},
                    {"variableCode": "Kon", "valueCodes": ["1", "2", "1+2"]},
                    {"variableCode": "ContentsCode", "valueCodes": ["*"]},
                    {"variableCode": "Tid", "valueCodes": ["2023", "2024"]}
                ]})
                .to_string(),
            ),
        );
        assert_eq!(post.status, 200);
        assert_eq!(post.body, get.body);
        assert_eq!(handle.stats().data_calls, 2);
    }

    #[test]
    fn bad_selections_are_refused_as_problems() {
        let (base, handle) = start(ReplayOptions {
            max_cells: 100,
            ..stockholm()
        });
        let url =
            |q: &str| format!("{base}/tables/TAB6586/data?lang=en&outputFormat=json-stat2&{q}");
        let missing =
            answer(ureq::get(&url("valueCodes[Region]=0180R001&valueCodes[Tid]=2020")).call());
        assert_eq!(missing.status, 400);
        assert_eq!(missing.content_type, "application/problem+json");
        assert!(missing.body["detail"]
            .as_str()
            .unwrap()
            .contains("ContentsCode"));
        let unknown = answer(
            ureq::get(&url("valueCodes[Region]=0180R001,1480R001&valueCodes[ContentsCode]=*&valueCodes[Tid]=2020")).call(),
        );
        assert_eq!(unknown.status, 400);
        assert!(unknown.body["detail"]
            .as_str()
            .unwrap()
            .contains("1480R001"));
        let too_many = answer(
            ureq::get(&url(
                "valueCodes[Region]=*&valueCodes[ContentsCode]=*&valueCodes[Tid]=*",
            ))
            .call(),
        );
        assert_eq!(too_many.status, 400);
        let detail = too_many.body["detail"].as_str().unwrap();
        assert!(
            detail.starts_with("Too many data cells selected: ") && detail.ends_with(" > 100"),
            "{detail}"
        );
        assert_eq!(too_many.body["title"], "Bad Request");
        assert_eq!(too_many.body["status"], 400);
        let no_table = answer(ureq::get(&format!("{base}/tables/TAB1/metadata")).call());
        assert_eq!(no_table.status, 404);
        let stats = handle.stats();
        assert_eq!(
            (stats.bad_requests, stats.not_found, stats.data_calls),
            (3, 1, 0)
        );
    }

    #[test]
    fn a_call_over_the_limit_waits_for_the_window() {
        let (base, handle) = start(ReplayOptions {
            calls: 3,
            window: Duration::from_secs(60),
            ..stockholm()
        });
        for _ in 0..3 {
            assert_eq!(
                answer(ureq::get(&format!("{base}/config")).call()).status,
                200
            );
        }
        let refused = answer(ureq::get(&format!("{base}/tables/TAB6586/metadata")).call());
        assert_eq!(refused.status, 429);
        assert_eq!(refused.content_type, "application/problem+json");
        let wait: u64 = refused.retry_after.unwrap().parse().unwrap();
        assert!((59..=60).contains(&wait), "{wait}");
        let stats = handle.stats();
        assert_eq!(
            (
                stats.config_calls,
                stats.too_many_requests,
                stats.metadata_calls
            ),
            (3, 1, 0)
        );
    }

    #[test]
    fn the_window_slides() {
        let (base, _handle) = start(ReplayOptions {
            calls: 2,
            window: Duration::from_millis(1500),
            ..stockholm()
        });
        let status = || answer(ureq::get(&format!("{base}/config")).call()).status;
        assert_eq!((status(), status(), status()), (200, 200, 429));
        std::thread::sleep(Duration::from_millis(1600));
        assert_eq!(status(), 200);
    }
}
