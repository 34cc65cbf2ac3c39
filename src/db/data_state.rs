//! The data version and what was imported: the facts every response cites.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::schema::{data_state, datasets};
use crate::error::Result;

/// The version of everything served, as one row.
#[derive(Clone, Debug, PartialEq, Queryable, Selectable)]
#[diesel(table_name = data_state)]
pub struct DataState {
    pub data_version: String,
    pub synthetic: bool,
    pub updated_at: DateTime<Utc>,
}

pub fn current(conn: &mut PgConnection) -> Result<DataState> {
    Ok(data_state::table
        .select(DataState::as_select())
        .first(conn)?)
}

/// One import: the source it read, its checksum, when, and under which licence.
#[derive(Clone, Debug, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = datasets)]
#[schema(as = DatasetInfo)]
pub struct Dataset {
    #[schema(example = "area-types")]
    pub kind: String,
    /// File name or URL the data came from.
    pub source: String,
    /// SHA-256 of the source.
    pub checksum: String,
    pub imported_at: DateTime<Utc>,
    pub synthetic: bool,
    pub licence: String,
    pub attribution: String,
}

pub fn datasets(conn: &mut PgConnection) -> Result<Vec<Dataset>> {
    Ok(datasets::table
        .select(Dataset::as_select())
        .order((datasets::kind, datasets::source))
        .load(conn)?)
}
