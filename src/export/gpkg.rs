//! GeoPackage (OGC 12-128, version 1.3) written with SQLite: one feature table per file,
//! full-resolution geometry in EPSG:3006 (x = easting, y = northing, as a GeoPackage stores any
//! CRS), an R-tree spatial index, and the attributes of `/items` plus the area type per year.

use std::path::Path;

use diesel::PgConnection;
use rusqlite::types::Value;

use super::collection::{layer_name, ExportCollection};
use crate::db;
use crate::error::Result;

/// `PRAGMA application_id` of a GeoPackage: "GPKG".
const APPLICATION_ID: i32 = 0x4750_4B47;
/// `PRAGMA user_version` of GeoPackage 1.3 (what we write is the same in 1.4; GDAL 3.6, in
/// Debian 12, warns about 1.4 files).
const USER_VERSION: i32 = 10300;
const SRS_ID: i32 = 3006;

/// A GeoPackage geometry blob: the `GP` header (version 0, little-endian, an xy envelope
/// [min x, max x, min y, max y]) followed by the WKB.
pub fn geometry_blob(srs_id: i32, envelope: [f64; 4], wkb: &[u8]) -> Vec<u8> {
    let mut blob = Vec::with_capacity(8 + 32 + wkb.len());
    blob.extend_from_slice(b"GP");
    blob.push(0);
    // Bit 0: little-endian header; bits 1–3: envelope code 1 (x and y).
    blob.push(0b0000_0011);
    blob.extend_from_slice(&srs_id.to_le_bytes());
    for v in envelope {
        blob.extend_from_slice(&v.to_le_bytes());
    }
    blob.extend_from_slice(wkb);
    blob
}

/// The attribute columns and their SQLite types: those `/items` serves, then `area_type_<year>`,
/// `area_type_origin_<year>` and `socioeconomic_index_<year>` per year, then `synthetic`.
pub fn attribute_columns(years: &[i16]) -> Vec<(String, &'static str)> {
    let mut columns: Vec<(String, &'static str)> = [
        "code",
        "name",
        "division",
        "county_code",
        "municipality_code",
        "regso_code",
        "geometry_source",
    ]
    .iter()
    .map(|c| (c.to_string(), "TEXT"))
    .collect();
    for y in years {
        columns.push((format!("area_type_{y}"), "INTEGER"));
        columns.push((format!("area_type_origin_{y}"), "TEXT"));
        columns.push((format!("socioeconomic_index_{y}"), "REAL"));
    }
    columns.push(("synthetic".into(), "BOOLEAN"));
    columns
}

fn text(v: Option<String>) -> Value {
    v.map_or(Value::Null, Value::Text)
}

/// The triggers GeoPackage's R-tree extension asks for, so a client that edits the file keeps
/// the index right (GDAL and QGIS provide the `ST_*` functions they call).
fn rtree_triggers(t: &str) -> String {
    let r = format!("rtree_{t}_geom");
    let values =
        "NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)";
    format!(
        "CREATE TRIGGER \"{r}_insert\" AFTER INSERT ON \"{t}\"
           WHEN (new.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom))
         BEGIN INSERT OR REPLACE INTO \"{r}\" VALUES ({values}); END;
         CREATE TRIGGER \"{r}_update1\" AFTER UPDATE OF geom ON \"{t}\"
           WHEN OLD.fid = NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
         BEGIN INSERT OR REPLACE INTO \"{r}\" VALUES ({values}); END;
         CREATE TRIGGER \"{r}_update2\" AFTER UPDATE OF geom ON \"{t}\"
           WHEN OLD.fid = NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
         BEGIN DELETE FROM \"{r}\" WHERE id = OLD.fid; END;
         CREATE TRIGGER \"{r}_update3\" AFTER UPDATE ON \"{t}\"
           WHEN OLD.fid != NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
         BEGIN DELETE FROM \"{r}\" WHERE id = OLD.fid;
               INSERT OR REPLACE INTO \"{r}\" VALUES ({values}); END;
         CREATE TRIGGER \"{r}_update4\" AFTER UPDATE ON \"{t}\"
           WHEN OLD.fid != NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
         BEGIN DELETE FROM \"{r}\" WHERE id IN (OLD.fid, NEW.fid); END;
         CREATE TRIGGER \"{r}_delete\" AFTER DELETE ON \"{t}\"
           WHEN old.geom NOT NULL
         BEGIN DELETE FROM \"{r}\" WHERE id = OLD.fid; END;"
    )
}

/// Writes the collection's areas that have a geometry as a GeoPackage at `out`.
pub fn write(conn: &mut PgConnection, collection: &ExportCollection, out: &Path) -> Result<()> {
    let data = db::data_state::current(conn)?;
    let years = db::export::area_type_years(conn, collection.division)?;
    let wkt_3006 = db::export::srs_definition(conn, 3006)?;
    let wkt_4326 = db::export::srs_definition(conn, 4326)?;
    let table = layer_name(collection.id);
    let columns = attribute_columns(&years);

    let mut gpkg = rusqlite::Connection::open(out)?;
    // A fresh file that is renamed into place only when complete: no journal needed.
    gpkg.execute_batch(&format!(
        "PRAGMA application_id = {APPLICATION_ID};
         PRAGMA user_version = {USER_VERSION};
         PRAGMA journal_mode = OFF;
         PRAGMA synchronous = OFF;
         CREATE TABLE gpkg_spatial_ref_sys (
           srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
           organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
         CREATE TABLE gpkg_contents (
           table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
           identifier TEXT UNIQUE, description TEXT DEFAULT '',
           last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
           min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
           CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
         CREATE TABLE gpkg_geometry_columns (
           table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
           srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
           CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
           CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
           CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
         CREATE TABLE gpkg_extensions (
           table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
           definition TEXT NOT NULL, scope TEXT NOT NULL,
           CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
         INSERT INTO gpkg_spatial_ref_sys VALUES
           ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
           ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system');"
    ))?;
    gpkg.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES
           ('WGS 84 geodetic', 4326, 'EPSG', 4326, ?1, 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid'),
           ('SWEREF99 TM', 3006, 'EPSG', 3006, ?2, 'Sweden''s national grid; x = easting, y = northing, in metres')",
        (&wkt_4326, &wkt_3006),
    )?;
    let column_sql: String = columns
        .iter()
        .map(|(name, kind)| format!(", \"{name}\" {kind}"))
        .collect();
    gpkg.execute_batch(&format!(
        "CREATE TABLE \"{table}\" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom MULTIPOLYGON{column_sql});
         CREATE VIRTUAL TABLE \"rtree_{table}_geom\" USING rtree(id, minx, maxx, miny, maxy);"
    ))?;

    let tx = gpkg.transaction()?;
    let mut bounds = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    {
        let placeholders: String = (0..columns.len() + 1).map(|_| ", ?").collect();
        let names: String = columns
            .iter()
            .map(|(name, _)| format!(", \"{name}\""))
            .collect();
        let mut insert = tx.prepare(&format!(
            "INSERT INTO \"{table}\" (geom{names}) VALUES ({})",
            &placeholders[2..]
        ))?;
        let mut index = tx.prepare(&format!(
            "INSERT INTO \"rtree_{table}_geom\" VALUES (?1, ?2, ?3, ?4, ?5)"
        ))?;
        db::export::each_area(conn, collection.division, &years, |f| {
            // The layer holds the areas with a geometry.
            let Some((wkb, [min_x, min_y, max_x, max_y])) = f.geometry() else {
                return Ok(());
            };
            bounds = [
                bounds[0].min(min_x),
                bounds[1].min(min_y),
                bounds[2].max(max_x),
                bounds[3].max(max_y),
            ];
            let blob = geometry_blob(SRS_ID, [min_x, max_x, min_y, max_y], wkb);
            let mut values = vec![
                Value::Blob(blob),
                Value::Text(f.area.code),
                text(f.area.name),
                Value::Text(collection.division.id().to_owned()),
                text(f.area.county_code),
                text(f.area.municipality_code),
                text(f.area.regso_code),
                text(f.area.geometry_source),
            ];
            let by_year = f.by_year;
            for i in 0..years.len() {
                values.push(
                    by_year
                        .area_types
                        .get(i)
                        .copied()
                        .flatten()
                        .map_or(Value::Null, |t| Value::Integer(t.into())),
                );
                values.push(text(by_year.area_type_origins.get(i).cloned().flatten()));
                values.push(
                    by_year
                        .socioeconomic_indices
                        .get(i)
                        .copied()
                        .flatten()
                        .map_or(Value::Null, Value::Real),
                );
            }
            values.push(Value::Integer(data.synthetic.into()));
            insert.execute(rusqlite::params_from_iter(values))?;
            let fid = tx.last_insert_rowid();
            index.execute((fid, min_x, max_x, min_y, max_y))?;
            Ok(())
        })?;
    }
    let described = format!(
        "{}. {}. Data version {}. Full-resolution boundaries in EPSG:3006 (SWEREF 99 TM).",
        collection.title,
        if data.synthetic {
            "SYNTHETIC DATA generated by segstat, not SCB statistics"
        } else {
            "Källa: SCB"
        },
        data.data_version
    );
    let has_rows = bounds[0] <= bounds[2];
    let bound = |v: f64| has_rows.then_some(v);
    // The contents changed when the data version was made, not when this file was written: a
    // version exported twice (two replicas, a re-export) is the same file, byte for byte.
    let last_change = data.updated_at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, min_x, min_y, max_x, max_y, srs_id)
         VALUES (?1, 'features', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        (
            &table,
            collection.id,
            &described,
            &last_change,
            bound(bounds[0]),
            bound(bounds[1]),
            bound(bounds[2]),
            bound(bounds[3]),
            SRS_ID,
        ),
    )?;
    tx.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', 'MULTIPOLYGON', ?2, 0, 0)",
        (&table, SRS_ID),
    )?;
    tx.execute(
        "INSERT INTO gpkg_extensions VALUES (?1, 'geom', 'gpkg_rtree_index',
           'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
        [&table],
    )?;
    tx.execute_batch(&rtree_triggers(&table))?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_blob_header_is_geopackages() {
        let wkb = [1u8, 6, 0, 0, 0, 0, 0, 0, 0];
        let blob = geometry_blob(3006, [1.0, 2.0, 3.0, 4.0], &wkb);
        assert_eq!(&blob[..4], b"GP\x00\x03");
        assert_eq!(i32::from_le_bytes(blob[4..8].try_into().unwrap()), 3006);
        let min_y = f64::from_le_bytes(blob[24..32].try_into().unwrap());
        assert_eq!(min_y, 3.0);
        assert_eq!(&blob[40..], &wkb);
    }

    #[test]
    fn every_year_gets_its_type_origin_and_index() {
        let names: Vec<String> = attribute_columns(&[2022, 2023])
            .into_iter()
            .map(|c| c.0)
            .collect();
        assert_eq!(names.first().map(String::as_str), Some("code"));
        assert!(names.contains(&"area_type_2022".to_owned()));
        assert!(names.contains(&"area_type_origin_2023".to_owned()));
        assert!(names.contains(&"socioeconomic_index_2023".to_owned()));
        assert_eq!(names.last().map(String::as_str), Some("synthetic"));
    }
}
