//! Per-client rate limiting: a generic cell rate algorithm (GCRA, the token bucket kept as one
//! timestamp per client) with the `RateLimit-Policy` and `RateLimit` fields of
//! draft-ietf-httpapi-ratelimit-headers on every answer and a 429 problem with `Retry-After`
//! when a client goes over.
//!
//! The policy announced is the bucket a client meets: `q` is the burst (the bucket's size) and
//! `w` the seconds in which the per-minute pace refills it whole (`"per-client";q=200;w=10` for
//! 1,200 a minute in bursts of 200). A client that never sends more than `q` requests in any `w`
//! seconds is never refused; announcing the per-minute figure instead (1,200 in 60 s) would
//! invite a client to send what the burst refuses. `RateLimit` gives the requests left now
//! (`r`) and the seconds until the bucket is full again (`t`).
//!
//! A client is its IP address (IPv6 by its /64, which one host usually owns whole). Behind a
//! reverse proxy every request would share the proxy's address, so the addresses listed in
//! `SEGSTAT_TRUSTED_PROXIES` are looked through: their `X-Forwarded-For` names the client.
//!
//! The limiter lives in the shared state; `http::middleware::limit` applies it to each request.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::network::{canonical, Network};

/// The policy's name in the `RateLimit` fields.
pub const POLICY: &str = "per-client";
/// Clients remembered before the idle ones (back at a full allowance) are forgotten.
const PRUNE_AT: usize = 10_000;
/// Paths never limited: orchestrators' probes.
pub const EXEMPT_PATHS: &[&str] = &["/health", "/ready", "/metrics"];

/// The key a client is counted under: its IPv4 address, or its IPv6 /64.
fn client_key(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & (u128::MAX << 64)).into()),
        v4 => v4,
    }
}

/// The client of a request: the peer, or, when the peer is a trusted proxy, the nearest
/// address in `X-Forwarded-For` that is not one.
pub fn client_ip(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[Network]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let mut client = peer;
    for hop in forwarded_for.unwrap_or_default().rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(ip) {
                    break;
                }
            }
            // An unreadable hop was written by someone we do not trust: stop at what we have.
            Err(_) => break,
        }
    }
    client
}

/// What the limiter decided for one request.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Verdict {
    Allowed { remaining: u32, reset_secs: u64 },
    Limited { retry_after_secs: u64 },
}

struct Clients {
    /// Per client: the theoretical arrival time of its next request, since `epoch`.
    next: HashMap<IpAddr, Duration>,
    /// The size at which idle clients are next forgotten: twice what stayed after the last
    /// pruning, so that many active clients cost one pass per doubling, not one per request.
    prune_at: usize,
}

/// `per_minute` requests a minute per client, of which `burst` may come at once.
pub struct RateLimiter {
    per_minute: u32,
    burst: u32,
    interval: Duration,
    epoch: Instant,
    clients: Mutex<Clients>,
}

impl RateLimiter {
    /// `per_minute` 0 turns limiting off.
    pub fn new(per_minute: u32, burst: u32) -> RateLimiter {
        RateLimiter {
            per_minute,
            burst: burst.max(1),
            interval: Duration::from_secs(60) / per_minute.max(1),
            epoch: Instant::now(),
            clients: Mutex::new(Clients {
                next: HashMap::new(),
                prune_at: PRUNE_AT,
            }),
        }
    }

    pub fn enabled(&self) -> bool {
        self.per_minute > 0
    }

    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }

    /// The requests a client may send at once.
    pub fn burst(&self) -> u32 {
        self.burst
    }

    /// Seconds in which the bucket refills whole: `burst` requests at the per-minute pace,
    /// rounded up, so that `burst` requests in any such window never exceed the bucket.
    pub fn window_secs(&self) -> u64 {
        ceil_secs(self.interval * self.burst).max(1)
    }

    /// The `RateLimit-Policy` field: the bucket as a quota (`burst`) per window.
    pub fn policy(&self) -> String {
        format!("\"{POLICY}\";q={};w={}", self.burst, self.window_secs())
    }

    /// Counts one request of `client` arriving at `now`.
    pub fn check(&self, client: IpAddr, now: Instant) -> Verdict {
        let now = now.saturating_duration_since(self.epoch);
        let capacity = self.interval * self.burst;
        let Ok(mut clients) = self.clients.lock() else {
            return Verdict::Allowed {
                remaining: self.burst,
                reset_secs: 0,
            };
        };
        if clients.next.len() >= clients.prune_at {
            clients.next.retain(|_, tat| *tat > now);
            clients.prune_at = (2 * clients.next.len()).max(PRUNE_AT);
        }
        let tat = clients
            .next
            .get(&client_key(client))
            .copied()
            .unwrap_or(now)
            .max(now);
        let next = tat + self.interval;
        if next - now > capacity {
            return Verdict::Limited {
                retry_after_secs: ceil_secs(next - now - capacity),
            };
        }
        clients.next.insert(client_key(client), next);
        let used = next - now;
        Verdict::Allowed {
            // At most the burst, a u32.
            remaining: u32::try_from((capacity - used).as_nanos() / self.interval.as_nanos())
                .unwrap_or(u32::MAX),
            reset_secs: ceil_secs(used),
        }
    }
}

fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

#[cfg(test)]
#[allow(
    clippy::as_conversions,
    reason = "test arithmetic on small known values"
)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_burst_passes_then_the_client_waits_one_interval() {
        let limiter = RateLimiter::new(60, 3);
        let t0 = Instant::now();
        let client = ip("192.0.2.1");
        let remaining: Vec<_> = (0..3)
            .map(|_| match limiter.check(client, t0) {
                Verdict::Allowed { remaining, .. } => remaining,
                v => panic!("burst refused: {v:?}"),
            })
            .collect();
        assert_eq!(remaining, [2, 1, 0]);
        assert_eq!(
            limiter.check(client, t0),
            Verdict::Limited {
                retry_after_secs: 1
            }
        );
        // Another client has its own allowance.
        assert!(matches!(
            limiter.check(ip("192.0.2.2"), t0),
            Verdict::Allowed { remaining: 2, .. }
        ));
        // One interval (60/60 = 1 s) later, one more request passes.
        assert!(matches!(
            limiter.check(client, t0 + Duration::from_secs(1)),
            Verdict::Allowed { remaining: 0, .. }
        ));
        // After a full minute the whole burst is back.
        assert!(matches!(
            limiter.check(client, t0 + Duration::from_secs(60)),
            Verdict::Allowed { remaining: 2, .. }
        ));
    }

    /// (quota, window) of the announced `RateLimit-Policy`.
    fn announced(limiter: &RateLimiter) -> (u32, u64) {
        let policy = limiter.policy();
        let param = |name: &str| -> u64 {
            policy
                .split(';')
                .find_map(|p| p.strip_prefix(name))
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("no {name} in {policy}"))
        };
        (param("q=") as u32, param("w="))
    }

    /// Sends `times` (offsets from one start) as one client; the offsets refused.
    fn refused(limiter: &RateLimiter, times: &[Duration]) -> Vec<Duration> {
        let t0 = Instant::now();
        let client = ip("192.0.2.1");
        times
            .iter()
            .filter(|at| matches!(limiter.check(client, t0 + **at), Verdict::Limited { .. }))
            .copied()
            .collect()
    }

    #[test]
    fn a_client_keeping_to_the_announced_policy_is_never_refused_and_one_over_it_is() {
        // The defaults, a burst larger than a minute's pace, and a window that does not divide.
        for (per_minute, burst) in [(1200, 200), (60, 200), (1000, 7), (7, 3)] {
            let limiter = RateLimiter::new(per_minute, burst);
            let (q, w) = announced(&limiter);
            assert_eq!(q, burst, "the burst is what a client meets first");
            let window = Duration::from_secs(w);
            // The whole quota at once, at the start of each window, for ten windows.
            let batches: Vec<Duration> = (0..10u32)
                .flat_map(|k| std::iter::repeat_n(window * k, q as usize))
                .collect();
            assert_eq!(
                refused(&limiter, &batches),
                Vec::<Duration>::new(),
                "{per_minute}/min, burst {burst}"
            );
            // The quota spread evenly over each window.
            let limiter = RateLimiter::new(per_minute, burst);
            let even: Vec<Duration> = (0..10 * q).map(|i| window * i / q).collect();
            assert_eq!(
                refused(&limiter, &even),
                Vec::<Duration>::new(),
                "{per_minute}/min, burst {burst}"
            );
            // One more than the quota at once is refused.
            let limiter = RateLimiter::new(per_minute, burst);
            let over = vec![Duration::ZERO; q as usize + 1];
            assert_eq!(
                refused(&limiter, &over).len(),
                1,
                "{per_minute}/min, burst {burst}"
            );
        }
        assert_eq!(
            RateLimiter::new(1200, 200).policy(),
            "\"per-client\";q=200;w=10"
        );
    }

    #[test]
    fn ipv6_clients_count_per_64_and_mapped_ipv4_as_ipv4() {
        let limiter = RateLimiter::new(60, 1);
        let t0 = Instant::now();
        assert!(matches!(
            limiter.check(ip("2001:db8::1"), t0),
            Verdict::Allowed { .. }
        ));
        assert!(matches!(
            limiter.check(ip("2001:db8::2"), t0),
            Verdict::Limited { .. }
        ));
        assert!(matches!(
            limiter.check(ip("2001:db8:0:1::1"), t0),
            Verdict::Allowed { .. }
        ));
        assert!(matches!(
            limiter.check(ip("198.51.100.7"), t0),
            Verdict::Allowed { .. }
        ));
        assert!(matches!(
            limiter.check(ip("::ffff:198.51.100.7"), t0),
            Verdict::Limited { .. }
        ));
    }

    #[test]
    fn idle_clients_are_forgotten_when_many() {
        let limiter = RateLimiter::new(6000, 10);
        let t0 = Instant::now();
        for i in 0..PRUNE_AT as u32 {
            limiter.check(IpAddr::V4(i.into()), t0);
        }
        limiter.check(ip("192.0.2.1"), t0 + Duration::from_secs(1));
        assert!(limiter.clients.lock().unwrap().next.len() < 10);
    }

    #[test]
    fn many_active_clients_are_pruned_once_per_doubling() {
        let limiter = RateLimiter::new(60, 10);
        let t0 = Instant::now();
        // Every client has just asked, so none can be forgotten yet.
        for i in 0..=PRUNE_AT as u32 {
            limiter.check(IpAddr::V4(i.into()), t0);
        }
        let clients = limiter.clients.lock().unwrap();
        assert_eq!(clients.next.len(), PRUNE_AT + 1);
        assert_eq!(clients.prune_at, 2 * PRUNE_AT);
    }

    #[test]
    fn forwarded_for_is_read_only_through_trusted_proxies() {
        let trusted = [
            Network::parse("10.0.0.0/8").unwrap(),
            Network::parse("::1").unwrap(),
        ];
        let xff = Some("203.0.113.9, 198.51.100.1, 10.1.2.3");
        // A direct client cannot claim another address.
        assert_eq!(client_ip(ip("192.0.2.5"), xff, &trusted), ip("192.0.2.5"));
        // Through the trusted 10.x hops, the first untrusted address is the client; what it
        // wrote further left is its own claim and ignored.
        assert_eq!(client_ip(ip("10.0.0.1"), xff, &trusted), ip("198.51.100.1"));
        assert_eq!(client_ip(ip("::1"), None, &trusted), ip("::1"));
        assert_eq!(
            client_ip(ip("10.0.0.1"), Some("garbage"), &trusted),
            ip("10.0.0.1")
        );
    }
}
