//! Bulk downloads: `segstat export` writes every collection of the current data version as
//! files (GeoPackage, FlatGeobuf, zipped CSV, …) into `DIR/<data_version>/`, all or nothing,
//! with an `index.json` and `SHA256SUMS` that `/v1/downloads` serves.
//!
//! Everything is read in one read-only, repeatable-read snapshot, so the files of a version
//! never mix two imports. The files are written into a hidden temporary folder beside the
//! version folder and renamed into place only when all of them are complete.

pub mod collection;
pub mod fgb;
pub mod geoparquet;
pub mod gpkg;
pub mod index;
pub mod pmtiles;
pub mod tables;

use std::path::{Path, PathBuf};
use std::time::Instant;

use diesel::PgConnection;

use crate::convert::f64_from_u64;
use crate::db;
use crate::error::{Error, Result};
pub use collection::{collections, ExportCollection};
pub use index::{FileEntry, Index};

/// Writes one collection's file.
pub type CollectionWriter = fn(&mut PgConnection, &ExportCollection, &Path) -> Result<()>;
/// Writes one file for the whole dataset.
pub type DatasetWriter = fn(&mut PgConnection, &Path) -> Result<()>;

/// What a format writes: a file per collection with geometry, or one file (named `stem`).
#[derive(Clone, Copy)]
pub enum Writer {
    PerCollection(CollectionWriter),
    Dataset {
        stem: &'static str,
        write: DatasetWriter,
    },
}

/// One kind of download.
pub struct Format {
    /// What `--formats` names.
    pub name: &'static str,
    /// The `format` of its files in `index.json` and `/v1/downloads`.
    pub format: &'static str,
    pub extension: &'static str,
    pub media_type: &'static str,
    pub writer: Writer,
}

/// Every format, in the order the files are written and listed.
pub const FORMATS: &[Format] = &[
    Format {
        name: "gpkg",
        format: "gpkg",
        extension: "gpkg",
        media_type: "application/geopackage+sqlite3",
        writer: Writer::PerCollection(gpkg::write),
    },
    Format {
        name: "fgb",
        format: "flatgeobuf",
        extension: "fgb",
        media_type: "application/vnd.flatgeobuf",
        writer: Writer::PerCollection(fgb::write),
    },
    Format {
        name: "geoparquet",
        format: "geoparquet",
        extension: "parquet",
        media_type: "application/vnd.apache.parquet",
        writer: Writer::PerCollection(geoparquet::write),
    },
    Format {
        name: "pmtiles",
        format: "pmtiles",
        extension: "pmtiles",
        media_type: "application/vnd.pmtiles",
        writer: Writer::PerCollection(pmtiles::write),
    },
    Format {
        name: "csv",
        format: "csv",
        extension: "csv.zip",
        media_type: "application/zip",
        writer: Writer::Dataset {
            stem: "values",
            write: tables::write_values,
        },
    },
    Format {
        name: "area-types",
        format: "csv",
        extension: "csv",
        media_type: "text/csv; charset=utf-8",
        writer: Writer::Dataset {
            stem: "area-types",
            write: tables::write_area_types,
        },
    },
    Format {
        name: "summaries",
        format: "csv",
        extension: "csv",
        media_type: "text/csv; charset=utf-8",
        writer: Writer::Dataset {
            stem: "summaries",
            write: tables::write_summaries,
        },
    },
];

/// The formats a `--formats` list names (every format when it is empty), in table order, or
/// an error naming the unknown ones and the known.
pub fn select_formats(names: &[String]) -> Result<Vec<&'static Format>> {
    let names: Vec<&str> = names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .collect();
    let unknown: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !FORMATS.iter().any(|f| f.name == *n))
        .collect();
    if !unknown.is_empty() {
        return Err(Error::Config(vec![format!(
            "--formats: unknown {}; known: {}",
            unknown.join(", "),
            FORMATS
                .iter()
                .map(|f| f.name)
                .collect::<Vec<_>>()
                .join(", ")
        )]));
    }
    Ok(FORMATS
        .iter()
        .filter(|f| names.is_empty() || names.contains(&f.name))
        .collect())
}

/// True when a data version can name a folder: letters, digits, `-`, `_` and `.`, not leading.
pub fn is_safe_folder_name(version: &str) -> bool {
    !version.is_empty()
        && !version.starts_with('.')
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// What an export did.
#[derive(Debug)]
pub struct Outcome {
    pub data_version: String,
    pub dir: PathBuf,
    /// False when the version was exported already and nothing was written.
    pub written: bool,
    pub files: Vec<FileEntry>,
}

/// Exports the current data version into `root/<data_version>/`. A version exported already
/// is left as it is unless `replace`, which swaps in the new folder.
pub fn export(
    conn: &mut PgConnection,
    root: &Path,
    formats: &[&'static Format],
    replace: bool,
) -> Result<Outcome> {
    conn.build_transaction()
        .read_only()
        .repeatable_read()
        .run(|conn| export_snapshot(conn, root, formats, replace))
}

fn export_snapshot(
    conn: &mut PgConnection,
    root: &Path,
    formats: &[&'static Format],
    replace: bool,
) -> Result<Outcome> {
    let data = db::data_state::current(conn)?;
    if !is_safe_folder_name(&data.data_version) {
        return Err(Error::Internal(format!(
            "data version {:?} cannot name a folder",
            data.data_version
        )));
    }
    let dir = root.join(&data.data_version);
    if dir.join(index::INDEX_FILE).is_file() && !replace {
        log::info!(
            "data version {} is exported already in {} (--replace writes it again)",
            data.data_version,
            dir.display()
        );
        let files = index::read(&dir)?.map(|i| i.files).unwrap_or_default();
        return Ok(Outcome {
            data_version: data.data_version,
            dir,
            written: false,
            files,
        });
    }
    std::fs::create_dir_all(root).map_err(|e| io_at(root, e))?;
    remove_abandoned(root);
    let pid = std::process::id();
    let tmp = root.join(format!(".tmp-{}-{pid}", data.data_version));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| io_at(&tmp, e))?;
    }
    std::fs::create_dir(&tmp).map_err(|e| io_at(&tmp, e))?;
    let written = write_all(conn, &tmp, formats, &data).and_then(|files| {
        let index = Index {
            data_version: data.data_version.clone(),
            synthetic: data.synthetic,
            created: chrono::Utc::now(),
            files,
        };
        index::write(&tmp, &index)?;
        Ok(index.files)
    });
    let files = match written {
        Ok(files) => files,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    if dir.exists() {
        // Two renames: the old folder is gone only for the moment between them.
        let old = root.join(format!(".old-{}-{pid}", data.data_version));
        std::fs::rename(&dir, &old).map_err(|e| io_at(&dir, e))?;
        std::fs::rename(&tmp, &dir).map_err(|e| io_at(&dir, e))?;
        let _ = std::fs::remove_dir_all(&old);
    } else if let Err(e) = std::fs::rename(&tmp, &dir) {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(io_at(&dir, e));
    }
    Ok(Outcome {
        data_version: data.data_version,
        dir,
        written: true,
        files,
    })
}

fn io_at(path: &Path, e: std::io::Error) -> Error {
    Error::Io(std::io::Error::new(
        e.kind(),
        format!("{}: {e}", path.display()),
    ))
}

/// Temporary folders of exports whose process has ended (killed midway).
fn remove_abandoned(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let pid = name
            .strip_prefix(".tmp-")
            .or_else(|| name.strip_prefix(".old-"))
            .and_then(|rest| rest.rsplit('-').next())
            .and_then(|pid| pid.parse::<u32>().ok());
        if let Some(pid) = pid {
            if !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}

/// Writes every file of the chosen formats into `dir` and describes them.
fn write_all(
    conn: &mut PgConnection,
    dir: &Path,
    formats: &[&'static Format],
    data: &db::data_state::DataState,
) -> Result<Vec<FileEntry>> {
    let mut with_geometry = Vec::new();
    for c in collections() {
        if db::export::count_with_geometry(conn, c.division)? > 0 {
            with_geometry.push(c);
        }
    }
    let mut files = Vec::new();
    for f in formats {
        let jobs: Vec<(String, Option<&ExportCollection>)> = match f.writer {
            Writer::PerCollection(_) => with_geometry
                .iter()
                .map(|c| (format!("{}.{}", c.id, f.extension), Some(c)))
                .collect(),
            Writer::Dataset { stem, .. } => vec![(format!("{stem}.{}", f.extension), None)],
        };
        for (name, collection) in jobs {
            let path = dir.join(&name);
            let started = Instant::now();
            match (f.writer, collection) {
                (Writer::PerCollection(write), Some(c)) => write(conn, c, &path)?,
                (Writer::Dataset { write, .. }, _) => write(conn, &path)?,
                (Writer::PerCollection(_), None) => unreachable!("a collection file has one"),
            }
            let (bytes, sha256) = index::digest(&path)?;
            log::info!(
                "wrote {name} ({:.1} MB) in {:.1?}",
                f64_from_u64(bytes) / 1e6,
                started.elapsed()
            );
            files.push(FileEntry {
                name,
                format: f.format.to_owned(),
                media_type: f.media_type.to_owned(),
                bytes,
                sha256,
                collection: collection.map(|c| c.id.to_owned()),
            });
        }
    }
    log::info!(
        "exported data version {}{} as {} files",
        data.data_version,
        if data.synthetic { " (synthetic)" } else { "" },
        files.len()
    );
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_list_means_every_format() {
        assert_eq!(select_formats(&[]).unwrap().len(), FORMATS.len());
        let some = select_formats(&["csv".into(), " gpkg".into()]).unwrap();
        let names: Vec<&str> = some.iter().map(|f| f.name).collect();
        assert_eq!(names, ["gpkg", "csv"]);
    }

    #[test]
    fn an_unknown_format_is_named_with_the_known() {
        let Err(err) = select_formats(&["gpkg".into(), "shp".into()]) else {
            panic!("shp is no format")
        };
        let err = err.to_string();
        assert!(err.contains("shp") && err.contains("fgb"), "{err}");
    }

    #[test]
    fn format_names_and_file_names_are_unique() {
        let mut names: Vec<&str> = FORMATS.iter().map(|f| f.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), FORMATS.len());
        let stems: Vec<String> = FORMATS
            .iter()
            .map(|f| match f.writer {
                Writer::PerCollection(_) => format!("<collection>.{}", f.extension),
                Writer::Dataset { stem, .. } => format!("{stem}.{}", f.extension),
            })
            .collect();
        let mut unique = stems.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), stems.len());
    }

    #[test]
    fn only_plain_versions_name_folders() {
        assert!(is_safe_folder_name("7f2ce05279f6"));
        for bad in ["", "..", ".hidden", "a/b", "a b"] {
            assert!(!is_safe_folder_name(bad), "{bad}");
        }
    }
}
