//! Queries behind the bulk downloads (`export`): every area of a division at full resolution,
//! its area type per year, and the years that have area types.

use diesel::prelude::*;
use diesel::sql_types::{Binary, Double, Nullable, SmallInt, Text};

use crate::error::Result;

/// One area as the downloads carry it: the properties `/items` serves without a year, and the
/// full-resolution geometry in EPSG:3006 as little-endian WKB with its extent.
#[derive(Clone, Debug, QueryableByName)]
pub struct ExportArea {
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
}

/// Every area of a division in code order, geometry as stored (EPSG:3006, easting and
/// northing: WKB has no axis-order question).
pub fn areas(conn: &mut PgConnection, division: &str) -> Result<Vec<ExportArea>> {
    Ok(diesel::sql_query(
        "SELECT a.code, a.name, a.county_code, a.municipality_code, a.regso_code,
                a.geometry_source, ST_AsBinary(a.geom, 'NDR') AS wkb,
                substr(ST_GeometryType(a.geom), 4) AS geometry_type,
                ST_XMin(a.geom) AS xmin, ST_YMin(a.geom) AS ymin,
                ST_XMax(a.geom) AS xmax, ST_YMax(a.geom) AS ymax
         FROM areas a WHERE a.division = $1 ORDER BY a.code",
    )
    .bind::<Text, _>(division)
    .load(conn)?)
}

#[derive(Clone, Debug, PartialEq, QueryableByName)]
pub struct AreaTypeRow {
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(sql_type = SmallInt)]
    pub year: i16,
    #[diesel(sql_type = SmallInt)]
    pub area_type: i16,
}

/// The area type of every area and year of a division that has one, by code and year.
pub fn area_types(conn: &mut PgConnection, division: &str) -> Result<Vec<AreaTypeRow>> {
    Ok(diesel::sql_query(
        "SELECT code, year, area_type FROM area_types
         WHERE division = $1 AND area_type IS NOT NULL ORDER BY code, year",
    )
    .bind::<Text, _>(division)
    .load(conn)?)
}

/// The latest year with an area type in the division.
pub fn latest_area_type_year(conn: &mut PgConnection, division: &str) -> Result<Option<i16>> {
    #[derive(QueryableByName)]
    struct Year {
        #[diesel(sql_type = Nullable<SmallInt>)]
        year: Option<i16>,
    }
    Ok(diesel::sql_query(
        "SELECT max(year) AS year FROM area_types WHERE division = $1 AND area_type IS NOT NULL",
    )
    .bind::<Text, _>(division)
    .get_result::<Year>(conn)?
    .year)
}
