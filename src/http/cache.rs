//! The in-memory response cache. Served data changes only at an import, so a rendered
//! response stays right for as long as the data version does: entries are keyed on the data
//! version, and a new version makes the old entries unreachable (and they are dropped).
//!
//! Bounded by total body size; the oldest entries go first. A hit is marked with the
//! `Cache-Status` header of RFC 9211.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use actix_web::web::Bytes;
use chrono::{DateTime, Utc};

use super::negotiate::Lang;

/// A rendered response and what its headers need.
#[derive(Clone, Debug)]
pub struct Cached {
    pub data_version: String,
    pub synthetic: bool,
    pub updated_at: DateTime<Utc>,
    pub content_type: &'static str,
    pub body: Bytes,
    pub lang: Option<Lang>,
    pub disposition: Option<String>,
    /// A `Link` header, e.g. to the next page of a CSV download.
    pub link: Option<String>,
}

type Key = (String, String);

struct Inner {
    entries: HashMap<Key, Cached>,
    order: VecDeque<Key>,
    bytes: usize,
}

pub struct ResponseCache {
    capacity: usize,
    inner: Mutex<Inner>,
}

impl ResponseCache {
    /// A cache holding at most `capacity` bytes of bodies; 0 disables it.
    pub fn new(capacity: usize) -> ResponseCache {
        ResponseCache {
            capacity,
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                order: VecDeque::new(),
                bytes: 0,
            }),
        }
    }

    /// The cache key of a request: the data version, and what was asked.
    pub fn key(version: &str, request: &str) -> Key {
        (version.to_owned(), request.to_owned())
    }

    pub fn get(&self, key: &Key) -> Option<Cached> {
        self.inner.lock().ok()?.entries.get(key).cloned()
    }

    pub fn insert(&self, key: Key, value: Cached) {
        // Keys count too: a request target can be as long as the body it names.
        let size = value.body.len() + key.0.len() + 2 * key.1.len() + 256;
        if self.capacity == 0 || value.body.len() > self.capacity / 4 {
            return;
        }
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        // A new data version makes every older entry unreachable: drop them now.
        if inner.order.front().is_some_and(|k| k.0 != key.0) {
            inner.entries.retain(|k, _| k.0 == key.0);
            let kept: VecDeque<Key> = inner
                .order
                .iter()
                .filter(|k| k.0 == key.0)
                .cloned()
                .collect();
            inner.order = kept;
            inner.bytes = inner
                .entries
                .iter()
                .map(|(k, c)| c.body.len() + k.0.len() + 2 * k.1.len() + 256)
                .sum();
        }
        while inner.bytes + size > self.capacity {
            let Some(old) = inner.order.pop_front() else {
                break;
            };
            if let Some(c) = inner.entries.remove(&old) {
                inner.bytes -= c.body.len() + old.0.len() + 2 * old.1.len() + 256;
            }
        }
        if let Some(previous) = inner.entries.insert(key.clone(), value) {
            inner.bytes -= previous.body.len() + key.0.len() + 2 * key.1.len() + 256;
        } else {
            inner.order.push_back(key);
        }
        inner.bytes += size;
    }

    /// (entries, bytes) held now.
    pub fn usage(&self) -> (usize, usize) {
        self.inner
            .lock()
            .map(|i| (i.entries.len(), i.bytes))
            .unwrap_or((0, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(version: &str, bytes: usize) -> Cached {
        Cached {
            data_version: version.into(),
            synthetic: false,
            updated_at: Utc::now(),
            content_type: "application/json",
            body: Bytes::from(vec![b'x'; bytes]),
            lang: None,
            disposition: None,
            link: None,
        }
    }

    #[test]
    fn hits_until_the_version_changes() {
        let c = ResponseCache::new(1000);
        c.insert(ResponseCache::key("v1", "/a"), entry("v1", 10));
        assert!(c.get(&ResponseCache::key("v1", "/a")).is_some());
        assert!(c.get(&ResponseCache::key("v2", "/a")).is_none());
        c.insert(ResponseCache::key("v2", "/b"), entry("v2", 10));
        assert_eq!(c.usage().0, 1, "entries of v1 are dropped");
    }

    #[test]
    fn stays_within_its_budget_oldest_first() {
        // Each entry below costs 20 body bytes + 1 + 2·2 key bytes + 256 bookkeeping = 281.
        let c = ResponseCache::new(1500);
        for i in 0..10 {
            c.insert(ResponseCache::key("v", &format!("/{i}")), entry("v", 20));
        }
        let (n, bytes) = c.usage();
        assert!(bytes <= 1500 && n == 5, "{n} entries, {bytes} bytes");
        assert!(c.get(&ResponseCache::key("v", "/0")).is_none());
        assert!(c.get(&ResponseCache::key("v", "/9")).is_some());
        // Bodies over a quarter of the budget are not cached at all.
        c.insert(ResponseCache::key("v", "/big"), entry("v", 400));
        assert!(c.get(&ResponseCache::key("v", "/big")).is_none());
        // Disabled.
        let off = ResponseCache::new(0);
        off.insert(ResponseCache::key("v", "/a"), entry("v", 1));
        assert_eq!(off.usage(), (0, 0));
    }
}
