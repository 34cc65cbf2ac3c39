//! Imports: readers for the formats SCB publishes, loading into PostgreSQL in one transaction,
//! and the recomputation of everything derived. An import lands whole or changes nothing.

pub mod area_types;
pub mod boundaries;
pub mod bundled;
pub mod catalogue;
pub mod codes;
pub mod csv;
pub mod derive;
pub mod load;
pub mod manifest;
pub mod online;
pub mod scb;
pub mod values;

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::Error;

/// One input file: its name as shown in messages and dataset records, its bytes (decompressed
/// when the file is gzip) and the SHA-256 of the file as it is on disk.
pub struct Source {
    pub name: String,
    pub bytes: Vec<u8>,
    pub checksum: String,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Source {
    pub fn read(path: &Path, name: &str) -> Result<Source, Error> {
        let raw = std::fs::read(path).map_err(|e| Error::Import {
            file: name.to_owned(),
            location: None,
            field: None,
            message: format!("cannot read {}: {e}", path.display()),
        })?;
        let checksum = sha256_hex(&raw);
        let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&raw[..])
                .read_to_end(&mut out)
                .map_err(|e| Error::Import {
                    file: name.to_owned(),
                    location: None,
                    field: None,
                    message: format!("not a valid gzip file: {e}"),
                })?;
            out
        } else {
            raw
        };
        Ok(Source {
            name: name.to_owned(),
            bytes,
            checksum,
        })
    }

    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Source {
        Source {
            name: name.to_owned(),
            checksum: sha256_hex(&bytes),
            bytes,
        }
    }

    /// An error located in this file.
    pub fn error(
        &self,
        line: Option<usize>,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> Error {
        self.error_at(line.map(|l| l.to_string()), field, message)
    }

    pub fn error_at(
        &self,
        location: Option<String>,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> Error {
        Error::Import {
            file: self.name.clone(),
            location,
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }

    /// The content as UTF-8 text; SCB publishes UTF-8, and a Latin-1 export is refused with
    /// the line of the first bad byte.
    pub fn text(&self) -> Result<&str, Error> {
        std::str::from_utf8(&self.bytes).map_err(|e| {
            let line = 1 + self.bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.error(
                Some(line),
                None,
                "not UTF-8 text (SCB's exports are UTF-8; was the file saved as Latin-1?)",
            )
        })
    }

    pub fn json(&self) -> Result<serde_json::Value, Error> {
        serde_json::from_slice(&self.bytes)
            .map_err(|e| self.error(Some(e.line()), None, format!("not valid JSON: {e}")))
    }
}
