//! The in-memory response cache. Served data changes only at an import, so a rendered
//! response stays right for as long as the data version does: entries are keyed on the data
//! version, and when a body of a new version is stored, the entries of every other version are
//! invalidated.
//!
//! Per body it holds the identity bytes and, once a client asked for them, the gzip and br
//! bytes, each compressed once off the async workers ([`super::encoding`]). Each variant is an
//! entry of its own in a `moka` cache: weighed by its bytes and key within the memory budget,
//! kept by TinyLFU admission and LRU eviction, and built once however many requests miss it at
//! the same moment (the others wait for that build). A hit is marked with the `Cache-Status`
//! header of RFC 9211.

use std::future::Future;
use std::sync::{Arc, Mutex};

use actix_web::web::{self, Bytes};
use chrono::{DateTime, Utc};
use moka::future::Cache;

use super::encoding::{self, Coding};
use crate::api_error::{ApiError, ApiResult};
use crate::convert::u64_from_usize;
use crate::domain::lang::Lang;

/// A rendered response in one coding, and what its headers need.
#[derive(Clone, Debug)]
pub struct Cached {
    pub data_version: String,
    pub synthetic: bool,
    pub updated_at: DateTime<Utc>,
    pub content_type: &'static str,
    pub body: Bytes,
    /// The coding of `body`; builders produce identity.
    pub coding: Coding,
    pub lang: Option<Lang>,
    pub disposition: Option<String>,
    /// A `Link` header, e.g. to the next page of a CSV download.
    pub link: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    version: String,
    asked: String,
    coding: Coding,
}

impl Key {
    fn new(version: &str, asked: &str, coding: Coding) -> Key {
        Key {
            version: version.to_owned(),
            asked: asked.to_owned(),
            coding,
        }
    }
}

/// What the cache counts for an entry: its body and its key (a request target can be as long as
/// the body it names; the map holds the key twice), plus bookkeeping.
fn weight(key: &Key, value: &Cached) -> usize {
    value.body.len() + key.version.len() + 2 * key.asked.len() + 256
}

/// How a response was answered, for `Cache-Status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// From memory.
    Hit,
    /// Built (or coded) by this request and stored.
    Stored,
    /// Coded by this request from an identity body found in memory, and stored.
    CodedFromHit,
    /// Built by a concurrent request for the same entry, which this one waited for.
    Collapsed,
    /// Built and not stored: too large for the budget, of a newer data version than asked, or
    /// the cache is off.
    NotStored,
}

impl Status {
    /// The parameters of the `Cache-Status` entry (RFC 9211 §2).
    pub fn header_params(self) -> &'static str {
        match self {
            Status::Hit => "hit",
            Status::Stored => "fwd=miss; stored",
            Status::CodedFromHit => "fwd=miss; stored; detail=coded-from-hit",
            Status::Collapsed => "fwd=miss; collapsed",
            Status::NotStored => "fwd=miss",
        }
    }
}

/// Why a build did not end in an entry: moka stores only an `Ok`, and hands an `Err` to every
/// request that waited on the same build.
enum Miss {
    Failed(ApiError),
    /// A good body that is not stored under the key asked; the waiters answer with it too.
    NotStored(Arc<Cached>),
}

pub struct ResponseCache {
    capacity: usize,
    entries: Option<Cache<Key, Arc<Cached>>>,
    /// The newest data version stored; entries of any other are invalidated.
    version: Mutex<String>,
}

impl ResponseCache {
    /// A cache holding at most `capacity` bytes of bodies in all codings; 0 disables it.
    pub fn new(capacity: usize) -> ResponseCache {
        let entries = (capacity > 0).then(|| {
            Cache::builder()
                .max_capacity(u64_from_usize(capacity))
                .weigher(|k: &Key, v: &Arc<Cached>| u32::try_from(weight(k, v)).unwrap_or(u32::MAX))
                .support_invalidation_closures()
                .build()
        });
        ResponseCache {
            capacity,
            entries,
            version: Mutex::new(String::new()),
        }
    }

    /// The body `asked` in `coding`, from memory or else built (identity by `build`, then coded).
    ///
    /// `version` is the data version the caller believes current (`None` when none was seen
    /// yet): `build` reads the version again with the data, and a body of another version is
    /// answered but not stored under this one. Concurrent calls for one entry run `build`, and
    /// each compression, once.
    pub async fn get_or_build<F, Fut>(
        &self,
        version: Option<&str>,
        asked: &str,
        coding: Coding,
        build: F,
    ) -> ApiResult<(Arc<Cached>, Status)>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = ApiResult<Cached>>,
    {
        match version {
            Some(version) => self.lookup(version, asked, coding, build).await,
            None => {
                // Nothing to look up under before the first read: build, store under the
                // version read, then code from that.
                let built = build().await?;
                let version = built.data_version.clone();
                let (c, status) = self
                    .lookup(&version, asked, coding, || async { Ok(built) })
                    .await?;
                Ok((c, status))
            }
        }
    }

    async fn lookup<F, Fut>(
        &self,
        version: &str,
        asked: &str,
        coding: Coding,
        build: F,
    ) -> ApiResult<(Arc<Cached>, Status)>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = ApiResult<Cached>>,
    {
        let Some(entries) = &self.entries else {
            let identity = Arc::new(build().await?);
            return Ok((code(identity, coding).await?, Status::NotStored));
        };
        let key = Key::new(version, asked, coding);
        if let Some(hit) = entries.get(&key).await {
            return Ok((hit, Status::Hit));
        }
        let mut coded_from_hit = false;
        let init = async {
            let identity = if coding == Coding::Identity {
                Arc::new(build().await.map_err(Miss::Failed)?)
            } else {
                let (identity, status) = self
                    .identity(entries, version, asked, build)
                    .await
                    .map_err(Miss::Failed)?;
                coded_from_hit = status == Status::Hit;
                identity
            };
            let value = code(identity, coding).await.map_err(Miss::Failed)?;
            self.admit(entries, &key, value).await
        };
        let found = entries.entry(key.clone()).or_try_insert_with(init).await;
        match found {
            Ok(entry) if !entry.is_fresh() => Ok((entry.into_value(), Status::Collapsed)),
            Ok(entry) if coded_from_hit => Ok((entry.into_value(), Status::CodedFromHit)),
            Ok(entry) => Ok((entry.into_value(), Status::Stored)),
            Err(miss) => match &*miss {
                Miss::NotStored(c) => Ok((c.clone(), Status::NotStored)),
                Miss::Failed(e) => Err(e.clone()),
            },
        }
    }

    /// The identity body, from memory or built; stored like any other entry.
    async fn identity<F, Fut>(
        &self,
        entries: &Cache<Key, Arc<Cached>>,
        version: &str,
        asked: &str,
        build: F,
    ) -> ApiResult<(Arc<Cached>, Status)>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = ApiResult<Cached>>,
    {
        let key = Key::new(version, asked, Coding::Identity);
        let init = async {
            let built = Arc::new(build().await.map_err(Miss::Failed)?);
            self.admit(entries, &key, built).await
        };
        match entries.entry(key.clone()).or_try_insert_with(init).await {
            Ok(entry) if entry.is_fresh() => Ok((entry.into_value(), Status::Stored)),
            Ok(entry) => Ok((entry.into_value(), Status::Hit)),
            Err(miss) => match &*miss {
                Miss::NotStored(c) => Ok((c.clone(), Status::NotStored)),
                Miss::Failed(e) => Err(e.clone()),
            },
        }
    }

    /// `Ok` when `value` may be stored under `key`. A body of another data version than the key
    /// says (an import landed since the caller last looked) goes under its own key instead.
    async fn admit(
        &self,
        entries: &Cache<Key, Arc<Cached>>,
        key: &Key,
        value: Arc<Cached>,
    ) -> std::result::Result<Arc<Cached>, Miss> {
        // One body over a quarter of the budget would push out many small, often-asked ones.
        if weight(key, &value) > self.capacity / 4 {
            return Err(Miss::NotStored(value));
        }
        self.retire_other_versions(entries, &value.data_version);
        if value.data_version != key.version {
            let own = Key::new(&value.data_version, &key.asked, key.coding);
            entries.insert(own, value.clone()).await;
            return Err(Miss::NotStored(value));
        }
        Ok(value)
    }

    /// Invalidates every entry of another data version, once per new version.
    fn retire_other_versions(&self, entries: &Cache<Key, Arc<Cached>>, version: &str) {
        let Ok(mut newest) = self.version.lock() else {
            return;
        };
        if *newest == version {
            return;
        }
        version.clone_into(&mut newest);
        let version = version.to_owned();
        if let Err(e) = entries.invalidate_entries_if(move |k, _| k.version != version) {
            log::warn!("response cache: old entries stay until evicted: {e}");
        }
    }

    /// (entries, bytes) held now, every coding counted.
    pub async fn usage(&self) -> (u64, u64) {
        match &self.entries {
            Some(entries) => {
                entries.run_pending_tasks().await;
                (entries.entry_count(), entries.weighted_size())
            }
            None => (0, 0),
        }
    }
}

/// `identity` in `coding`, compressed on the blocking pool: a multi-MB body takes tens of
/// milliseconds, which would stall every connection of an async worker.
async fn code(identity: Arc<Cached>, coding: Coding) -> ApiResult<Arc<Cached>> {
    if coding == Coding::Identity {
        return Ok(identity);
    }
    let plain = identity.body.clone();
    let body = web::block(move || encoding::encode(&plain, coding)).await??;
    Ok(Arc::new(Cached {
        body,
        coding,
        ..(*identity).clone()
    }))
}

#[cfg(test)]
#[allow(
    clippy::as_conversions,
    reason = "test arithmetic on small known values"
)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn entry(version: &str, bytes: usize) -> Cached {
        Cached {
            data_version: version.into(),
            synthetic: false,
            updated_at: Utc::now(),
            content_type: "application/json",
            body: Bytes::from(
                (0..bytes)
                    .map(|i| b"{\"a\":[1,2,3]}"[i % 13])
                    .collect::<Vec<u8>>(),
            ),
            coding: Coding::Identity,
            lang: None,
            disposition: None,
            link: None,
        }
    }

    /// A builder that counts its runs and yields before answering, so concurrent callers are
    /// all waiting while it runs.
    // Not elidable, whatever the lint says: `'_` in the `Fn` sugar would name the closure's own
    // (absent) input lifetime.
    #[allow(clippy::needless_lifetimes)]
    fn counting<'a>(
        runs: &'a AtomicUsize,
        version: &'static str,
        bytes: usize,
    ) -> impl FnOnce() -> std::pin::Pin<Box<dyn Future<Output = ApiResult<Cached>> + 'a>> {
        move || {
            Box::pin(async move {
                runs.fetch_add(1, Ordering::SeqCst);
                for _ in 0..10 {
                    actix_web::rt::task::yield_now().await;
                }
                Ok(entry(version, bytes))
            })
        }
    }

    async fn ask(
        c: &ResponseCache,
        version: &str,
        asked: &str,
        coding: Coding,
        runs: &AtomicUsize,
    ) -> (Arc<Cached>, Status) {
        c.get_or_build(Some(version), asked, coding, counting(runs, "v1", 20))
            .await
            .unwrap()
    }

    /// Asks for `asked` believing `known` current, where the build reads a body of `bytes`
    /// bytes from version `read`.
    async fn ask_reading(
        c: &ResponseCache,
        known: &str,
        asked: &str,
        read: &'static str,
        bytes: usize,
        runs: &AtomicUsize,
    ) -> (Arc<Cached>, Status) {
        c.get_or_build(
            Some(known),
            asked,
            Coding::Identity,
            counting(runs, read, bytes),
        )
        .await
        .unwrap()
    }

    #[actix_web::test]
    async fn hits_until_the_version_changes() {
        let c = ResponseCache::new(100_000);
        let runs = AtomicUsize::new(0);
        assert_eq!(
            ask(&c, "v1", "/a", Coding::Identity, &runs).await.1,
            Status::Stored
        );
        assert_eq!(
            ask(&c, "v1", "/a", Coding::Identity, &runs).await.1,
            Status::Hit
        );
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        // Another version is another key.
        let (_, status) = ask_reading(&c, "v2", "/a", "v2", 10, &runs).await;
        assert_eq!(status, Status::Stored);
        assert_eq!(c.usage().await.0, 1, "entries of v1 are invalidated");
    }

    #[actix_web::test]
    async fn a_body_of_a_newer_version_goes_under_its_own_key() {
        let c = ResponseCache::new(100_000);
        let runs = AtomicUsize::new(0);
        // Believed current: v1; the build read v2.
        let (body, status) = ask_reading(&c, "v1", "/a", "v2", 10, &runs).await;
        assert_eq!(
            (body.data_version.as_str(), status),
            ("v2", Status::NotStored)
        );
        let (_, status) = ask(&c, "v2", "/a", Coding::Identity, &runs).await;
        assert_eq!(status, Status::Hit);
        // Nothing is known yet: the version comes from the build.
        let (_, status) = c
            .get_or_build(None, "/b", Coding::Gzip, counting(&runs, "v2", 10))
            .await
            .unwrap();
        assert_eq!(status, Status::Stored);
        assert_eq!(
            ask(&c, "v2", "/b", Coding::Gzip, &runs).await.1,
            Status::Hit
        );
        assert_eq!(
            ask(&c, "v2", "/b", Coding::Identity, &runs).await.1,
            Status::Hit
        );
    }

    #[actix_web::test]
    async fn coded_variants_are_stored_and_counted() {
        let c = ResponseCache::new(1_000_000);
        let runs = AtomicUsize::new(0);
        let build = || counting(&runs, "v1", 50_000);
        let (gz, status) = c
            .get_or_build(Some("v1"), "/a", Coding::Gzip, build())
            .await
            .unwrap();
        assert_eq!(status, Status::Stored);
        assert_eq!(gz.coding, Coding::Gzip);
        let (br, status) = c
            .get_or_build(Some("v1"), "/a", Coding::Br, build())
            .await
            .unwrap();
        assert_eq!(status, Status::CodedFromHit);
        let (again, status) = c
            .get_or_build(Some("v1"), "/a", Coding::Br, build())
            .await
            .unwrap();
        assert_eq!(status, Status::Hit);
        assert!(Arc::ptr_eq(&br, &again));
        assert_eq!(runs.load(Ordering::SeqCst), 1, "one build for all codings");

        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&gz.body[..])
            .read_to_end(&mut plain)
            .unwrap();
        assert_eq!(plain, entry("v1", 50_000).body);
        let (entries, bytes) = c.usage().await;
        assert_eq!(entries, 3);
        let key_bytes = 2 + 2 * 2 + 256;
        assert_eq!(
            bytes as usize,
            50_000 + gz.body.len() + br.body.len() + 3 * key_bytes
        );
    }

    #[actix_web::test]
    async fn concurrent_misses_run_the_builder_once() {
        for coding in [Coding::Identity, Coding::Gzip, Coding::Br] {
            let c = ResponseCache::new(100_000);
            let runs = AtomicUsize::new(0);
            let asks = (0..16).map(|_| ask(&c, "v1", "/a", coding, &runs));
            let answers = futures_util::future::join_all(asks).await;
            assert_eq!(runs.load(Ordering::SeqCst), 1, "{coding:?}");
            assert!(answers.iter().all(|(a, _)| Arc::ptr_eq(a, &answers[0].0)));
            let stored = answers.iter().filter(|(_, s)| *s == Status::Stored).count();
            assert_eq!(stored, 1, "{coding:?}: one stored, the others waited");
            assert!(answers
                .iter()
                .all(|(_, s)| matches!(s, Status::Stored | Status::Collapsed)));
        }
    }

    #[actix_web::test]
    async fn concurrent_misses_share_a_failure() {
        let c = ResponseCache::new(100_000);
        let runs = AtomicUsize::new(0);
        let failing = || async {
            runs.fetch_add(1, Ordering::SeqCst);
            actix_web::rt::task::yield_now().await;
            Err::<Cached, _>(ApiError::Unavailable("down".into()))
        };
        let asks = (0..4).map(|_| c.get_or_build(Some("v1"), "/a", Coding::Gzip, failing));
        for answer in futures_util::future::join_all(asks).await {
            assert!(matches!(answer, Err(ApiError::Unavailable(m)) if m == "down"));
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert_eq!(c.usage().await, (0, 0), "failures are not stored");
    }

    #[actix_web::test]
    async fn stays_within_its_budget() {
        // Each entry below costs 20 body bytes + 2 + 2·2 key bytes + 256 bookkeeping = 282.
        let c = ResponseCache::new(1500);
        let runs = AtomicUsize::new(0);
        for i in 0..10 {
            ask(&c, "v1", &format!("/{i}"), Coding::Identity, &runs).await;
        }
        let (n, bytes) = c.usage().await;
        assert!(bytes <= 1500 && n <= 5, "{n} entries, {bytes} bytes");
        // Bodies over a quarter of the budget are answered, not stored.
        let (_, status) = ask_reading(&c, "v1", "/big", "v1", 400, &runs).await;
        assert_eq!(status, Status::NotStored);
        // Disabled: every request builds.
        let off = ResponseCache::new(0);
        let before = runs.load(Ordering::SeqCst);
        for _ in 0..2 {
            let (_, status) = ask(&off, "v1", "/a", Coding::Br, &runs).await;
            assert_eq!(status, Status::NotStored);
        }
        assert_eq!(runs.load(Ordering::SeqCst), before + 2);
        assert_eq!(off.usage().await, (0, 0));
    }
}
