//! Queries behind `segstat export`. Large tables are read row by row (PostgreSQL's single-row
//! mode), so a national layer is never held in memory as a whole by the client; the GeoParquet
//! and PMTiles writers read every area of a division and its area types per year.

use diesel::pg::PgRowByRowLoadingMode;
use diesel::prelude::*;
use diesel::sql_types::{Array, Binary, Bool, Double, Integer, Nullable, SmallInt, Text};

use crate::db::features::AreaColumns;
use crate::db::{indicators, summaries};
use crate::domain::geography::Division;
use crate::error::Result;

/// The years with area types in a division, ascending (the `area_type_<year>` columns).
pub fn area_type_years(conn: &mut PgConnection, division: Division) -> Result<Vec<i16>> {
    #[derive(QueryableByName)]
    struct Year {
        #[diesel(sql_type = SmallInt)]
        year: i16,
    }
    Ok(
        diesel::sql_query("SELECT DISTINCT year FROM area_types WHERE division = $1 ORDER BY year")
            .bind::<Text, _>(division.id())
            .load::<Year>(conn)?
            .into_iter()
            .map(|y| y.year)
            .collect(),
    )
}

/// Areas of a division that have a geometry.
pub fn count_with_geometry(conn: &mut PgConnection, division: Division) -> Result<i64> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    Ok(diesel::sql_query(
        "SELECT count(*) AS n FROM areas WHERE division = $1 AND geom IS NOT NULL",
    )
    .bind::<Text, _>(division.id())
    .get_result::<Count>(conn)?
    .n)
}

/// The OGC WKT definition PostGIS holds for an EPSG code.
pub fn srs_definition(conn: &mut PgConnection, srid: i32) -> Result<String> {
    #[derive(QueryableByName)]
    struct Srs {
        #[diesel(sql_type = Text)]
        srtext: String,
    }
    Ok(
        diesel::sql_query("SELECT srtext FROM spatial_ref_sys WHERE srid = $1")
            .bind::<Integer, _>(srid)
            .get_result::<Srs>(conn)?
            .srtext,
    )
}

/// Every area of `division` with a geometry as one FlatGeobuf (PostGIS `ST_AsFlatGeobuf`, with
/// its packed R-tree index), with the same attributes as the GeoPackage.
///
/// The file holds no nulls: PostGIS 3.3's encoder writes every value after a null under the
/// wrong column (GDAL then fails or, worse, reads shifted values). Missing text is written
/// empty and a missing number as NaN, which GDAL, QGIS and pandas read as "no value".
pub fn flatgeobuf(
    conn: &mut PgConnection,
    division: Division,
    years: &[i16],
    synthetic: bool,
) -> Result<Vec<u8>> {
    #[derive(QueryableByName)]
    struct Fgb {
        #[diesel(sql_type = Nullable<Binary>)]
        fgb: Option<Vec<u8>>,
    }
    // Attribute columns need fixed names, so the years (small integers read from the
    // database, never from a request) are written into the SQL.
    let per_year: String = years
        .iter()
        .map(|y| {
            format!(
                ", coalesce(max(t.area_type) FILTER (WHERE t.year = {y})::float8, 'NaN') AS area_type_{y}, \
                 coalesce(max(t.area_type_origin) FILTER (WHERE t.year = {y}), '') AS area_type_origin_{y}, \
                 coalesce(max(t.socioeconomic_index) FILTER (WHERE t.year = {y}), 'NaN') AS socioeconomic_index_{y}"
            )
        })
        .collect();
    let sql = format!(
        "SELECT ST_AsFlatGeobuf(q, true, 'geom') AS fgb FROM (
           SELECT a.code, coalesce(a.name, '') AS name, a.division,
                  coalesce(a.county_code, '') AS county_code,
                  coalesce(a.municipality_code, '') AS municipality_code,
                  coalesce(a.regso_code, '') AS regso_code,
                  coalesce(a.geometry_source, '') AS geometry_source{per_year},
                  $2::boolean AS synthetic, a.geom
           FROM areas a
           LEFT JOIN area_types t ON t.division = a.division AND t.code = a.code
           WHERE a.division = $1 AND a.geom IS NOT NULL
           GROUP BY a.division, a.code
           ORDER BY a.code) q"
    );
    Ok(diesel::sql_query(sql)
        .bind::<Text, _>(division.id())
        .bind::<Bool, _>(synthetic)
        .get_result::<Fgb>(conn)?
        .fgb
        .unwrap_or_default())
}

/// Calls `each` with every indicator value, ordered by indicator, division, code, year and
/// breakdown. Returns how many.
pub fn each_value(
    conn: &mut PgConnection,
    mut each: impl FnMut(indicators::ValueRow) -> Result<()>,
) -> Result<u64> {
    let rows = diesel::sql_query(
        "SELECT v.indicator, v.division, v.code, a.name, v.year, v.breakdown, v.value, v.status
         FROM indicator_values v
         LEFT JOIN areas a ON a.division = v.division AND a.code = v.code
         ORDER BY v.indicator, v.division, v.code, v.year, v.breakdown",
    )
    .load_iter::<indicators::ValueRow, PgRowByRowLoadingMode>(conn)?;
    let mut n = 0;
    for row in rows {
        each(row?)?;
        n += 1;
    }
    Ok(n)
}

/// An area as the tables name it: its division, code and name.
#[derive(Debug, QueryableByName)]
pub struct NamedArea {
    #[diesel(sql_type = Text)]
    pub division: String,
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub name: Option<String>,
}

/// One area type (official or computed) of one area and year, with the index behind it.
#[derive(Debug, QueryableByName)]
pub struct AreaTypeRow {
    #[diesel(embed)]
    pub area: NamedArea,
    #[diesel(sql_type = Nullable<Text>)]
    pub municipality_code: Option<String>,
    #[diesel(sql_type = SmallInt)]
    pub year: i16,
    #[diesel(sql_type = Nullable<SmallInt>)]
    pub area_type: Option<i16>,
    #[diesel(sql_type = Nullable<Text>)]
    pub area_type_origin: Option<String>,
    #[diesel(sql_type = Nullable<Double>)]
    pub socioeconomic_index: Option<f64>,
    #[diesel(sql_type = Nullable<Text>)]
    pub index_origin: Option<String>,
    #[diesel(sql_type = Nullable<Double>)]
    pub low_economic_standard: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub low_education: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub long_term_dependency: Option<f64>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub rank_in_municipality: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub areas_in_municipality: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub rank_in_country: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub areas_in_country: Option<i32>,
}

/// Calls `each` with every area type, by division, code and year.
pub fn each_area_type(
    conn: &mut PgConnection,
    mut each: impl FnMut(AreaTypeRow) -> Result<()>,
) -> Result<()> {
    let rows = diesel::sql_query(
        "SELECT t.division, t.code, a.name, a.municipality_code, t.year, t.area_type,
                t.area_type_origin, t.socioeconomic_index, t.index_origin,
                t.low_economic_standard, t.low_education, t.long_term_dependency,
                t.rank_in_municipality, t.areas_in_municipality, t.rank_in_country,
                t.areas_in_country
         FROM area_types t
         LEFT JOIN areas a ON a.division = t.division AND a.code = t.code
         ORDER BY t.division, t.code, t.year",
    )
    .load_iter::<AreaTypeRow, PgRowByRowLoadingMode>(conn)?;
    for row in rows {
        each(row?)?;
    }
    Ok(())
}

/// One summary of riket, a län or a kommun in one year: the area, and the row `/v1/*/summary`
/// reads (`db::summaries`).
#[derive(Debug, QueryableByName)]
pub struct SummaryRow {
    #[diesel(embed)]
    pub area: NamedArea,
    #[diesel(embed)]
    pub summary: summaries::SummaryRow,
}

/// Calls `each` with every summary of riket, län and kommun, by division, code and year.
pub fn each_summary(
    conn: &mut PgConnection,
    mut each: impl FnMut(SummaryRow) -> Result<()>,
) -> Result<()> {
    let rows = diesel::sql_query(
        "SELECT s.division, s.code, a.name, s.year, s.regso_division, s.regso_count,
                s.regso_by_type, s.population, s.population_by_type, s.population_share_by_type,
                s.population_untyped, s.area_type_origin, s.inequality_index,
                s.inequality_method, s.inequality_source, s.inequality_areas
         FROM area_type_summaries s
         LEFT JOIN areas a ON a.division = s.division AND a.code = s.code
         ORDER BY CASE s.division WHEN $1 THEN 0 WHEN $2 THEN 1 ELSE 2 END,
                  s.code, s.year, s.regso_division",
    )
    .bind::<Text, _>(Division::Riket.id())
    .bind::<Text, _>(Division::Lan.id())
    .load_iter::<SummaryRow, PgRowByRowLoadingMode>(conn)?;
    for row in rows {
        each(row?)?;
    }
    Ok(())
}

/// One area as the downloads carry it: the properties `/items` serves without a year, the
/// full-resolution geometry in EPSG:3006 as little-endian WKB (x = easting: WKB has no
/// axis-order question) with its extent, and its area types in the years asked for.
#[derive(Clone, Debug, QueryableByName)]
pub struct ExportArea {
    #[diesel(embed)]
    pub area: AreaColumns,
    #[diesel(sql_type = Nullable<Binary>)]
    pub wkb: Option<Vec<u8>>,
    /// `Polygon`, `MultiPolygon`, … (GeoParquet's names).
    #[diesel(sql_type = Nullable<Text>)]
    pub geometry_type: Option<String>,
    #[diesel(sql_type = Nullable<Double>)]
    pub xmin: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub ymin: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub xmax: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub ymax: Option<f64>,
    #[diesel(embed)]
    pub by_year: TypesByYear,
}

impl ExportArea {
    /// The geometry and its extent (min x, min y, max x, max y), if the area has one.
    pub fn geometry(&self) -> Option<(&[u8], [f64; 4])> {
        Some((
            self.wkb.as_deref()?,
            [self.xmin?, self.ymin?, self.xmax?, self.ymax?],
        ))
    }
}

/// An area's area type, its origin and the index behind it, one entry per year asked for, in
/// that order (null where the area has none that year).
#[derive(Clone, Debug, Default, PartialEq, QueryableByName)]
pub struct TypesByYear {
    #[diesel(sql_type = Array<Nullable<SmallInt>>)]
    pub area_types: Vec<Option<i16>>,
    #[diesel(sql_type = Array<Nullable<Text>>)]
    pub area_type_origins: Vec<Option<String>>,
    #[diesel(sql_type = Array<Nullable<Double>>)]
    pub socioeconomic_indices: Vec<Option<f64>>,
}

/// Calls `each` with every area of `division`, with or without a geometry, by code, with its
/// area types in `years`. Read row by row: a national layer is never held whole here.
pub fn each_area(
    conn: &mut PgConnection,
    division: Division,
    years: &[i16],
    mut each: impl FnMut(ExportArea) -> Result<()>,
) -> Result<()> {
    let rows = diesel::sql_query(
        "SELECT a.code, a.name, a.county_code, a.municipality_code, a.regso_code,
                a.geometry_source, ST_AsBinary(a.geom, 'NDR') AS wkb,
                substr(ST_GeometryType(a.geom), 4) AS geometry_type,
                ST_XMin(a.geom) AS xmin, ST_YMin(a.geom) AS ymin,
                ST_XMax(a.geom) AS xmax, ST_YMax(a.geom) AS ymax,
                y.area_types, y.area_type_origins, y.socioeconomic_indices
         FROM areas a
         CROSS JOIN LATERAL (
           SELECT coalesce(array_agg(t.area_type ORDER BY y.i), '{}') AS area_types,
                  coalesce(array_agg(t.area_type_origin ORDER BY y.i), '{}') AS area_type_origins,
                  coalesce(array_agg(t.socioeconomic_index ORDER BY y.i), '{}')
                    AS socioeconomic_indices
           FROM unnest($2::smallint[]) WITH ORDINALITY y(year, i)
           LEFT JOIN area_types t ON t.division = a.division AND t.code = a.code
                                 AND t.year = y.year) y
         WHERE a.division = $1
         ORDER BY a.code",
    )
    .bind::<Text, _>(division.id())
    .bind::<Array<SmallInt>, _>(years)
    .load_iter::<ExportArea, PgRowByRowLoadingMode>(conn)?;
    for row in rows {
        each(row?)?;
    }
    Ok(())
}

/// The latest year with an area type in the division.
pub fn latest_area_type_year(conn: &mut PgConnection, division: Division) -> Result<Option<i16>> {
    #[derive(QueryableByName)]
    struct Year {
        #[diesel(sql_type = Nullable<SmallInt>)]
        year: Option<i16>,
    }
    Ok(diesel::sql_query(
        "SELECT max(year) AS year FROM area_types WHERE division = $1 AND area_type IS NOT NULL",
    )
    .bind::<Text, _>(division.id())
    .get_result::<Year>(conn)?
    .year)
}
