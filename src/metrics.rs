//! Prometheus metrics for operators, at `/metrics` (outside `/v1`, not rate-limited, not in the
//! public OpenAPI document): requests by route and status, latency, the response cache, the
//! connection pool, the data version's age, replica lag and rate-limited requests.

use prometheus::{
    Encoder, Gauge, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts,
    Registry, TextEncoder,
};

use crate::convert::f64_from_i64;
use crate::db::data_state::DataState;
use crate::domain::replication::Standing;

/// Every metric the server exports, registered in its own registry (one per server, so tests
/// that start several servers in one process do not share counts).
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    cache_lookups: IntCounterVec,
    rate_limited: IntCounter,
    cache_entries: IntGauge,
    cache_bytes: IntGauge,
    pool_connections: IntGauge,
    pool_in_use: IntGauge,
    pool_waiting: IntGauge,
    data_version_age: Gauge,
    replica_lag: Gauge,
}

/// The label of a request's route: the pattern it matched (`/v1/areas/{code}`), so the number of
/// series stays bounded whatever clients ask; `unmatched` for everything else.
pub fn route_label(pattern: Option<String>) -> String {
    pattern.unwrap_or_else(|| "unmatched".to_owned())
}

impl Metrics {
    #[expect(
        clippy::expect_used,
        reason = "names, labels and buckets are constants: a failure is a bug every test that starts a server finds"
    )]
    pub fn new() -> Metrics {
        let registry =
            Registry::new_custom(Some("segstat".into()), None).expect("a valid metrics prefix");
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests answered, by route pattern and status",
            ),
            &["route", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time from request to response head, by route pattern",
            )
            .buckets(vec![
                0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0,
            ]),
            &["route"],
        )
        .expect("valid metric");
        let cache_lookups = IntCounterVec::new(
            Opts::new(
                "cache_lookups_total",
                "Data responses by whether the in-memory response cache answered (hit) or the database did (miss)",
            ),
            &["result"],
        )
        .expect("valid metric");
        let rate_limited = IntCounter::new(
            "rate_limited_total",
            "Requests refused with 429 by the per-client rate limit",
        )
        .expect("valid metric");
        let gauge = |name: &str, help: &str| IntGauge::new(name, help).expect("valid metric");
        let metrics = Metrics {
            cache_entries: gauge("cache_entries", "Entries in the response cache"),
            cache_bytes: gauge("cache_bytes", "Bytes held by the response cache, every variant counted"),
            pool_connections: gauge("db_pool_connections", "Open database connections in the pool"),
            pool_in_use: gauge("db_pool_in_use", "Pooled connections running a query now"),
            pool_waiting: gauge(
                "db_pool_waiting",
                "Requests waiting for a free database connection now",
            ),
            data_version_age: Gauge::new(
                "data_version_age_seconds",
                "Seconds since the data version served was imported",
            )
            .expect("valid metric"),
            replica_lag: Gauge::new(
                "replica_lag_seconds",
                "Seconds this server's database (a hot standby) trails its primary; 0 on a primary, NaN when unknown",
            )
            .expect("valid metric"),
            registry,
            requests,
            latency,
            cache_lookups,
            rate_limited,
        };
        let collectors: Vec<Box<dyn prometheus::core::Collector>> = vec![
            Box::new(metrics.requests.clone()),
            Box::new(metrics.latency.clone()),
            Box::new(metrics.cache_lookups.clone()),
            Box::new(metrics.rate_limited.clone()),
            Box::new(metrics.cache_entries.clone()),
            Box::new(metrics.cache_bytes.clone()),
            Box::new(metrics.pool_connections.clone()),
            Box::new(metrics.pool_in_use.clone()),
            Box::new(metrics.pool_waiting.clone()),
            Box::new(metrics.data_version_age.clone()),
            Box::new(metrics.replica_lag.clone()),
        ];
        for collector in collectors {
            metrics
                .registry
                .register(collector)
                .expect("each metric registered once");
        }
        metrics
    }

    /// Records one answered request.
    pub fn observe(&self, route: &str, status: u16, seconds: f64, cache_status: Option<&str>) {
        self.requests
            .with_label_values(&[route, &status.to_string()])
            .inc();
        self.latency.with_label_values(&[route]).observe(seconds);
        if status == 429 {
            self.rate_limited.inc();
        }
        // `Cache-Status` (RFC 9211) as the data responses write it: `segstat; hit` or
        // `segstat; fwd=miss; stored`.
        if let Some(cs) = cache_status {
            let result = if cs.contains("fwd=miss") {
                "miss"
            } else {
                "hit"
            };
            self.cache_lookups.with_label_values(&[result]).inc();
        }
    }

    /// The text exposition, with the gauges set from what was just read.
    pub fn render(&self, readings: Readings) -> String {
        let (entries, bytes) = readings.cache;
        self.cache_entries
            .set(i64::try_from(entries).unwrap_or(i64::MAX));
        self.cache_bytes
            .set(i64::try_from(bytes).unwrap_or(i64::MAX));
        let pool = readings.pool;
        self.pool_connections.set(i64::from(pool.connections));
        self.pool_in_use.set(i64::from(
            pool.connections.saturating_sub(pool.idle_connections),
        ));
        self.pool_waiting.set(crate::db::waiting());
        if let Some(data) = readings.data {
            let age = chrono::Utc::now() - data.updated_at;
            self.data_version_age
                .set(f64_from_i64(age.num_milliseconds()) / 1000.0);
        }
        self.replica_lag.set(
            readings
                .replication
                .map_or(f64::NAN, |r| r.lag_seconds.unwrap_or(f64::NAN)),
        );
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            log::warn!("metrics could not be written: {e}");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

/// What the gauges show, read from the shared state when `/metrics` is asked.
pub struct Readings {
    /// The response cache's entries and bytes.
    pub cache: (u64, u64),
    pub pool: r2d2::State,
    /// The data version last seen.
    pub data: Option<DataState>,
    pub replication: Option<Standing>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(m: &Metrics) -> String {
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&m.registry.gather(), &mut out)
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn counts_by_route_status_cache_and_rate_limit() {
        let m = Metrics::new();
        m.observe(
            "/v1/areas/{code}",
            200,
            0.003,
            Some("segstat; fwd=miss; stored"),
        );
        m.observe("/v1/areas/{code}", 200, 0.0004, Some("segstat; hit"));
        m.observe("/v1/areas/{code}", 200, 0.0004, Some("segstat; hit"));
        m.observe("unmatched", 429, 0.0001, None);
        let t = text(&m);
        assert!(
            t.contains(r#"segstat_http_requests_total{route="/v1/areas/{code}",status="200"} 3"#),
            "{t}"
        );
        assert!(
            t.contains(r#"segstat_http_requests_total{route="unmatched",status="429"} 1"#),
            "{t}"
        );
        assert!(
            t.contains(r#"segstat_cache_lookups_total{result="hit"} 2"#),
            "{t}"
        );
        assert!(
            t.contains(r#"segstat_cache_lookups_total{result="miss"} 1"#),
            "{t}"
        );
        assert!(t.contains("segstat_rate_limited_total 1"), "{t}");
        // Two of three requests under 1 ms, all under 5 ms.
        assert!(t.contains(r#"segstat_http_request_duration_seconds_bucket{route="/v1/areas/{code}",le="0.001"} 2"#), "{t}");
        assert!(t.contains(r#"segstat_http_request_duration_seconds_bucket{route="/v1/areas/{code}",le="0.005"} 3"#), "{t}");
    }

    #[test]
    fn routes_outside_the_api_share_one_label() {
        assert_eq!(route_label(None), "unmatched");
        assert_eq!(route_label(Some("/v1/meta".into())), "/v1/meta");
    }
}
