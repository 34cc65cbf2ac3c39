//! The request/response machinery every endpoint shares: query parsing, content negotiation,
//! conditional requests, the response cache, the rate limit, and errors as problem+json. The
//! application is put together from it in `app`.

pub mod cache;
pub mod conditional;
pub mod csv;
pub mod encoding;
pub mod format;
pub mod immutable;
pub mod links;
pub mod middleware;
pub mod negotiate;
pub mod paging;
pub mod param;
pub mod problems;
pub mod query;
pub mod rate_limit;
pub mod stored_file;
pub mod version;
