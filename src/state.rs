//! What every handler shares: the pool, the configuration and the last data version seen.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use std::time::SystemTime;

use crate::config::Config;
use crate::convert::{f64_from_usize, usize_from_u32};
use crate::db::data_state::DataState;
use crate::db::summaries::{AreaTypeYear, Containing, LatestValue, RegsoFacts};
use crate::db::{self, PgPool};
use crate::domain::replication::{Position, Standing};
use crate::export::Index;
use crate::geo::locate::PointIndex;
use crate::http::cache::ResponseCache;
use crate::http::rate_limit::RateLimiter;
use crate::metrics::{Metrics, Readings};

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
/// query, and what a lookup says of each RegSO, so the whole answer comes from memory.
pub struct AreaLocator {
    /// The data version everything here was read from, in one snapshot: a body built from
    /// the locator names this version and no other.
    pub data: DataState,
    areas: Vec<Containing>,
    /// Per area (same positions as `areas`): the RegSO facts; empty for other levels.
    facts: Vec<HeldRegso>,
    held: HeldValues,
    index: PointIndex,
}

impl AreaLocator {
    /// The areas containing a point in SWEREF 99 TM, ordered as [`crate::db::summaries::containing`].
    pub fn containing(&self, easting: f64, northing: f64) -> Vec<Containing> {
        self.located(easting, northing)
            .into_iter()
            .map(|(area, _)| area.clone())
            .collect()
    }

    /// [`Self::containing`], each area with its RegSO facts (empty but for RegSO).
    pub fn located(&self, easting: f64, northing: f64) -> Vec<(&Containing, RegsoFacts)> {
        self.index
            .containing(easting, northing)
            .into_iter()
            .map(|i| (&self.areas[i], self.held.facts(&self.facts[i])))
            .collect()
    }

    /// Bytes held on the heap, estimated from lengths: what the locator costs in memory.
    pub fn held_bytes(&self) -> usize {
        let strings: usize = self
            .areas
            .iter()
            .map(|a| {
                a.code.len()
                    + a.name.as_ref().map_or(0, String::len)
                    + a.geometry_source.as_ref().map_or(0, String::len)
            })
            .sum();
        self.areas.len() * std::mem::size_of::<Containing>()
            + strings
            + self.facts.len() * std::mem::size_of::<HeldRegso>()
            + self.held.bytes()
            + self.index.vertices() * std::mem::size_of::<[i32; 2]>()
    }
}

/// A RegSO's facts as held: its latest year with an area type, and where its latest values lie
/// in [`HeldValues::values`].
#[derive(Clone, Default)]
struct HeldRegso {
    latest_type: Option<HeldAreaType>,
    values: std::ops::Range<u32>,
}

#[derive(Clone)]
struct HeldAreaType {
    year: i16,
    area_type: Option<i16>,
    area_type_origin: Option<u16>,
    socioeconomic_index: Option<f64>,
}

/// One latest value, its words (indicator, status, unit) as numbers into [`HeldValues::words`].
#[derive(Clone)]
struct HeldValue {
    indicator: u16,
    status: u16,
    unit: u16,
    year: i16,
    value: Option<f64>,
}

/// The latest values of every RegSO in one vector (24 bytes each), with the few distinct
/// words they use stored once: about a tenth of the memory of the rows as read.
#[derive(Default)]
struct HeldValues {
    words: Vec<String>,
    word_ids: std::collections::HashMap<String, u16>,
    values: Vec<HeldValue>,
}

impl HeldValues {
    fn word(&mut self, word: String) -> crate::Result<u16> {
        if let Some(&id) = self.word_ids.get(&word) {
            return Ok(id);
        }
        let id = u16::try_from(self.words.len()).map_err(|_| {
            crate::Error::Internal("more than 65,536 distinct words in latest values".into())
        })?;
        self.words.push(word.clone());
        self.word_ids.insert(word, id);
        Ok(id)
    }

    /// Stores one RegSO's facts; `values` in the order the body lists them.
    fn hold(
        &mut self,
        latest_type: Option<AreaTypeYear>,
        values: impl IntoIterator<Item = LatestValue>,
    ) -> crate::Result<HeldRegso> {
        let latest_type = match latest_type {
            Some(t) => Some(HeldAreaType {
                year: t.year,
                area_type: t.area_type,
                area_type_origin: t.area_type_origin.map(|o| self.word(o)).transpose()?,
                socioeconomic_index: t.socioeconomic_index,
            }),
            None => None,
        };
        let start = self.values.len();
        for v in values {
            let held = HeldValue {
                indicator: self.word(v.indicator)?,
                status: self.word(v.status)?,
                unit: self.word(v.unit)?,
                year: v.year,
                value: v.value,
            };
            self.values.push(held);
        }
        let position = |n: usize| {
            u32::try_from(n)
                .map_err(|_| crate::Error::Internal("more than 2^32 latest values".into()))
        };
        Ok(HeldRegso {
            latest_type,
            values: position(start)?..position(self.values.len())?,
        })
    }

    fn facts(&self, held: &HeldRegso) -> RegsoFacts {
        let word = |id: u16| self.words[usize::from(id)].clone();
        RegsoFacts {
            latest_type: held.latest_type.as_ref().map(|t| AreaTypeYear {
                year: t.year,
                area_type: t.area_type,
                area_type_origin: t.area_type_origin.map(word),
                socioeconomic_index: t.socioeconomic_index,
            }),
            latest_values: self.values
                [usize_from_u32(held.values.start)..usize_from_u32(held.values.end)]
                .iter()
                .map(|v| LatestValue {
                    indicator: word(v.indicator),
                    year: v.year,
                    value: v.value,
                    status: word(v.status),
                    unit: word(v.unit),
                })
                .collect(),
        }
    }

    fn bytes(&self) -> usize {
        self.values.capacity() * std::mem::size_of::<HeldValue>()
            + self.words.iter().map(|w| 2 * w.len()).sum::<usize>()
            + self.word_ids.capacity() * std::mem::size_of::<(String, u16)>()
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
                .filter(|l| l.data.data_version == known)
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
        let built = db::read(&self.pool, build_locator).await;
        self.building.store(false, Ordering::Release);
        match built {
            Ok(l) => {
                log::info!(
                    "point lookup holds {} areas ({} vertices, {} latest values, about {:.1} MiB) of data version {} (built in {:.1?})",
                    l.areas.len(),
                    l.index.vertices(),
                    l.held.values.len(),
                    f64_from_usize(l.held_bytes()) / 1_048_576.0,
                    l.data.data_version,
                    started.elapsed()
                );
                let l = Arc::new(l);
                if let Ok(mut slot) = self.locator.write() {
                    *slot = Some(l.clone());
                }
                (l.data.data_version == known).then_some(l)
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
        Ok(self.refresh_with_position().await?.0)
    }

    /// [`Self::refresh`], also giving where the database stands in replication. The position
    /// is read first, by the statement that takes the snapshot the data version is then read
    /// from: a standby that replays after it is found behind (not caught up with an old version).
    pub async fn refresh_with_position(&self) -> crate::Result<(DataState, Position)> {
        let (position, state) = db::read(&self.pool, |conn| -> crate::Result<_> {
            Ok((
                db::replication::position(conn)?,
                db::data_state::current(conn)?,
            ))
        })
        .await?;
        self.observe(&state);
        self.observe_replication(position.standing());
        Ok((state, position))
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

    /// The `/metrics` text: the counters, and the gauges read now.
    pub async fn metrics_text(&self) -> String {
        let cache = self.cache.usage().await;
        self.metrics.render(Readings {
            cache,
            pool: self.pool.state(),
            data: self.known_data_state(),
            replication: self.replication(),
        })
    }
}

/// Reads everything a lookup needs, in one snapshot (the caller's transaction): the data
/// version, every area's polygons one division at a time, and each RegSO's facts one RegSO
/// division at a time, so no more than one division's rows are held as read.
fn build_locator(conn: &mut diesel::PgConnection) -> crate::Result<AreaLocator> {
    let data = db::data_state::current(conn)?;
    let mut areas = Vec::new();
    let mut shapes = PointIndex::builder();
    for division in db::summaries::divisions_with_outlines(conn)? {
        for (area, shape) in db::summaries::outlines(conn, division)? {
            areas.push(area);
            shapes.add(&shape);
        }
    }
    let mut held = HeldValues::default();
    let mut facts = vec![HeldRegso::default(); areas.len()];
    let indicators = db::summaries::indicators_in_order(conn)?;
    for division in db::summaries::regso_divisions_with_outlines(conn)? {
        let mut types: std::collections::HashMap<String, AreaTypeYear> =
            db::summaries::latest_area_types(conn, division)?
                .into_iter()
                .map(|t| (t.code, t.latest))
                .collect();
        // Indicator by indicator in their order, so each area's values end up in it.
        let mut values: std::collections::HashMap<String, Vec<LatestValue>> =
            std::collections::HashMap::new();
        for indicator in &indicators {
            for v in db::summaries::latest_values_of_indicator(conn, division, indicator)? {
                values.entry(v.code).or_default().push(v.latest);
            }
        }
        for (area, slot) in areas.iter().zip(facts.iter_mut()) {
            if area.division == division {
                *slot = held.hold(
                    types.remove(&area.code),
                    values.remove(&area.code).unwrap_or_default(),
                )?;
            }
        }
    }
    held.values.shrink_to_fit();
    Ok(AreaLocator {
        data,
        index: shapes.build(),
        areas,
        facts,
        held,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(indicator: &str, year: i16, value: Option<f64>) -> LatestValue {
        LatestValue {
            indicator: indicator.into(),
            year,
            value,
            status: if value.is_some() { "ok" } else { "missing" }.into(),
            unit: "percent".into(),
        }
    }

    #[test]
    fn held_facts_come_back_as_given_in_order_with_words_stored_once() {
        let mut held = HeldValues::default();
        let typed = AreaTypeYear {
            year: 2023,
            area_type: Some(4),
            area_type_origin: Some("official".into()),
            socioeconomic_index: Some(61.25),
        };
        let first = RegsoFacts {
            latest_type: Some(typed),
            // Not in alphabetical order: the order given is the order kept.
            latest_values: vec![
                value("z_last", 2023, Some(1.5)),
                value("a_first", 2021, None),
            ],
        };
        let second = RegsoFacts {
            latest_type: None,
            latest_values: vec![value("a_first", 2022, Some(-0.0))],
        };
        let a = held
            .hold(first.latest_type.clone(), first.latest_values.clone())
            .unwrap();
        let b = held
            .hold(second.latest_type.clone(), second.latest_values.clone())
            .unwrap();
        let none = held.hold(None, Vec::new()).unwrap();
        assert_eq!(held.facts(&a), first);
        assert_eq!(held.facts(&b), second);
        assert_eq!(held.facts(&none), RegsoFacts::default());
        assert_eq!(held.facts(&HeldRegso::default()), RegsoFacts::default());
        // z_last, a_first, ok, missing, percent, official.
        assert_eq!(held.words.len(), 6);
        assert_eq!(std::mem::size_of::<HeldValue>(), 24);
    }
}
