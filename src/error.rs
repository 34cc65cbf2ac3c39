//! The error of the library and the commands: what fails below the API (the database, an
//! import's input, a file, the configuration, a command line). A command prints it and exits
//! with the status `cli::failure` gives (2 for a command-line mistake, 1 otherwise); a request
//! that meets it answers it as a problem, through `api_error::ApiError::Server`.
//!
//! Library errors become an [`Error`] through `From`, in this file only.

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database is unreachable, overloaded or too slow; the client may retry.
    #[error("{0}")]
    Unavailable(String),
    /// Settings that fail validation at start, each naming its variable.
    #[error("invalid configuration:\n  {}", .0.join("\n  "))]
    Config(Vec<String>),
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("cannot connect to the database: {0}")]
    Connection(#[from] diesel::ConnectionError),
    #[error("migration failed: {0}")]
    Migration(String),
    /// Bad input to an import, located as precisely as the format allows.
    #[error("{file}{}{}: {message}", .location.as_ref().map(|l| format!(":{l}")).unwrap_or_default(), .field.as_ref().map(|f| format!(": {f}")).unwrap_or_default())]
    Import {
        file: String,
        /// A line number, a feature number or a JSON path.
        location: Option<String>,
        field: Option<String>,
        message: String,
    },
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("internal error: {0}")]
    Internal(String),
    /// A command-line mistake (an option's value, a missing choice, a folder not found): the
    /// command says what to change and exits with status 2. Never answered over HTTP.
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// True when the error says the database could not answer in time or at all, as opposed to a
    /// bug in a query. Such errors are a 503 and the client may retry.
    pub fn is_database_unavailable(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error as D};
        match self {
            Error::Unavailable(_) | Error::Connection(_) => true,
            Error::Database(D::DatabaseError(kind, info)) => {
                matches!(kind, DatabaseErrorKind::ClosedConnection)
                    || info.message().contains("statement timeout")
                    || info.message().contains("lock timeout")
                    || info.message().contains("canceling statement")
                    || info.message().contains("could not serialize access")
                    || info.message().contains("terminating connection")
                    || info.message().contains("server closed the connection")
            }
            _ => false,
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Error {
        Error::Internal(format!("JSON: {e}"))
    }
}

/// A GeoPackage being written (`segstat export`); reading one is an import error instead.
impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        Error::Internal(format!("GeoPackage: {e}"))
    }
}

impl From<zip::result::ZipError> for Error {
    fn from(e: zip::result::ZipError) -> Error {
        Error::Internal(format!("zip: {e}"))
    }
}

/// Writing a GeoParquet download failed (the file system errors come through as I/O).
impl From<parquet::errors::ParquetError> for Error {
    fn from(e: parquet::errors::ParquetError) -> Error {
        match e {
            parquet::errors::ParquetError::External(e) => match e.downcast::<std::io::Error>() {
                Ok(io) => Error::Io(*io),
                Err(e) => Error::Internal(format!("Parquet: {e}")),
            },
            e => Error::Internal(format!("Parquet: {e}")),
        }
    }
}

impl From<r2d2::Error> for Error {
    fn from(e: r2d2::Error) -> Error {
        Error::Unavailable(format!("no database connection available: {e}"))
    }
}

impl From<actix_web::error::BlockingError> for Error {
    fn from(_: actix_web::error::BlockingError) -> Error {
        Error::Unavailable("the server is shutting down".into())
    }
}
