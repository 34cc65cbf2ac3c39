//! Runtime configuration, read from environment variables and validated once at start.
//!
//! Every problem is collected and reported together, naming the variable, so an operator fixes a
//! broken deployment in one round instead of one variable at a time.

use std::net::SocketAddr;
use std::time::Duration;

use crate::error::Error;
use crate::network::Network;

/// Settings shared by every subcommand; `serve` uses all of them.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where the data lives. The server connects with it and then switches to the read-only role.
    pub database_url: String,
    /// Address the HTTP server listens on.
    pub bind: SocketAddr,
    /// Connections in the pool, and so the number of database queries running at once.
    pub pool_size: u32,
    /// How long a request waits for a free connection before it is answered 503.
    pub pool_timeout: Duration,
    /// Every statement on a pooled connection is cancelled after this long.
    pub statement_timeout: Duration,
    /// How long `serve` waits for the database at start before it gives up.
    pub db_wait: Duration,
    /// `max-age` of `Cache-Control` on data responses.
    pub cache_max_age: Duration,
    /// How often the server re-reads the data version, so a new import shows without a restart.
    pub refresh_interval: Duration,
    /// HTTP worker threads.
    pub workers: usize,
    /// Bytes of rendered responses kept in memory (0: no cache).
    pub cache_bytes: usize,
    /// Requests a minute per client (0: no limit).
    pub rate_limit_per_minute: u32,
    /// Requests a client may send at once, within its per-minute allowance.
    pub rate_limit_burst: u32,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<Network>,
    /// A hot standby further behind its primary than this answers 503 on `/ready`, so a load
    /// balancer drains it (it goes on answering what it has).
    pub max_replica_lag: Duration,
    /// Where `export` writes and `serve` finds the bulk downloads (`<dir>/<data_version>/`).
    pub downloads_dir: std::path::PathBuf,
    /// `scheme://host[/path]` every link is built from, without a trailing slash. When set,
    /// `Host`, `Forwarded` and `X-Forwarded-*` are ignored; when unset, links follow them.
    pub public_url: Option<String>,
}

/// One documented environment variable: the single source for validation, `--help` and README.
pub struct Setting {
    pub name: &'static str,
    pub default: &'static str,
    pub meaning: &'static str,
}

pub const SETTINGS: &[Setting] = &[
    Setting {
        name: "DATABASE_URL",
        default: "postgres:///segstat",
        meaning: "PostgreSQL connection URL (libpq syntax; `?host=/dir` for a socket)",
    },
    Setting {
        name: "SEGSTAT_BIND",
        default: "127.0.0.1:8080",
        meaning: "address and port the HTTP server listens on",
    },
    Setting {
        name: "SEGSTAT_POOL_SIZE",
        default: "8",
        meaning: "database connections in the pool (1–256)",
    },
    Setting {
        name: "SEGSTAT_POOL_TIMEOUT_MS",
        default: "2000",
        meaning: "how long a request waits for a free connection before a 503 (10–60000)",
    },
    Setting {
        name: "SEGSTAT_STATEMENT_TIMEOUT_MS",
        default: "10000",
        meaning: "statement timeout of every pooled connection (10–600000)",
    },
    Setting {
        name: "SEGSTAT_DB_WAIT_SECS",
        default: "30",
        meaning:
            "how long `serve` retries an unreachable database at start before it exits (0–3600)",
    },
    Setting {
        name: "SEGSTAT_CACHE_MAX_AGE",
        default: "3600",
        meaning: "`Cache-Control: max-age` of data responses, in seconds (0–31536000)",
    },
    Setting {
        name: "SEGSTAT_REFRESH_SECS",
        default: "1",
        meaning: "how often the server checks the database for a new data version, so answers it holds in memory switch to a new import (1–3600)",
    },
    Setting {
        name: "SEGSTAT_CACHE_MB",
        default: "256",
        meaning: "memory for rendered responses, in MiB; 0 turns the response cache off (0–65536)",
    },
    Setting {
        name: "SEGSTAT_WORKERS",
        default: "0",
        meaning: "HTTP worker threads; 0 means one per CPU core (0–256)",
    },
    Setting {
        name: "SEGSTAT_RATE_LIMIT",
        default: "1200",
        meaning: "requests a minute per client IP address (IPv6: per /64); 0 turns limiting off (0–1000000)",
    },
    Setting {
        name: "SEGSTAT_RATE_BURST",
        default: "200",
        meaning: "requests a client may send at once before the per-minute pace applies (1–1000000)",
    },
    Setting {
        name: "SEGSTAT_TRUSTED_PROXIES",
        default: "",
        meaning: "comma-separated addresses or networks (`10.0.0.0/8`) of reverse proxies whose `X-Forwarded-For` names the client",
    },
    Setting {
        name: "SEGSTAT_MAX_REPLICA_LAG_SECS",
        default: "30",
        meaning: "on a hot standby, `/ready` answers 503 while replay trails the primary by more than this many seconds, so a load balancer drains the replica (0–86400)",
    },
    Setting {
        name: "SEGSTAT_DOWNLOADS_DIR",
        default: "downloads",
        meaning: "folder of the bulk downloads: `segstat export` writes `<dir>/<data_version>/`, `serve` answers /v1/downloads from it (relative to the working directory)",
    },
    Setting {
        name: "SEGSTAT_PUBLIC_URL",
        default: "",
        meaning: "the address clients reach the API at (`https://api.example.org`, or with a path a proxy strips); every link is built from it, and `Host`, `Forwarded` and `X-Forwarded-*` are ignored. Unset, links follow those headers",
    },
    Setting {
        name: "RUST_LOG",
        default: "info",
        meaning: "log filter (env_logger syntax); one line per request at info",
    },
];

fn default_of(name: &str) -> &'static str {
    SETTINGS
        .iter()
        .find(|s| s.name == name)
        .map(|s| s.default)
        .unwrap_or_default()
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, Error> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests can feed any environment without touching the
    /// process's own. Reports every invalid variable at once.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, Error> {
        let mut problems = Vec::new();
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| default_of(name).to_owned())
        };
        let mut number = |name: &str, min: u64, max: u64| -> u64 {
            let raw = get(name);
            match raw.parse::<u64>() {
                Ok(n) if (min..=max).contains(&n) => n,
                _ => {
                    problems.push(format!(
                        "{name}={raw:?}: expected a whole number from {min} to {max}"
                    ));
                    min
                }
            }
        };
        // Each number is within its range, so the conversions below never fall back.
        let pool_size = u32::try_from(number("SEGSTAT_POOL_SIZE", 1, 256)).unwrap_or(u32::MAX);
        let pool_timeout = Duration::from_millis(number("SEGSTAT_POOL_TIMEOUT_MS", 10, 60_000));
        let statement_timeout =
            Duration::from_millis(number("SEGSTAT_STATEMENT_TIMEOUT_MS", 10, 600_000));
        let db_wait = Duration::from_secs(number("SEGSTAT_DB_WAIT_SECS", 0, 3600));
        let cache_max_age = Duration::from_secs(number("SEGSTAT_CACHE_MAX_AGE", 0, 31_536_000));
        let refresh_interval = Duration::from_secs(number("SEGSTAT_REFRESH_SECS", 1, 3600));
        let workers = usize::try_from(number("SEGSTAT_WORKERS", 0, 256)).unwrap_or(usize::MAX);
        let cache_bytes = usize::try_from(number("SEGSTAT_CACHE_MB", 0, 65_536) * 1024 * 1024)
            .unwrap_or(usize::MAX);
        let rate_limit_per_minute =
            u32::try_from(number("SEGSTAT_RATE_LIMIT", 0, 1_000_000)).unwrap_or(u32::MAX);
        let rate_limit_burst =
            u32::try_from(number("SEGSTAT_RATE_BURST", 1, 1_000_000)).unwrap_or(u32::MAX);
        let max_replica_lag =
            Duration::from_secs(number("SEGSTAT_MAX_REPLICA_LAG_SECS", 0, 86_400));

        let raw_proxies = get("SEGSTAT_TRUSTED_PROXIES");
        let mut trusted_proxies = Vec::new();
        for item in raw_proxies
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match Network::parse(item) {
                Some(net) => trusted_proxies.push(net),
                None => problems.push(format!(
                    "SEGSTAT_TRUSTED_PROXIES: {item:?} is not an address or a network such as 10.0.0.0/8"
                )),
            }
        }

        let public_url = match parse_public_url(&get("SEGSTAT_PUBLIC_URL")) {
            Ok(url) => url,
            Err(why) => {
                problems.push(format!("SEGSTAT_PUBLIC_URL: {why}"));
                None
            }
        };

        let raw_bind = get("SEGSTAT_BIND");
        let bind = raw_bind.parse::<SocketAddr>().unwrap_or_else(|_| {
            problems.push(format!(
                "SEGSTAT_BIND={raw_bind:?}: expected an address and port such as 127.0.0.1:8080 or [::1]:8080"
            ));
            SocketAddr::from(([127, 0, 0, 1], 8080))
        });

        let database_url = get("DATABASE_URL");
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            problems.push(format!(
                "DATABASE_URL={:?}: expected a URL starting with postgres:// or postgresql://",
                redact_url(&database_url)
            ));
        }

        if !problems.is_empty() {
            return Err(Error::Config(problems));
        }
        Ok(Config {
            database_url,
            bind,
            pool_size,
            pool_timeout,
            statement_timeout,
            db_wait,
            cache_max_age,
            refresh_interval,
            cache_bytes,
            rate_limit_per_minute,
            rate_limit_burst,
            trusted_proxies,
            max_replica_lag,
            downloads_dir: std::path::PathBuf::from(get("SEGSTAT_DOWNLOADS_DIR")),
            public_url,
            workers: if workers == 0 {
                std::thread::available_parallelism().map_or(2, |n| n.get())
            } else {
                workers
            },
        })
    }
}

/// The public base URL: empty is none; otherwise an absolute `http`/`https` URL with a host,
/// no user, query or fragment. A trailing slash is dropped, as links append `/v1/...`.
pub fn parse_public_url(raw: &str) -> Result<Option<String>, String> {
    if raw.is_empty() {
        return Ok(None);
    }
    let rest = raw
        .strip_prefix("https://")
        .or_else(|| raw.strip_prefix("http://"))
        .ok_or_else(|| format!("{raw:?} is not an absolute http:// or https:// URL"))?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() {
        return Err(format!("{raw:?} names no host"));
    }
    if host.contains('@') {
        return Err(format!("{raw:?} holds a user name; links must not"));
    }
    if raw.contains(['?', '#']) {
        return Err(format!(
            "{raw:?} has a query or fragment; links append paths and queries to it"
        ));
    }
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("{raw:?} contains a blank or control character"));
    }
    Ok(Some(raw.trim_end_matches('/').to_owned()))
}

/// The URL with any password replaced, safe for logs and error messages.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, Error> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_are_safe() {
        let c = config(&[]).expect("defaults are valid");
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.database_url, "postgres:///segstat");
        assert_eq!(c.pool_size, 8);
        assert_eq!(c.statement_timeout, Duration::from_secs(10));
        assert!(c.workers >= 1);
    }

    #[test]
    fn every_bad_variable_is_named_at_once() {
        let err = config(&[
            ("SEGSTAT_POOL_SIZE", "lots"),
            ("SEGSTAT_BIND", "localhost"),
            ("SEGSTAT_STATEMENT_TIMEOUT_MS", "0"),
            ("DATABASE_URL", "mysql://u:secret@h/db"),
        ])
        .unwrap_err();
        let Error::Config(problems) = err else {
            panic!("expected a config error, got {err:?}")
        };
        let all = problems.join("\n");
        for name in [
            "SEGSTAT_POOL_SIZE",
            "SEGSTAT_BIND",
            "SEGSTAT_STATEMENT_TIMEOUT_MS",
            "DATABASE_URL",
        ] {
            assert!(all.contains(name), "{name} missing from {all}");
        }
        assert!(!all.contains("secret"), "password leaked: {all}");
    }

    #[test]
    fn values_are_read_and_trimmed() {
        let c = config(&[
            ("SEGSTAT_POOL_SIZE", " 3 "),
            ("SEGSTAT_BIND", "0.0.0.0:9000"),
            ("SEGSTAT_WORKERS", "5"),
        ])
        .unwrap();
        assert_eq!(c.pool_size, 3);
        assert_eq!(c.bind.port(), 9000);
        assert_eq!(c.workers, 5);
    }

    #[test]
    fn the_public_url_is_an_absolute_http_url_without_query() {
        assert_eq!(config(&[]).unwrap().public_url, None);
        let c = config(&[("SEGSTAT_PUBLIC_URL", " https://api.example.org/ ")]).unwrap();
        assert_eq!(c.public_url.as_deref(), Some("https://api.example.org"));
        assert_eq!(
            parse_public_url("http://example.org:8080/segstat/").unwrap(),
            Some("http://example.org:8080/segstat".to_owned())
        );
        for bad in [
            "api.example.org",
            "ftp://example.org",
            "https://",
            "https:///v1",
            "https://example.org/?x=1",
            "https://example.org/#top",
            "https://user@example.org",
            "https://exa mple.org",
        ] {
            let Err(Error::Config(problems)) = config(&[("SEGSTAT_PUBLIC_URL", bad)]) else {
                panic!("{bad} was accepted")
            };
            assert!(
                problems[0].starts_with("SEGSTAT_PUBLIC_URL"),
                "{problems:?}"
            );
        }
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://api:hunter2@db:5432/segstat?sslmode=require"),
            "postgres://api:***@db:5432/segstat?sslmode=require"
        );
        assert_eq!(
            redact_url("postgres://api@db/segstat"),
            "postgres://api@db/segstat"
        );
        assert_eq!(
            redact_url("postgres:///segstat?host=/tmp/x"),
            "postgres:///segstat?host=/tmp/x"
        );
    }
}

#[cfg(test)]
mod readme {
    #[test]
    fn readme_documents_every_setting() {
        let readme = include_str!("../README.md");
        for s in super::SETTINGS {
            let default = match s.default {
                "" => "none".to_owned(),
                d => format!("`{d}`"),
            };
            let row = format!("| `{}` | {default} |", s.name);
            assert!(readme.contains(&row), "README lacks the row for {}", s.name);
        }
    }
}
