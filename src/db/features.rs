//! Queries behind the OGC API – Features collections: extents and pages of features with their
//! ready-made GeoJSON geometry.

use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Double, Nullable, SmallInt, Text};

use crate::error::Result;

/// Which geometry a feature carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GeometryLevel {
    Full,
    Simplified,
    Coarse,
    Centroid,
    None,
}

#[derive(Clone, Debug, Default)]
pub struct FeatureQuery {
    pub division: String,
    pub code: Option<String>,
    pub municipality: Option<String>,
    pub county: Option<String>,
    pub area_type: Option<i16>,
    pub year: Option<i16>,
    /// [min lon, min lat, max lon, max lat] in WGS 84, or with `bbox_3006` [min easting, min
    /// northing, max easting, max northing] in EPSG:3006 (x, y: the caller has turned the
    /// request's northing-first box).
    pub bbox: Option<[f64; 4]>,
    pub bbox_3006: bool,
}

#[derive(Clone, Debug, QueryableByName)]
pub struct FeatureRow {
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub county_code: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub municipality_code: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub regso_code: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub geometry_source: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub geometry: Option<String>,
    #[diesel(sql_type = Nullable<SmallInt>)]
    pub area_type: Option<i16>,
    #[diesel(sql_type = Nullable<Double>)]
    pub socioeconomic_index: Option<f64>,
    #[diesel(sql_type = Nullable<Text>)]
    pub area_type_origin: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub index_origin: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub matched: i64,
}

/// The SQL that yields the GeoJSON geometry text. Only fixed strings: no request value is
/// spliced in (the precision is a small integer checked by the caller).
///
/// EPSG:3006 coordinates come out in that CRS's axis order, northing then easting (OGC API –
/// Features Part 2; GDAL ≥ 3.7 and QGIS ≥ 3.28.7 read them so), hence `ST_FlipCoordinates` on the
/// stored (easting, northing). Options 0: no `crs` member in the geometry (PostGIS adds a
/// non-standard one outside EPSG:4326); `Content-Crs` names the CRS.
fn geometry_sql(level: GeometryLevel, precision: Option<u8>, sweref: bool) -> String {
    let column = match level {
        GeometryLevel::Full => "a.geom",
        GeometryLevel::Simplified => "a.geom_simplified",
        GeometryLevel::Coarse => "a.geom_coarse",
        GeometryLevel::Centroid => "a.label_point",
        GeometryLevel::None => return "NULL::text".into(),
    };
    match (sweref, precision, level) {
        (true, p, _) => format!(
            "ST_AsGeoJSON(ST_FlipCoordinates({column}), {}, 0)",
            p.unwrap_or(1)
        ),
        (false, Some(p), _) => {
            format!("ST_AsGeoJSON(ST_ForcePolygonCCW(ST_Transform({column}, 4326)), {p})")
        }
        (false, None, GeometryLevel::Full) => "a.geojson_full".into(),
        (false, None, GeometryLevel::Simplified) => "a.geojson_simplified".into(),
        (false, None, GeometryLevel::Coarse) => "a.geojson_coarse".into(),
        (false, None, _) => format!("ST_AsGeoJSON(ST_Transform({column}, 4326), 6)"),
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

const FILTER: &str = "FROM areas a
     LEFT JOIN area_types t ON t.division = a.division AND t.code = a.code AND t.year = $6
     WHERE a.division = $1
       AND ($2::text IS NULL OR a.code = $2)
       AND ($3::text IS NULL OR a.municipality_code = $3)
       AND ($4::text IS NULL OR a.county_code = $4)
       AND ($5::smallint IS NULL OR t.area_type = $5)
       AND ($7::float8[] IS NULL OR a.geom && ST_Transform(ST_MakeEnvelope($7[1], $7[2], $7[3], $7[4], $8), 3006))";

pub fn features(
    conn: &mut PgConnection,
    q: &FeatureQuery,
    level: GeometryLevel,
    precision: Option<u8>,
    sweref: bool,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<FeatureRow>)> {
    let sql = format!(
        "SELECT a.code, a.name, a.county_code, a.municipality_code, a.regso_code, a.geometry_source,
                {} AS geometry, t.area_type, t.socioeconomic_index, t.area_type_origin,
                t.index_origin, count(*) OVER () AS matched
         {FILTER}
         ORDER BY a.code LIMIT $9 OFFSET $10",
        geometry_sql(level, precision, sweref)
    );
    let bbox = q
        .bbox
        .map(|b| {
            if q.bbox_3006 {
                b
            } else {
                crate::geo::sweref::clip_to_sweden(b)
            }
        })
        .map(|b| b.to_vec());
    let srid = if q.bbox_3006 { 3006 } else { 4326 };
    let rows: Vec<FeatureRow> = diesel::sql_query(sql)
        .bind::<Text, _>(&q.division)
        .bind::<Nullable<Text>, _>(q.code.clone())
        .bind::<Nullable<Text>, _>(q.municipality.clone())
        .bind::<Nullable<Text>, _>(q.county.clone())
        .bind::<Nullable<SmallInt>, _>(q.area_type)
        .bind::<Nullable<SmallInt>, _>(q.year)
        .bind::<Nullable<Array<Double>>, _>(bbox.clone())
        .bind::<diesel::sql_types::Integer, _>(srid)
        .bind::<BigInt, _>(limit)
        .bind::<BigInt, _>(offset)
        .load(conn)?;
    let matched = match rows.first() {
        Some(r) => r.matched,
        None => {
            diesel::sql_query(format!("SELECT count(*) AS n {FILTER}"))
                .bind::<Text, _>(&q.division)
                .bind::<Nullable<Text>, _>(q.code.clone())
                .bind::<Nullable<Text>, _>(q.municipality.clone())
                .bind::<Nullable<Text>, _>(q.county.clone())
                .bind::<Nullable<SmallInt>, _>(q.area_type)
                .bind::<Nullable<SmallInt>, _>(q.year)
                .bind::<Nullable<Array<Double>>, _>(bbox)
                .bind::<diesel::sql_types::Integer, _>(srid)
                .get_result::<Count>(conn)?
                .n
        }
    };
    Ok((matched, rows))
}

#[derive(Clone, Debug, QueryableByName)]
pub struct Extent {
    #[diesel(sql_type = Text)]
    pub division: String,
    #[diesel(sql_type = BigInt)]
    pub areas: i64,
    #[diesel(sql_type = Nullable<Double>)]
    pub xmin: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub ymin: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub xmax: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub ymax: Option<f64>,
    /// The extent in EPSG:3006, as stored: easting and northing.
    #[diesel(sql_type = Nullable<Double>)]
    pub min_easting: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub min_northing: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub max_easting: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub max_northing: Option<f64>,
    #[diesel(sql_type = SmallInt)]
    pub first_year: i16,
    #[diesel(sql_type = Nullable<SmallInt>)]
    pub last_year: Option<i16>,
}

/// Area count and extent (WGS 84 and EPSG:3006) of every division.
pub fn extents(conn: &mut PgConnection) -> Result<Vec<Extent>> {
    Ok(diesel::sql_query(
        "SELECT division, areas, xmin, ymin, xmax, ymax,
                ST_XMin(box) AS min_easting, ST_YMin(box) AS min_northing,
                ST_XMax(box) AS max_easting, ST_YMax(box) AS max_northing,
                first_year, last_year
         FROM (SELECT d.id AS division, count(a.code) AS areas,
                      min(a.bbox_wgs84[1]) AS xmin, min(a.bbox_wgs84[2]) AS ymin,
                      max(a.bbox_wgs84[3]) AS xmax, max(a.bbox_wgs84[4]) AS ymax,
                      ST_Extent(a.geom) AS box, d.first_year, d.last_year
               FROM divisions d LEFT JOIN areas a ON a.division = d.id
               GROUP BY d.id, d.first_year, d.last_year) e",
    )
    .load(conn)?)
}

#[derive(Clone, Debug, QueryableByName)]
pub struct PageValue {
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(sql_type = Text)]
    pub indicator: String,
    #[diesel(sql_type = Nullable<Double>)]
    pub value: Option<f64>,
}

/// Total-breakdown values of `indicators` in `year` for the given areas.
pub fn values_for(
    conn: &mut PgConnection,
    division: &str,
    codes: &[String],
    indicators: &[String],
    year: i16,
) -> Result<Vec<PageValue>> {
    Ok(diesel::sql_query(
        "SELECT code, indicator, value FROM indicator_values
         WHERE division = $1 AND year = $2 AND breakdown = 'total'
           AND indicator = ANY($3) AND code = ANY($4)",
    )
    .bind::<Text, _>(division)
    .bind::<SmallInt, _>(year)
    .bind::<Array<Text>, _>(indicators)
    .bind::<Array<Text>, _>(codes)
    .load(conn)?)
}
