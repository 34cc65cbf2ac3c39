//! `index.json` and `SHA256SUMS`: what a version folder holds, with sizes and checksums. The
//! server reads `index.json` to list the downloads; `sha256sum -c SHA256SUMS` checks a copy.

use std::io::Read;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::convert::u64_from_usize;
use crate::error::{Error, Result};

pub const INDEX_FILE: &str = "index.json";
pub const SUMS_FILE: &str = "SHA256SUMS";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Index {
    pub data_version: String,
    pub synthetic: bool,
    pub created: DateTime<Utc>,
    pub files: Vec<FileEntry>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    /// The file's name in the version folder.
    pub name: String,
    pub format: String,
    pub media_type: String,
    pub bytes: u64,
    /// SHA-256 of the file, lowercase hex.
    pub sha256: String,
    /// The OGC collection id, for a file of one collection.
    pub collection: Option<String>,
}

/// Size and SHA-256 (hex) of a file, read in pieces.
pub fn digest(path: &Path) -> Result<(u64, String)> {
    let mut file = std::fs::File::open(path)?;
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
        bytes += u64_from_usize(n);
    }
    let hex = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((bytes, hex))
}

/// The lines of `SHA256SUMS`, as `sha256sum` writes them.
pub fn sums(index: &Index) -> String {
    index
        .files
        .iter()
        .map(|f| format!("{}  {}\n", f.sha256, f.name))
        .collect()
}

/// Writes `index.json` and `SHA256SUMS` into `dir`.
pub fn write(dir: &Path, index: &Index) -> Result<()> {
    std::fs::write(dir.join(SUMS_FILE), sums(index))?;
    std::fs::write(dir.join(INDEX_FILE), serde_json::to_vec_pretty(index)?)?;
    Ok(())
}

/// The index of a version folder; `None` when the folder has none (not exported).
pub fn read(dir: &Path) -> Result<Option<Index>> {
    match std::fs::read(dir.join(INDEX_FILE)) {
        Ok(bytes) => {
            let index: Index = serde_json::from_slice(&bytes)?;
            // The checksum becomes the file's ETag: it must be one.
            if let Some(f) = index.files.iter().find(|f| !is_sha256(&f.sha256)) {
                return Err(Error::Internal(format!(
                    "{}: the sha256 of {:?} is not 64 hex digits",
                    dir.join(INDEX_FILE).display(),
                    f.name
                )));
            }
            Ok(Some(index))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// A SHA-256 as `sha256sum` writes it: 64 lowercase hex digits.
fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_sha256_passes_as_one() {
        assert!(is_sha256(&"0a".repeat(32)));
        assert!(!is_sha256(&"0A".repeat(32)));
        assert!(!is_sha256("00"));
        assert!(!is_sha256(&format!("{}\"", "0".repeat(63))));
    }

    #[test]
    fn sums_read_as_sha256sum_writes_them() {
        let index = Index {
            data_version: "v1".into(),
            synthetic: false,
            created: Utc::now(),
            files: vec![FileEntry {
                name: "a.csv".into(),
                format: "csv".into(),
                media_type: "text/csv".into(),
                bytes: 3,
                sha256: "ab".repeat(32),
                collection: None,
            }],
        };
        assert_eq!(sums(&index), format!("{}  a.csv\n", "ab".repeat(32)));
    }

    #[test]
    fn the_digest_is_sha256_of_the_bytes() {
        let path = std::env::temp_dir().join(format!("segstat-digest-{}", std::process::id()));
        std::fs::write(&path, b"abc").unwrap();
        let (bytes, hex) = digest(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(bytes, 3);
        assert_eq!(
            hex,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
