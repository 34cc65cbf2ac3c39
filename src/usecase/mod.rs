//! What the resources compute from the data, as functions over one read-only connection: the
//! checks that need the catalogue or the years with data, the queries of `db`, and the plain
//! values they answer. No HTTP here: `api` parses a request into the inputs these take and
//! renders what they return; the same functions could serve another front end.

pub mod areas;
pub mod data;
pub mod indicators;
pub mod inequality;
pub mod lookup;
pub mod summaries;
pub mod tiles;
