//! What every handler shares: the pool, the configuration and the last data version seen.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use std::time::SystemTime;

use crate::config::Config;
use crate::db::data_state::DataState;
use crate::db::summaries::Containing;
use crate::db::{self, PgPool};
use crate::domain::replication::Standing;
use crate::export::Index;
use crate::geo::locate::PointIndex;
use crate::http::cache::ResponseCache;
use crate::http::rate_limit::RateLimiter;
use crate::metrics::Metrics;

pub struct AppState {
    pub pool: PgPool,
    pub config: Arc<Config>,
    /// Rendered responses, keyed on the data version.
    pub cache: ResponseCache,
    pub rate_limiter: RateLimiter,
    /// What `/metrics` exports.
    pub metrics: Metrics,
    /// The database's replication standing, read with the data version at each refresh.
    replication: RwLock<Option<Standing>>,
    /// The data version last read from the database. Used to answer `If-None-Match` without a
    /// query; every response that reads data reads the version again in its own snapshot.
    known: RwLock<Option<DataState>>,
    /// The areas of the last data version, in memory, for point lookups.
    locator: RwLock<Option<Arc<AreaLocator>>>,
    /// Set while a locator is built, so concurrent lookups build it once (the others use the
    /// database meanwhile).
    building: AtomicBool,
    /// The last `index.json` of the bulk downloads read, with the modification time it had.
    downloads: RwLock<Option<(SystemTime, Arc<Index>)>>,
}

/// Every area's polygons of one data version, for finding the areas around a point without a
/// query.
pub struct AreaLocator {
    pub data_version: String,
    areas: Vec<Containing>,
    index: PointIndex,
}

impl AreaLocator {
    /// The areas containing a point in SWEREF 99 TM, ordered as [`crate::db::summaries::containing`].
    pub fn containing(&self, easting: f64, northing: f64) -> Vec<Containing> {
        self.index
            .containing(easting, northing)
            .into_iter()
            .map(|i| self.areas[i].clone())
            .collect()
    }
}

impl AppState {
    pub fn new(config: Config) -> AppState {
        AppState {
            pool: db::reader_pool(&config),
            cache: ResponseCache::new(config.cache_bytes),
            rate_limiter: RateLimiter::new(config.rate_limit_per_minute, config.rate_limit_burst),
            config: Arc::new(config),
            metrics: Metrics::new(),
            replication: RwLock::new(None),
            known: RwLock::new(None),
            locator: RwLock::new(None),
            building: AtomicBool::new(false),
            downloads: RwLock::new(None),
        }
    }

    pub fn known_data_state(&self) -> Option<DataState> {
        self.known.read().ok().and_then(|k| k.clone())
    }

    /// Records a data version read from the database; logs when it changed.
    pub fn observe(&self, state: &DataState) {
        let Ok(mut known) = self.known.write() else {
            return;
        };
        if known.as_ref() != Some(state) {
            log::info!(
                "serving data version {}{}",
                state.data_version,
                if state.synthetic { " (synthetic)" } else { "" }
            );
            *known = Some(state.clone());
        }
    }

    /// The in-memory areas of the data version now served, built on first use after each
    /// import (the caller waits for that once; a failure leaves the lookup to the database).
    pub async fn locator(&self) -> Option<Arc<AreaLocator>> {
        let known = self.known_data_state()?.data_version;
        let current = |state: &AppState| {
            state
                .locator
                .read()
                .ok()
                .and_then(|l| l.clone())
                .filter(|l| l.data_version == known)
        };
        if let Some(l) = current(self) {
            return Some(l);
        }
        if self
            .building
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return None;
        }
        let started = std::time::Instant::now();
        let built = db::read(&self.pool, |conn| {
            let data = db::data_state::current(conn)?;
            let mut areas = Vec::new();
            let mut shapes = PointIndex::builder();
            for division in db::summaries::divisions_with_outlines(conn)? {
                for (area, shape) in db::summaries::outlines(conn, &division)? {
                    areas.push(area);
                    shapes.add(&shape);
                }
            }
            Ok(AreaLocator {
                data_version: data.data_version,
                index: shapes.build(),
                areas,
            })
        })
        .await;
        self.building.store(false, Ordering::Release);
        match built {
            Ok(l) => {
                log::info!(
                    "point lookup holds {} areas ({} vertices) of data version {} (built in {:.1?})",
                    l.areas.len(),
                    l.index.vertices(),
                    l.data_version,
                    started.elapsed()
                );
                let l = Arc::new(l);
                if let Ok(mut slot) = self.locator.write() {
                    *slot = Some(l.clone());
                }
                (l.data_version == known).then_some(l)
            }
            Err(e) => {
                log::warn!("point lookup stays with the database: {e}");
                None
            }
        }
    }

    /// The index of the bulk downloads of `version`, if `segstat export` wrote them. Read again
    /// only when the file changed (a new version, an export that appeared or was replaced); a
    /// stat per call costs less than a request's logging.
    pub fn downloads(&self, version: &str) -> Option<Arc<Index>> {
        if !crate::export::is_safe_folder_name(version) {
            return None;
        }
        let path = self
            .config
            .downloads_dir
            .join(version)
            .join(crate::export::index::INDEX_FILE);
        let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
        if let Some((at, index)) = self.downloads.read().ok().and_then(|d| d.clone()) {
            if at == modified && index.data_version == version {
                return Some(index);
            }
        }
        match crate::export::index::read(path.parent()?) {
            Ok(Some(index)) if index.data_version == version => {
                let index = Arc::new(index);
                if let Ok(mut slot) = self.downloads.write() {
                    *slot = Some((modified, index.clone()));
                }
                Some(index)
            }
            Ok(_) => None,
            Err(e) => {
                log::warn!("cannot read {}: {e}", path.display());
                None
            }
        }
    }

    /// Reads the data version (and the replication standing) now, so a new import shows
    /// without waiting for a request.
    pub async fn refresh(&self) -> crate::Result<DataState> {
        let (state, standing) = db::read(&self.pool, |conn| {
            Ok((
                db::data_state::current(conn)?,
                db::replication::standing(conn)?,
            ))
        })
        .await?;
        self.observe(&state);
        self.observe_replication(standing);
        Ok(state)
    }

    /// Records the replication standing just read, for `/metrics`.
    pub fn observe_replication(&self, standing: Standing) {
        if let Ok(mut slot) = self.replication.write() {
            *slot = Some(standing);
        }
    }

    /// The replication standing read at the last refresh.
    pub fn replication(&self) -> Option<Standing> {
        self.replication.read().ok().and_then(|r| *r)
    }
}
