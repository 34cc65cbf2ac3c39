//! Boundary files: GeoJSON (RFC 7946 WGS 84, or a named `crs` such as SCB's EPSG:3006) and
//! GeoPackage (SCB's format). Each feature yields its code and a multipolygon; coordinates are
//! checked against Sweden's extent in the declared CRS, so a file with a wrong CRS is refused
//! instead of landing in the sea.

use geojson::{GeoJson, Value as Geometry};

use super::Source;
use crate::error::Error;
use crate::geo::{self, MultiPolygon};

#[derive(Debug)]
pub struct Feature {
    /// 1-based position in the file, for messages.
    pub number: usize,
    pub code: String,
    pub geometry: MultiPolygon,
}

#[derive(Debug)]
pub struct Layer {
    /// EPSG code: 3006 (SWEREF 99 TM) or 4326 (WGS 84 lon/lat).
    pub srid: i32,
    pub features: Vec<Feature>,
}

impl Layer {
    /// Adds the `number`th feature read from `src`, once its coordinates are found inside
    /// Sweden.
    fn push(
        &mut self,
        src: &Source,
        number: usize,
        code: String,
        geometry: MultiPolygon,
    ) -> Result<(), Error> {
        let feature = Feature {
            number,
            code,
            geometry,
        };
        check_extent(src, self.srid, &feature)?;
        self.features.push(feature);
        Ok(())
    }
}

/// Sweden with its territorial waters and a margin, per CRS: (min x, min y, max x, max y).
fn sweden_extent(srid: i32) -> Option<[f64; 4]> {
    match srid {
        3006 => Some([150_000.0, 6_000_000.0, 1_050_000.0, 7_800_000.0]),
        4326 => Some([8.0, 54.0, 26.0, 70.5]),
        _ => None,
    }
}

fn check_extent(src: &Source, srid: i32, f: &Feature) -> Result<(), Error> {
    let Some([x0, y0, x1, y1]) = sweden_extent(srid) else {
        // The readers refuse other CRSs before any feature; this keeps that promise local.
        return Err(src.error_at(
            Some(format!("feature {}", f.number)),
            Some("geometry"),
            format!("EPSG:{srid} is not a CRS the importer reads (3006 or 4326)"),
        ));
    };
    if let Some(p) =
        geo::points(&f.geometry).find(|p| !(p[0] >= x0 && p[0] <= x1 && p[1] >= y0 && p[1] <= y1))
    {
        return Err(src.error_at(
            Some(format!("feature {}", f.number)),
            Some("geometry"),
            format!(
                "{}: coordinate ({}, {}) lies outside Sweden in EPSG:{srid}; is the file's CRS what it declares?",
                f.code, p[0], p[1]
            ),
        ));
    }
    let rings_ok = f
        .geometry
        .iter()
        .flatten()
        .all(|r| r.len() >= 4 && r.first() == r.last());
    if f.geometry.is_empty() || !rings_ok {
        return Err(src.error_at(
            Some(format!("feature {}", f.number)),
            Some("geometry"),
            format!("{}: empty geometry or a ring that is not closed", f.code),
        ));
    }
    Ok(())
}

fn srid_from_name(name: &str) -> Option<i32> {
    let n = name.to_ascii_uppercase();
    if n.ends_with("CRS84") || n.ends_with("EPSG::4326") || n == "EPSG:4326" {
        Some(4326)
    } else if n.ends_with("EPSG::3006") || n == "EPSG:3006" {
        Some(3006)
    } else {
        None
    }
}

fn to_multipolygon(g: &Geometry) -> Option<MultiPolygon> {
    let ring = |r: &Vec<Vec<f64>>| r.iter().map(|p| [p[0], p[1]]).collect();
    let polygon = |p: &Vec<Vec<Vec<f64>>>| p.iter().map(ring).collect();
    match g {
        Geometry::Polygon(p) => Some(vec![polygon(p)]),
        Geometry::MultiPolygon(mp) => Some(mp.iter().map(polygon).collect()),
        _ => None,
    }
}

/// Reads a FeatureCollection; the code is the first of `code_properties` present.
pub fn read_geojson(src: &Source, code_properties: &[&str]) -> Result<Layer, Error> {
    let text = src.text()?;
    let fc = match text.parse::<GeoJson>() {
        Ok(GeoJson::FeatureCollection(fc)) => fc,
        Ok(_) => return Err(src.error(None, None, "not a GeoJSON FeatureCollection")),
        Err(e) => return Err(src.error(None, None, format!("not valid GeoJSON: {e}"))),
    };
    let srid = match fc
        .foreign_members
        .as_ref()
        .and_then(|m| m.get("crs"))
        .and_then(|crs| crs.pointer("/properties/name"))
        .and_then(|n| n.as_str())
    {
        None => 4326,
        Some(name) => srid_from_name(name).ok_or_else(|| {
            src.error(
                None,
                Some("crs"),
                format!("{name:?}: only EPSG:3006 and WGS 84 (CRS84/EPSG:4326) are accepted"),
            )
        })?,
    };
    let mut layer = Layer {
        srid,
        features: Vec::with_capacity(fc.features.len()),
    };
    for (i, f) in fc.features.iter().enumerate() {
        let number = i + 1;
        let at = || Some(format!("feature {number}"));
        let code = code_properties
            .iter()
            .find_map(|p| f.property(p))
            .and_then(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .or_else(|| v.as_i64().map(|n| n.to_string()))
            })
            .ok_or_else(|| src.error_at(at(), Some(code_properties[0]), "missing area code"))?;
        let geometry = f
            .geometry
            .as_ref()
            .and_then(|g| to_multipolygon(&g.value))
            .ok_or_else(|| {
                src.error_at(
                    at(),
                    Some("geometry"),
                    format!("{code}: not a Polygon or MultiPolygon"),
                )
            })?;
        layer.push(src, number, code, geometry)?;
    }
    Ok(layer)
}

/// The WKB inside a GeoPackage geometry blob (header `GP`, flags, SRS id, optional envelope).
fn gpkg_wkb(blob: &[u8]) -> Result<&[u8], String> {
    if blob.len() < 8 || &blob[..2] != b"GP" {
        return Err("not a GeoPackage geometry blob".into());
    }
    let flags = blob[3];
    if flags & 0b1_0000 != 0 {
        return Err("empty geometry".into());
    }
    let envelope = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        e => return Err(format!("unknown envelope type {e}")),
    };
    blob.get(8 + envelope..)
        .ok_or_else(|| "blob ends inside its header".to_owned())
}

/// Reads the first feature table of a GeoPackage; the code is `code_column`.
pub fn read_gpkg(src: &Source, code_column: &str) -> Result<Layer, Error> {
    // SQLite reads files; the bytes may come decompressed from a .gz, so they go to a
    // private temporary file that is removed when this function returns.
    let dir = std::env::temp_dir().join(format!(
        "segstat-gpkg-{}-{}",
        std::process::id(),
        src.checksum
    ));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("layer.gpkg");
    std::fs::write(&path, &src.bytes)?;
    let result = read_gpkg_file(src, &path, code_column);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn read_gpkg_file(src: &Source, path: &std::path::Path, code_column: &str) -> Result<Layer, Error> {
    let sql_err =
        |e: rusqlite::Error| src.error(None, None, format!("not a readable GeoPackage: {e}"));
    let db =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(sql_err)?;
    let (table, column, srs_id): (String, String, i32) = db
        .query_row(
            "SELECT table_name, column_name, srs_id FROM gpkg_geometry_columns ORDER BY table_name LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .map_err(sql_err)?;
    let srid: i32 = db
        .query_row(
            "SELECT organization_coordsys_id FROM gpkg_spatial_ref_sys WHERE srs_id = ?1 AND upper(organization) = 'EPSG'",
            [srs_id],
            |r| r.get(0),
        )
        .unwrap_or(srs_id);
    if sweden_extent(srid).is_none() {
        return Err(src.error(
            None,
            Some("srs_id"),
            format!("EPSG:{srid}: only EPSG:3006 and EPSG:4326 are accepted"),
        ));
    }
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut stmt = db
        .prepare(&format!(
            "SELECT {}, {} FROM {} ORDER BY rowid",
            quote(code_column),
            quote(&column),
            quote(&table)
        ))
        .map_err(|e| {
            src.error(
                None,
                Some(code_column),
                format!("cannot read the layer {table}: {e}"),
            )
        })?;
    let mut rows = stmt.query([]).map_err(sql_err)?;
    let mut layer = Layer {
        srid,
        features: Vec::new(),
    };
    while let Some(row) = rows.next().map_err(sql_err)? {
        let number = layer.features.len() + 1;
        let at = || Some(format!("feature {number}"));
        let code: String = row
            .get::<_, Option<String>>(0)
            .ok()
            .flatten()
            .ok_or_else(|| src.error_at(at(), Some(code_column), "missing area code"))?;
        let blob: Vec<u8> = row
            .get::<_, Option<Vec<u8>>>(1)
            .ok()
            .flatten()
            .ok_or_else(|| src.error_at(at(), Some(&column), format!("{code}: no geometry")))?;
        let geometry = gpkg_wkb(&blob)
            .and_then(geo::wkb::read_multipolygon)
            .map_err(|e| src.error_at(at(), Some(&column), format!("{code}: {e}")))?;
        layer.push(src, number, code, geometry)?;
    }
    Ok(layer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Layer, Error> {
        read_geojson(
            &Source::from_bytes("b.geojson", text.as_bytes().to_vec()),
            &["code"],
        )
    }

    const SQUARE_3006: &str =
        "[[[670000,6580000],[671000,6580000],[671000,6581000],[670000,6581000],[670000,6580000]]]";

    #[test]
    fn named_crs_and_polygons_are_read() {
        let layer = read(&format!(
            r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::3006"}}}},
            "features":[{{"type":"Feature","properties":{{"code":"0180"}},"geometry":{{"type":"Polygon","coordinates":{SQUARE_3006}}}}}]}}"#
        ))
        .unwrap();
        assert_eq!(layer.srid, 3006);
        assert_eq!(layer.features[0].code, "0180");
        assert_eq!(layer.features[0].geometry[0][0].len(), 5);
    }

    #[test]
    fn sweref_coordinates_declared_as_wgs84_are_refused() {
        let err = read(&format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"code":"0180"}},
            "geometry":{{"type":"Polygon","coordinates":{SQUARE_3006}}}}}]}}"#
        ))
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("b.geojson:feature 1: geometry: 0180:"),
            "{err}"
        );
        assert!(err.contains("EPSG:4326"), "{err}");
    }

    #[test]
    fn missing_codes_and_points_are_refused() {
        let no_code = read(r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},
            "geometry":{"type":"Polygon","coordinates":[[[18,59],[18.1,59],[18.1,59.1],[18,59]]]}}]}"#)
        .unwrap_err()
        .to_string();
        assert!(no_code.contains("feature 1: code"), "{no_code}");
        let point = read(
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"01"},
            "geometry":{"type":"Point","coordinates":[18,59]}}]}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(point.contains("not a Polygon"), "{point}");
        let other_crs = read(
            r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3857"}},"features":[]}"#,
        );
        assert!(other_crs.unwrap_err().to_string().contains("crs"));
    }

    #[test]
    fn gpkg_blob_header_is_skipped() {
        let wkb = geo::wkb::write_multipolygon(&vec![vec![vec![
            [0.0, 0.0],
            [1.0, 0.0],
            [0.0, 1.0],
            [0.0, 0.0],
        ]]]);
        let mut blob = vec![b'G', b'P', 0, 0b0000_0011];
        blob.extend(3006i32.to_le_bytes());
        blob.extend([0u8; 32]);
        blob.extend(&wkb);
        assert_eq!(gpkg_wkb(&blob).unwrap(), &wkb[..]);
        assert!(gpkg_wkb(b"XX123456").is_err());
    }
}
