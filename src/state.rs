//! What every handler shares: the pool, the configuration and the last data version seen.

use std::sync::{Arc, RwLock};

use crate::config::Config;
use crate::db::data_state::DataState;
use crate::db::{self, PgPool};
use crate::http::cache::ResponseCache;

pub struct AppState {
    pub pool: PgPool,
    pub config: Arc<Config>,
    /// Rendered responses, keyed on the data version.
    pub cache: ResponseCache,
    /// The data version last read from the database. Used to answer `If-None-Match` without a
    /// query; every response that reads data reads the version again in its own snapshot.
    known: RwLock<Option<DataState>>,
}

impl AppState {
    pub fn new(config: Config) -> AppState {
        AppState {
            pool: db::reader_pool(&config),
            cache: ResponseCache::new(config.cache_bytes),
            config: Arc::new(config),
            known: RwLock::new(None),
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

    /// Reads the data version now, so a new import shows without waiting for a request.
    pub async fn refresh(&self) -> crate::Result<DataState> {
        let state = db::read(&self.pool, db::data_state::current).await?;
        self.observe(&state);
        Ok(state)
    }
}
