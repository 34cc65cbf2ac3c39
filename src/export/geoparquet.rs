//! GeoParquet 1.1 (<https://geoparquet.org/releases/v1.1.0/>) of a collection: one row per area
//! in code order, the properties `/items` serves, the area type of every year as
//! `area_type_<year>`, and the full-resolution geometry as WKB in EPSG:3006.
//!
//! Written with the `parquet` crate's column writers (no Arrow: the schema is a handful of
//! flat columns, and Arrow would double the crate's compile time). Snappy compression: fast to
//! read, pure Rust to build.

use std::collections::BTreeSet;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use diesel::PgConnection;
use parquet::basic::Compression;
use parquet::column::writer::ColumnWriter;
use parquet::data_type::ByteArray;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use parquet::schema::types::ColumnPath;
use serde_json::{json, Value};

use super::collection::ExportCollection;
use crate::db;
use crate::db::export::ExportArea;
use crate::error::{Error, Result};

/// EPSG:3006 (SWEREF 99 TM) as PROJJSON. PostGIS has no PROJJSON output, so this is fixed: it
/// was written by PROJ 9.5.1 with EPSG dataset v11.022, through pyproj 3.7.2's
/// `CRS.from_epsg(3006).to_json_dict()`.
const EPSG_3006_PROJJSON: &str = include_str!("epsg3006.projjson");

/// Rows per row group. Full-resolution RegSO average some 10 kB of WKB, so a group is a few
/// tens of MB: a national RegSO layer (about 3,600 areas) is one or two groups, DeSO (about
/// 6,200) three or four, which lets readers fetch and decode groups in parallel.
const ROW_GROUP_ROWS: usize = 2048;

/// Writes the collection's areas as GeoParquet to `out` (under a temporary name, renamed when
/// complete).
pub fn write(conn: &mut PgConnection, collection: &ExportCollection, out: &Path) -> Result<()> {
    let years = db::export::area_type_years(conn, collection.division)?;
    let mut areas = Vec::new();
    db::export::each_area(conn, collection.division, &years, |a| {
        areas.push(a);
        Ok(())
    })?;
    let table = Table::new(collection.division.id(), &years, &areas);
    let part = out.with_extension("parquet.part");
    table.write(File::create(&part)?)?;
    std::fs::rename(&part, out)?;
    Ok(())
}

/// A column's values, one per row.
#[derive(Debug, PartialEq)]
enum Values {
    Text(Vec<Option<String>>),
    Int(Vec<Option<i32>>),
    Bytes(Vec<Option<Vec<u8>>>),
}

/// The rows as columns, with the schema and the `geo` metadata: everything but the file.
#[derive(Debug)]
struct Table {
    columns: Vec<(String, Values)>,
    geo: Value,
}

impl Table {
    /// The table of `areas`, whose area types are those of `years`, in that order.
    fn new(division: &str, years: &[i16], areas: &[ExportArea]) -> Table {
        let text =
            |f: &dyn Fn(&ExportArea) -> Option<String>| Values::Text(areas.iter().map(f).collect());
        let mut columns = vec![
            ("code".to_owned(), text(&|a| Some(a.area.code.clone()))),
            ("name".to_owned(), text(&|a| a.area.name.clone())),
            ("division".to_owned(), text(&|_| Some(division.to_owned()))),
            (
                "county_code".to_owned(),
                text(&|a| a.area.county_code.clone()),
            ),
            (
                "municipality_code".to_owned(),
                text(&|a| a.area.municipality_code.clone()),
            ),
            (
                "regso_code".to_owned(),
                text(&|a| a.area.regso_code.clone()),
            ),
            (
                "geometry_source".to_owned(),
                text(&|a| a.area.geometry_source.clone()),
            ),
        ];
        for (i, year) in years.iter().enumerate() {
            let types: Vec<Option<i32>> = areas
                .iter()
                .map(|a| {
                    a.by_year
                        .area_types
                        .get(i)
                        .copied()
                        .flatten()
                        .map(i32::from)
                })
                .collect();
            // A year whose rows hold only an index has no area type column.
            if types.iter().any(Option::is_some) {
                columns.push((format!("area_type_{year}"), Values::Int(types)));
            }
        }
        columns.push((
            "geometry".to_owned(),
            Values::Bytes(areas.iter().map(|a| a.wkb.clone()).collect()),
        ));
        Table {
            columns,
            geo: geo_metadata(areas),
        }
    }

    /// The Parquet schema: strings as annotated byte arrays, every column but `code` nullable.
    fn schema(&self) -> String {
        let fields: String = self
            .columns
            .iter()
            .map(|(name, values)| {
                let repetition = if name == "code" {
                    "REQUIRED"
                } else {
                    "OPTIONAL"
                };
                let kind = match values {
                    Values::Text(_) => "BYTE_ARRAY",
                    Values::Int(_) => "INT32",
                    Values::Bytes(_) => "BYTE_ARRAY",
                };
                let annotation = match values {
                    Values::Text(_) => " (STRING)",
                    Values::Int(_) => " (INTEGER(8,true))",
                    Values::Bytes(_) => "",
                };
                format!("{repetition} {kind} {name}{annotation};\n")
            })
            .collect();
        format!("message area {{\n{fields}}}")
    }

    fn rows(&self) -> usize {
        match self.columns.first() {
            Some((_, Values::Text(v))) => v.len(),
            _ => 0,
        }
    }

    fn write(&self, file: File) -> Result<()> {
        let schema = Arc::new(parse_message_type(&self.schema())?);
        let geometry = ColumnPath::from("geometry");
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("segstat {}", env!("CARGO_PKG_VERSION")))
            .set_key_value_metadata(Some(vec![KeyValue::new(
                "geo".to_owned(),
                self.geo.to_string(),
            )]))
            // Min/max of WKB bytes mean nothing, and every geometry differs.
            .set_column_statistics_enabled(geometry.clone(), EnabledStatistics::None)
            .set_column_dictionary_enabled(geometry, false)
            .build();
        let mut writer = SerializedFileWriter::new(file, schema, Arc::new(properties))?;
        let rows = self.rows();
        // An empty division still gets one (empty) row group, so the file has its schema.
        for group_index in 0..rows.div_ceil(ROW_GROUP_ROWS).max(1) {
            let start = group_index * ROW_GROUP_ROWS;
            let end = (start + ROW_GROUP_ROWS).min(rows);
            let mut group = writer.next_row_group()?;
            for (name, values) in &self.columns {
                let mut column = group
                    .next_column()?
                    .ok_or_else(|| Error::Internal(format!("no Parquet column for {name}")))?;
                write_slice(column.untyped(), name == "code", values, start..end)?;
                column.close()?;
            }
            group.close()?;
        }
        writer.close()?;
        Ok(())
    }
}

/// Writes rows `range` of one column: present values, and definition levels (1 present, 0
/// null) for the nullable columns.
fn write_slice(
    writer: &mut ColumnWriter<'_>,
    required: bool,
    values: &Values,
    range: std::ops::Range<usize>,
) -> Result<()> {
    fn split<T: Clone, U>(items: &[Option<T>], to: impl Fn(T) -> U) -> (Vec<U>, Vec<i16>) {
        let levels = items.iter().map(|v| i16::from(v.is_some())).collect();
        let present = items.iter().flatten().cloned().map(to).collect();
        (present, levels)
    }
    let mismatch = || Error::Internal("a Parquet column of another type than its values".into());
    match (writer, values) {
        (ColumnWriter::ByteArrayColumnWriter(w), Values::Text(v)) => {
            let (present, levels) = split(&v[range], |s: String| ByteArray::from(s.into_bytes()));
            w.write_batch(&present, (!required).then_some(&levels[..]), None)?;
        }
        (ColumnWriter::ByteArrayColumnWriter(w), Values::Bytes(v)) => {
            let (present, levels) = split(&v[range], ByteArray::from);
            w.write_batch(&present, (!required).then_some(&levels[..]), None)?;
        }
        (ColumnWriter::Int32ColumnWriter(w), Values::Int(v)) => {
            let (present, levels) = split(&v[range], |i| i);
            w.write_batch(&present, (!required).then_some(&levels[..]), None)?;
        }
        _ => return Err(mismatch()),
    }
    Ok(())
}

/// The file metadata `geo`: GeoParquet 1.1.0, WKB, the geometry types present, the extent and
/// the CRS as PROJJSON.
fn geo_metadata(areas: &[ExportArea]) -> Value {
    let types: BTreeSet<&str> = areas
        .iter()
        .filter_map(|a| a.geometry_type.as_deref())
        .collect();
    let bbox = areas
        .iter()
        .filter_map(|a| Some(a.geometry()?.1))
        .reduce(|a, b| {
            [
                a[0].min(b[0]),
                a[1].min(b[1]),
                a[2].max(b[2]),
                a[3].max(b[3]),
            ]
        });
    let crs: Value = serde_json::from_str(EPSG_3006_PROJJSON).unwrap_or(Value::Null);
    let mut column = json!({
        "encoding": "WKB",
        "geometry_types": types,
        "crs": crs,
    });
    if let Some(bbox) = bbox {
        column["bbox"] = json!(bbox);
    }
    json!({
        "version": "1.1.0",
        "primary_column": "geometry",
        "columns": {"geometry": column},
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::export::TypesByYear;
    use crate::db::features::AreaColumns;

    fn area(code: &str, wkb: Option<Vec<u8>>, kind: &str, bbox: [f64; 4]) -> ExportArea {
        ExportArea {
            area: AreaColumns {
                code: code.into(),
                name: Some(format!("Område {code}")),
                county_code: Some("01".into()),
                municipality_code: Some("0180".into()),
                regso_code: None,
                geometry_source: Some("scb".into()),
            },
            wkb,
            geometry_type: Some(kind.into()),
            xmin: Some(bbox[0]),
            ymin: Some(bbox[1]),
            xmax: Some(bbox[2]),
            ymax: Some(bbox[3]),
            by_year: TypesByYear::default(),
        }
    }

    #[test]
    fn geo_metadata_names_types_extent_and_crs() {
        let areas = [
            area(
                "0180R001",
                Some(vec![1]),
                "MultiPolygon",
                [1.0, 5.0, 3.0, 7.0],
            ),
            area("0180R002", Some(vec![1]), "Polygon", [0.0, 6.0, 2.0, 9.0]),
            area("0180R003", Some(vec![1]), "Polygon", [2.0, 4.0, 2.5, 6.0]),
        ];
        let geo = geo_metadata(&areas);
        assert_eq!(geo["version"], "1.1.0");
        assert_eq!(geo["primary_column"], "geometry");
        let column = &geo["columns"]["geometry"];
        assert_eq!(column["encoding"], "WKB");
        assert_eq!(column["geometry_types"], json!(["MultiPolygon", "Polygon"]));
        assert_eq!(column["bbox"], json!([0.0, 4.0, 3.0, 9.0]));
        assert_eq!(
            column["crs"]["id"],
            json!({"authority": "EPSG", "code": 3006})
        );
    }

    #[test]
    fn area_types_become_a_column_per_year_aligned_with_the_rows() {
        let typed = |mut a: ExportArea, area_types: Vec<Option<i16>>| {
            a.by_year.area_types = area_types;
            a
        };
        let areas = [
            typed(
                area("0180R001", Some(vec![1]), "Polygon", [0.0; 4]),
                vec![Some(3), Some(4), None],
            ),
            typed(
                area("0180R002", None, "Polygon", [0.0; 4]),
                vec![None, Some(5), None],
            ),
        ];
        let table = Table::new("regso-2025", &[2011, 2023, 2024], &areas);
        let names: Vec<&str> = table.columns.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "code",
                "name",
                "division",
                "county_code",
                "municipality_code",
                "regso_code",
                "geometry_source",
                "area_type_2011",
                "area_type_2023",
                "geometry"
            ]
        );
        // 2024 has no area type in any row (an index only): no column.
        assert_eq!(table.columns[7].1, Values::Int(vec![Some(3), None]));
        assert_eq!(table.columns[8].1, Values::Int(vec![Some(4), Some(5)]));
        assert_eq!(table.columns[9].1, Values::Bytes(vec![Some(vec![1]), None]));
        assert!(table
            .schema()
            .contains("REQUIRED BYTE_ARRAY code (STRING);"));
        assert!(table.schema().contains("OPTIONAL BYTE_ARRAY geometry;"));
        assert!(parse_message_type(&table.schema()).is_ok());
    }
}
