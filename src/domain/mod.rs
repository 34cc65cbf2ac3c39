//! Domain rules as pure functions: codes, the socio-economic index and area types, the
//! inequality (dissimilarity) index, ranks and the per-municipality summaries; the levels
//! and division versions (`geography`). No I/O here.

pub mod changes;
pub mod codes;
pub mod cql2;
pub mod crosswalk;
pub mod geography;
pub mod geometry_source;
pub mod index;
pub mod inequality;
pub mod lang;
pub mod ranks;
pub mod replication;
pub mod summaries;
pub mod text;
pub mod themes;
