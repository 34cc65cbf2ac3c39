//! Vector tiles: the one query that makes a Mapbox Vector Tile of a collection, shared by
//! `/v1/tiles`, OGC API – Tiles and the PMTiles export, so all three carry the same bytes.

use diesel::prelude::*;
use diesel::sql_types::{Array, Bytea, Double, Integer, Nullable, SmallInt, Text};

use crate::domain::geography::Division;
use crate::error::{Error, Result};

/// The feature id of a code: its digits, with the DeSO category letter as a digit (A=1, B=2,
/// C=3), unique within a division. MVT ids must be integers; the code itself is an attribute.
const FEATURE_ID: &str =
    "(regexp_replace(translate(a.code, 'ABCR', '1230'), '[^0-9]', '', 'g'))::bigint";

/// What goes into a tile besides the borders: the area type of `year` (none without a year)
/// and the `year` values of `indicators` (ids checked against the catalogue by the caller).
#[derive(Clone, Debug, Default)]
pub struct TileAttributes {
    pub year: Option<i16>,
    pub indicators: Vec<String>,
}

/// The geometry column a zoom reads: coarse for the country, simplified for regions, full
/// resolution from z12.
pub fn geometry_column(z: u8) -> &'static str {
    match z {
        0..=7 => "geom_coarse",
        8..=11 => "geom_simplified",
        _ => "geom",
    }
}

#[derive(QueryableByName)]
struct Tile {
    #[diesel(sql_type = Nullable<Bytea>)]
    mvt: Option<Vec<u8>>,
}

/// The MVT of `division` at z/x/y, one layer named `layer`; empty when no feature falls in the
/// tile. Features in code order: a parallel scan returns rows in any order, and a strong ETag
/// promises the same bytes every time.
pub fn tile(
    conn: &mut PgConnection,
    division: Division,
    layer: &str,
    (z, x, y): (u8, u32, u32),
    attributes: &TileAttributes,
) -> Result<Vec<u8>> {
    // Columns and rows are below 2^z, far inside PostGIS's int for any zoom served.
    let coordinate =
        |v: u32| i32::try_from(v).map_err(|_| Error::Internal(format!("tile coordinate {v}")));
    let column = geometry_column(z);
    let indicators = &attributes.indicators;
    // An attribute per indicator, named by its id (checked to be [a-z0-9_]); values bound.
    let value_columns: String = indicators
        .iter()
        .enumerate()
        .map(|(i, id)| format!(", (SELECT v.value FROM indicator_values v WHERE v.indicator = $5[{}] AND v.division = a.division AND v.code = a.code AND v.year = $4 AND v.breakdown = 'total') AS \"{id}\"", i + 1))
        .collect();
    let sql = format!(
        "WITH bounds AS (SELECT ST_TileEnvelope($1, $2, $3) AS env),
         tile AS (
           SELECT {FEATURE_ID} AS fid, a.code, a.name, t.area_type, t.area_type_origin{value_columns},
                  ST_AsMVTGeom(ST_Transform(a.{column}, 3857), b.env, 4096, 64, true) AS geom
           FROM areas a CROSS JOIN bounds b
           LEFT JOIN area_types t ON t.division = a.division AND t.code = a.code AND t.year = $4
           WHERE a.division = $6 AND a.{column} IS NOT NULL
             AND a.{column} && ST_Transform(b.env, 3006))
         SELECT ST_AsMVT(tile, $7, 4096, 'geom', 'fid' ORDER BY tile.code) AS mvt FROM tile WHERE geom IS NOT NULL"
    );
    let tile = diesel::sql_query(sql)
        .bind::<Integer, _>(i32::from(z))
        .bind::<Integer, _>(coordinate(x)?)
        .bind::<Integer, _>(coordinate(y)?)
        .bind::<Nullable<SmallInt>, _>(attributes.year)
        .bind::<Array<Text>, _>(indicators)
        .bind::<Text, _>(division.id())
        .bind::<Text, _>(layer)
        .get_result::<Tile>(conn)?;
    Ok(tile.mvt.unwrap_or_default())
}

/// The CRS84 bounding box (west, south, east, north) of every area of a division, as stored
/// at import: what decides which tiles an export asks for.
pub fn area_boxes(conn: &mut PgConnection, division: Division) -> Result<Vec<[f64; 4]>> {
    #[derive(QueryableByName)]
    struct Box {
        #[diesel(sql_type = Array<Double>)]
        bbox: Vec<f64>,
    }
    let rows: Vec<Box> = diesel::sql_query(
        "SELECT bbox_wgs84 AS bbox FROM areas
         WHERE division = $1 AND bbox_wgs84 IS NOT NULL AND array_length(bbox_wgs84, 1) = 4
         ORDER BY code",
    )
    .bind::<Text, _>(division.id())
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| [r.bbox[0], r.bbox[1], r.bbox[2], r.bbox[3]])
        .collect())
}
