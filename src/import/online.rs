//! Online import from SCB: statistical tables through PxWebApi 2 (JSON-stat 2.0) and boundary
//! layers through SCB's WFS (GeoServer, GeoJSON). Responses are saved as files and then loaded
//! by the same readers and loader as an offline import, so both paths check the same things.
//!
//! SCB allows 30 calls per 10 seconds; every call waits for the [`RateLimiter`], and a progress
//! bar shows the calls made.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::convert::f64_from_u64;
use crate::domain::geography::Division;
use crate::error::{Error, Result};

/// At most `calls` calls in any `window`: a sliding window over the times of recent calls.
pub struct RateLimiter {
    calls: usize,
    window: Duration,
    recent: VecDeque<Instant>,
}

impl RateLimiter {
    /// SCB's published limit.
    pub fn scb() -> RateLimiter {
        RateLimiter::new(30, Duration::from_secs(10))
    }

    pub fn new(calls: usize, window: Duration) -> RateLimiter {
        RateLimiter {
            calls,
            window,
            recent: VecDeque::with_capacity(calls),
        }
    }

    /// How long to wait at `now` before the next call may go out.
    pub fn delay(&mut self, now: Instant) -> Duration {
        while self
            .recent
            .front()
            .is_some_and(|&t| now.duration_since(t) >= self.window)
        {
            self.recent.pop_front();
        }
        if self.recent.len() < self.calls {
            Duration::ZERO
        } else {
            self.window - now.duration_since(self.recent[0])
        }
    }

    /// Records a call made at `at`.
    pub fn record(&mut self, at: Instant) {
        self.recent.push_back(at);
    }

    /// Sleeps as needed, then records the call.
    pub fn wait(&mut self) {
        let d = self.delay(Instant::now());
        if !d.is_zero() {
            std::thread::sleep(d);
        }
        self.record(Instant::now());
    }
}

/// What to do after a call that did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Retry {
    After(Duration),
    GiveUp(String),
}

/// The retry budget of one call. Failures (a `5xx`, a broken connection) back off
/// exponentially and end the call after [`Retries::MAX_FAILURES`]. A `429` is not a failure:
/// the server asked us to wait, so its waits are bounded by their total,
/// [`Retries::MAX_RATE_LIMITED`], not by their number (a limit shared with other clients can
/// refuse many calls in a row without anything being wrong).
#[derive(Debug, Default)]
pub struct Retries {
    failures: u32,
    rate_limited: Duration,
}

impl Retries {
    pub const MAX_FAILURES: u32 = 8;
    pub const MAX_RATE_LIMITED: Duration = Duration::from_secs(15 * 60);
    /// The wait when a `429` says nothing (SCB's window is 10 s).
    const DEFAULT_RETRY_AFTER: u64 = 10;

    /// After a `429` asking for `retry_after` seconds: that wait (1 s to 5 min) plus `jitter`
    /// of it (a fraction in [0, 1), at most half the wait and at most 2 s).
    pub fn after_too_many_requests(&mut self, retry_after: Option<u64>, jitter: f64) -> Retry {
        let asked = Duration::from_secs(
            retry_after
                .unwrap_or(Self::DEFAULT_RETRY_AFTER)
                .clamp(1, 300),
        );
        let spread = (asked / 2).min(Duration::from_secs(2));
        let wait = asked + spread.mul_f64(jitter.clamp(0.0, 1.0));
        if self.rate_limited + wait > Self::MAX_RATE_LIMITED {
            return Retry::GiveUp(format!(
                "still refused with 429 Too Many Requests after waiting {} s in all",
                self.rate_limited.as_secs()
            ));
        }
        self.rate_limited += wait;
        Retry::After(wait)
    }

    /// After a `5xx` or a broken connection: 2, 4, 8, 16, 32, 32 … s, then giving up.
    pub fn after_failure(&mut self) -> Retry {
        self.failures += 1;
        if self.failures >= Self::MAX_FAILURES {
            return Retry::GiveUp(format!("gave up after {} attempts", self.failures));
        }
        Retry::After(Duration::from_secs(2u64.pow(self.failures.min(5))))
    }
}

/// A fraction in [0, 1) that differs from call to call (std's per-process random hash keys
/// over the current time: enough to spread retries, not for anything secret).
fn jitter() -> f64 {
    use std::hash::BuildHasher;
    let bits = std::collections::hash_map::RandomState::new().hash_one(Instant::now());
    // The top 53 bits as a fraction of 2^53, exactly representable in an f64.
    f64_from_u64(bits >> 11) / f64_from_u64(1u64 << 53)
}

/// One file fetched, with the URL it came from (recorded as the dataset's source).
#[derive(Debug, Clone)]
pub struct Fetched {
    pub path: PathBuf,
    pub url: String,
}

pub struct Fetcher {
    agent: ureq::Agent,
    limiter: RateLimiter,
    progress: ProgressBar,
    out: PathBuf,
}

/// A table request: the table id, `valueCodes` selections, and the dimension whose codes are
/// split over several calls so that no response exceeds SCB's cell limit.
#[derive(Debug, Clone)]
pub struct TableRequest {
    pub table: String,
    pub selections: Vec<(String, Vec<String>)>,
    pub chunk: Option<(String, usize)>,
}

/// Everything but RFC 3986's unreserved characters is escaped in query values.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, QUERY_VALUE).to_string()
}

impl Fetcher {
    pub fn new(out: &Path, calls: u64, limiter: RateLimiter) -> Result<Fetcher> {
        std::fs::create_dir_all(out)?;
        let progress = ProgressBar::new(calls);
        progress.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} calls, eta {eta} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            progress.set_draw_target(indicatif::ProgressDrawTarget::hidden());
        }
        Ok(Fetcher {
            agent: ureq::AgentBuilder::new()
                .timeout_connect(Duration::from_secs(10))
                .timeout(Duration::from_secs(120))
                .user_agent(concat!("segstat/", env!("CARGO_PKG_VERSION")))
                .build(),
            limiter,
            progress,
            out: out.to_owned(),
        })
    }

    /// Sets the calls allowed per time window (from the server's `/config`).
    pub fn set_limits(&mut self, calls: usize, window: Duration) {
        // The calls already made still count in the new window.
        let recent = std::mem::take(&mut self.limiter.recent);
        self.limiter = RateLimiter::new(calls.max(1), window);
        self.limiter.recent = recent;
    }

    /// Starts counting `calls` calls afresh, so the progress bar's ETA is about them.
    pub fn start_calls(&mut self, calls: u64) {
        self.progress.set_length(calls);
        self.progress.set_position(0);
        self.progress.reset_eta();
    }

    /// GETs a JSON document.
    pub fn get_json(&mut self, url: &str) -> Result<serde_json::Value> {
        let bytes = self.call(url, None)?;
        serde_json::from_slice(&bytes).map_err(|e| Error::Import {
            file: url.to_owned(),
            location: None,
            field: None,
            message: format!("not JSON: {e}"),
        })
    }

    /// POSTs a JSON body (PxWebApi 2's selection: URLs of thousands of codes are too long for
    /// a GET) and returns the response.
    pub fn post_json(&mut self, url: &str, body: &serde_json::Value) -> Result<Vec<u8>> {
        self.call(url, Some(body))
    }

    /// One call within the rate limit. A `429` is waited out for its `Retry-After` (plus a
    /// little jitter, so that a client sharing the limit with others does not keep arriving at
    /// the same moment of a full window) and tried again, as is a `5xx` or a broken connection
    /// (with backoff); a `4xx` is final. [`Retries`] bounds both, so nothing waits for ever.
    fn call(&mut self, url: &str, body: Option<&serde_json::Value>) -> Result<Vec<u8>> {
        let fail = |msg: String| Error::Import {
            file: url.to_owned(),
            location: None,
            field: None,
            message: msg,
        };
        let mut retries = Retries::default();
        loop {
            self.limiter.wait();
            self.progress.set_message(url.to_owned());
            let request = self
                .agent
                .request(if body.is_some() { "POST" } else { "GET" }, url);
            let result = match body {
                Some(b) => request
                    .set("Content-Type", "application/json")
                    .send_string(&b.to_string()),
                None => request.call(),
            };
            let next = match result {
                Ok(r) => {
                    let mut bytes = Vec::new();
                    std::io::Read::read_to_end(
                        &mut std::io::Read::take(r.into_reader(), 512 * 1024 * 1024),
                        &mut bytes,
                    )
                    .map_err(|e| fail(format!("reading the response: {e}")))?;
                    self.progress.inc(1);
                    return Ok(bytes);
                }
                Err(ureq::Error::Status(429, r)) => {
                    let asked = r
                        .header("Retry-After")
                        .and_then(|v| v.trim().parse::<u64>().ok());
                    let next = retries.after_too_many_requests(asked, jitter());
                    if let Retry::After(d) = next {
                        log::info!(
                            "{url}: 429 Too Many Requests; waiting {:.1} s (asked: {})",
                            d.as_secs_f64(),
                            asked.map_or("nothing".to_owned(), |s| format!("{s} s"))
                        );
                    }
                    next
                }
                Err(ureq::Error::Status(code, r)) if code < 500 => {
                    let body = r.into_string().unwrap_or_default();
                    return Err(fail(format!(
                        "SCB answered {code}: {}",
                        body.chars().take(300).collect::<String>()
                    )));
                }
                Err(e) => {
                    log::warn!("{url}: {e}");
                    retries.after_failure()
                }
            };
            match next {
                Retry::After(d) => std::thread::sleep(d),
                Retry::GiveUp(why) => return Err(fail(why)),
            }
        }
    }

    fn get(&mut self, url: &str) -> Result<Vec<u8>> {
        if self.progress.position() >= self.progress.length().unwrap_or(0) {
            self.progress.inc_length(1);
        }
        self.call(url, None)
    }

    fn save(&self, name: &str, bytes: &[u8]) -> Result<PathBuf> {
        let path = self.out.join(name);
        std::fs::write(&path, bytes)?;
        Ok(path)
    }

    /// Fetches a table as JSON-stat 2.0, one file per chunk.
    pub fn table(&mut self, base: &str, req: &TableRequest) -> Result<Vec<Fetched>> {
        let mut groups: Vec<Vec<(String, Vec<String>)>> = vec![req.selections.clone()];
        if let Some((dim, size)) = &req.chunk {
            let values = req
                .selections
                .iter()
                .find(|(d, _)| d == dim)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "--chunk {dim}: select the codes of {dim} to split them"
                    ))
                })?;
            groups = values
                .chunks((*size).max(1))
                .map(|part| {
                    req.selections
                        .iter()
                        .map(|(d, v)| {
                            if d == dim {
                                (d.clone(), part.to_vec())
                            } else {
                                (d.clone(), v.clone())
                            }
                        })
                        .collect()
                })
                .collect();
        }
        let mut out = Vec::new();
        for (i, selection) in groups.iter().enumerate() {
            let mut url = format!(
                "{}/tables/{}/data?lang=sv&outputFormat=json-stat2",
                base.trim_end_matches('/'),
                encode(&req.table)
            );
            for (dim, values) in selection {
                url.push_str(&format!(
                    "&valueCodes%5B{}%5D={}",
                    encode(dim),
                    encode(&values.join(","))
                ));
            }
            let bytes = self.get(&url)?;
            let path = self.save(&format!("{}_{i:04}.json", req.table), &bytes)?;
            out.push(Fetched { path, url });
        }
        Ok(out)
    }

    /// Fetches every feature of a WFS layer as GeoJSON in EPSG:3006, page by page, and merges
    /// the pages into one FeatureCollection.
    pub fn layer(&mut self, wfs: &str, layer: &str, page: usize) -> Result<Fetched> {
        let mut features: Vec<serde_json::Value> = Vec::new();
        let mut crs = serde_json::Value::Null;
        let first_url = self.layer_url(wfs, layer, 0, page);
        loop {
            let url = self.layer_url(wfs, layer, features.len(), page);
            let bytes = self.get(&url)?;
            let doc: serde_json::Value =
                serde_json::from_slice(&bytes).map_err(|e| Error::Import {
                    file: url.clone(),
                    location: None,
                    field: None,
                    message: format!("not JSON (a WFS error page?): {e}"),
                })?;
            let batch = doc
                .get("features")
                .and_then(|f| f.as_array())
                .cloned()
                .unwrap_or_default();
            if crs.is_null() {
                crs = doc.get("crs").cloned().unwrap_or(serde_json::Value::Null);
            }
            let matched = doc
                .get("numberMatched")
                .and_then(|n| n.as_u64())
                .and_then(|n| usize::try_from(n).ok());
            let got = batch.len();
            features.extend(batch);
            if got < page || got == 0 || matched.is_some_and(|m| features.len() >= m) {
                break;
            }
        }
        let doc =
            serde_json::json!({"type": "FeatureCollection", "crs": crs, "features": features});
        let path = self.save(&format!("{layer}.geojson"), &serde_json::to_vec(&doc)?)?;
        Ok(Fetched {
            path,
            url: first_url,
        })
    }

    fn layer_url(&self, wfs: &str, layer: &str, start: usize, count: usize) -> String {
        format!(
            "{}?service=WFS&version=2.0.0&request=GetFeature&typeNames={}&outputFormat=application%2Fjson\
             &srsName=EPSG%3A3006&sortBy=objectid&count={count}&startIndex={start}",
            wfs.trim_end_matches('?'),
            encode(&format!("stat:{layer}")),
        )
    }

    pub fn finish(&self) {
        self.progress.finish_and_clear();
    }
}

/// Writes a file whole or not at all: to a temporary name, then renamed, so an interrupted
/// fetch never leaves a partial file that a rerun would take as fetched.
pub fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("part");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// The division and code property of SCB's WFS layers.
pub fn layer_division(layer: &str) -> Option<(Division, &'static str)> {
    let division = Division::of_wfs_layer(layer)?;
    Some((division, division.wfs_layer()?.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirty_calls_per_ten_seconds() {
        let mut l = RateLimiter::scb();
        let t0 = Instant::now();
        for i in 0..30 {
            let at = t0 + Duration::from_millis(i * 10);
            assert_eq!(l.delay(at), Duration::ZERO, "call {i}");
            l.record(at);
        }
        // The 31st call at 0.3 s must wait until the first leaves the window at 10 s.
        let at = t0 + Duration::from_millis(300);
        assert_eq!(l.delay(at), Duration::from_millis(9_700));
        // Once the window has moved on, calls go out again.
        let later = t0 + Duration::from_secs(10);
        assert_eq!(l.delay(later), Duration::ZERO);
        l.record(later);
        assert!(l.delay(later) > Duration::ZERO);
    }

    #[test]
    fn rate_limit_refusals_wait_as_asked_with_jitter_and_are_bounded_by_time() {
        let mut r = Retries::default();
        // Many refusals in a row are not a failure: far more than MAX_FAILURES go on waiting.
        for i in 0..100 {
            assert_eq!(
                r.after_too_many_requests(Some(1), 0.0),
                Retry::After(Duration::from_secs(1)),
                "refusal {i}"
            );
        }
        // Jitter adds at most half the wait, and at most 2 s.
        let Retry::After(most) = Retries::default().after_too_many_requests(Some(1), 0.999_999)
        else {
            panic!("a first refusal is waited out");
        };
        assert!(
            most > Duration::from_millis(1_499) && most < Duration::from_millis(1_500),
            "{most:?}"
        );
        let Retry::After(long) = Retries::default().after_too_many_requests(Some(60), 0.5) else {
            panic!("a first refusal is waited out");
        };
        assert_eq!(long, Duration::from_secs(61));
        // Nothing asked: SCB's window; absurd asks are clamped.
        assert_eq!(
            Retries::default().after_too_many_requests(None, 0.0),
            Retry::After(Duration::from_secs(10))
        );
        assert_eq!(
            Retries::default().after_too_many_requests(Some(100_000), 0.0),
            Retry::After(Duration::from_secs(300))
        );
        // The total wait is bounded: at 5 min a refusal, the fourth would pass 15 min.
        let mut r = Retries::default();
        for _ in 0..3 {
            assert!(matches!(
                r.after_too_many_requests(Some(300), 0.0),
                Retry::After(_)
            ));
        }
        let Retry::GiveUp(why) = r.after_too_many_requests(Some(300), 0.0) else {
            panic!("15 minutes of refusals end the call");
        };
        assert!(why.contains("900 s"), "{why}");
    }

    #[test]
    fn failures_back_off_and_end_the_call_after_eight() {
        let mut r = Retries::default();
        let waits: Vec<Retry> = (0..Retries::MAX_FAILURES)
            .map(|_| r.after_failure())
            .collect();
        let secs = [2, 4, 8, 16, 32, 32, 32];
        for (wait, s) in waits.iter().zip(secs) {
            assert_eq!(*wait, Retry::After(Duration::from_secs(s)));
        }
        assert_eq!(
            waits.last(),
            Some(&Retry::GiveUp("gave up after 8 attempts".to_owned()))
        );
        // Refusals in between do not use up the failures' budget, nor the other way round.
        let mut r = Retries::default();
        for _ in 0..7 {
            assert!(matches!(r.after_failure(), Retry::After(_)));
            assert!(matches!(
                r.after_too_many_requests(Some(1), 0.0),
                Retry::After(_)
            ));
        }
    }

    #[test]
    fn jitter_is_a_fraction_that_varies() {
        let draws: Vec<f64> = (0..50).map(|_| jitter()).collect();
        assert!(draws.iter().all(|j| (0.0..1.0).contains(j)), "{draws:?}");
        let distinct: std::collections::BTreeSet<u64> = draws.iter().map(|j| j.to_bits()).collect();
        assert!(distinct.len() > 40, "{draws:?}");
    }

    #[test]
    fn known_layers_map_to_divisions() {
        assert_eq!(
            layer_division("RegSO_2025"),
            Some((Division::Regso2025, "regsokod"))
        );
        assert_eq!(layer_division("Kommun"), None);
    }
}
