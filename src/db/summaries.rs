//! Summaries per kommun, län and riket, the inequality ranking, and point lookup.

use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Double, Integer, Nullable, SmallInt, Text};

use crate::domain::geography::{Division, Level};
use crate::error::Result;

#[derive(Clone, Debug, QueryableByName)]
pub struct SummaryRow {
    #[diesel(sql_type = SmallInt)]
    pub year: i16,
    #[diesel(sql_type = Text)]
    pub regso_division: Division,
    #[diesel(sql_type = Integer)]
    pub regso_count: i32,
    #[diesel(sql_type = Array<Nullable<Integer>>)]
    pub regso_by_type: Vec<Option<i32>>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub population: Option<i64>,
    #[diesel(sql_type = Nullable<Array<Nullable<BigInt>>>)]
    pub population_by_type: Option<Vec<Option<i64>>>,
    #[diesel(sql_type = Nullable<Array<Nullable<Double>>>)]
    pub population_share_by_type: Option<Vec<Option<f64>>>,
    #[diesel(sql_type = Nullable<Double>)]
    pub inequality_index: Option<f64>,
    #[diesel(sql_type = Nullable<Text>)]
    pub area_type_origin: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub population_untyped: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    pub inequality_method: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub inequality_source: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub inequality_areas: Option<i32>,
}

pub fn summaries(
    conn: &mut PgConnection,
    division: Division,
    code: &str,
    years: Option<&[i16]>,
) -> Result<Vec<SummaryRow>> {
    Ok(diesel::sql_query(
        "SELECT year, regso_division, regso_count, regso_by_type, population, population_by_type,
                population_share_by_type, inequality_index, area_type_origin, population_untyped,
                inequality_method, inequality_source, inequality_areas
         FROM area_type_summaries
         WHERE division = $1 AND code = $2 AND ($3::smallint[] IS NULL OR year = ANY($3))
         ORDER BY year",
    )
    .bind::<Text, _>(division.id())
    .bind::<Text, _>(code)
    .bind::<Nullable<Array<SmallInt>>, _>(years.map(<[i16]>::to_vec))
    .load(conn)?)
}

#[derive(Clone, Debug, QueryableByName)]
pub struct TypedRegso {
    #[diesel(sql_type = SmallInt)]
    pub year: i16,
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub name: Option<String>,
    #[diesel(sql_type = Nullable<SmallInt>)]
    pub area_type: Option<i16>,
    #[diesel(sql_type = Nullable<Text>)]
    pub area_type_origin: Option<String>,
}

/// The RegSO of a kommun or län (or all, for `00`) with their type, per year.
pub fn typed_regso(
    conn: &mut PgConnection,
    code: &str,
    years: Option<&[i16]>,
) -> Result<Vec<TypedRegso>> {
    Ok(diesel::sql_query(
        "SELECT t.year, t.code, a.name, t.area_type, t.area_type_origin
         FROM area_types t JOIN areas a ON a.division = t.division AND a.code = t.code
         WHERE ($1 = '00' OR (length($1) = 2 AND a.county_code = $1) OR a.municipality_code = $1)
           AND ($2::smallint[] IS NULL OR t.year = ANY($2))
         ORDER BY t.year, t.code",
    )
    .bind::<Text, _>(code)
    .bind::<Nullable<Array<SmallInt>>, _>(years.map(<[i16]>::to_vec))
    .load(conn)?)
}

#[derive(Clone, Debug, QueryableByName)]
pub struct InequalityRow {
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub name: Option<String>,
    #[diesel(sql_type = Double)]
    pub inequality_index: f64,
    #[diesel(sql_type = Integer)]
    pub regso_count: i32,
    #[diesel(sql_type = Text)]
    pub inequality_method: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub inequality_source: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub inequality_areas: Option<i32>,
}

/// Every kommun (or län) with an inequality index in `year`, most unequal first.
pub fn inequality(
    conn: &mut PgConnection,
    division: Division,
    year: i16,
) -> Result<Vec<InequalityRow>> {
    Ok(diesel::sql_query(
        "SELECT s.code, a.name, s.inequality_index, s.regso_count, s.inequality_method,
                s.inequality_source, s.inequality_areas
         FROM area_type_summaries s JOIN areas a ON a.division = s.division AND a.code = s.code
         WHERE s.division = $1 AND s.year = $2 AND s.inequality_index IS NOT NULL
         ORDER BY s.inequality_index DESC, s.code",
    )
    .bind::<Text, _>(division.id())
    .bind::<SmallInt, _>(year)
    .load(conn)?)
}

#[derive(QueryableByName)]
struct Year {
    #[diesel(sql_type = Nullable<SmallInt>)]
    year: Option<i16>,
}

/// The years with an inequality index.
pub fn inequality_years(conn: &mut PgConnection) -> Result<Vec<i16>> {
    Ok(diesel::sql_query(
        "SELECT DISTINCT year FROM area_type_summaries WHERE inequality_index IS NOT NULL ORDER BY year",
    )
    .load::<Year>(conn)?
    .into_iter()
    .filter_map(|y| y.year)
    .collect())
}

#[derive(Clone, Debug, PartialEq, QueryableByName)]
pub struct Containing {
    #[diesel(sql_type = Text)]
    pub division: Division,
    #[diesel(sql_type = Text)]
    pub level: Level,
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub geometry_source: Option<String>,
}

/// Every area whose geometry contains the point, given in `srid` (4326 or 3006).
pub fn containing(conn: &mut PgConnection, x: f64, y: f64, srid: i32) -> Result<Vec<Containing>> {
    Ok(diesel::sql_query(
        "SELECT a.division, d.level, a.code, a.name, a.geometry_source
         FROM areas a JOIN divisions d ON d.id = a.division
         WHERE a.geom IS NOT NULL
           AND ST_Intersects(a.geom, ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), $3), 3006))
         ORDER BY length(a.code), d.first_year",
    )
    .bind::<Double, _>(x)
    .bind::<Double, _>(y)
    .bind::<Integer, _>(srid)
    .load(conn)?)
}

#[derive(QueryableByName)]
struct Outline {
    #[diesel(embed)]
    area: Containing,
    #[diesel(sql_type = diesel::sql_types::Bytea)]
    wkb: Vec<u8>,
}

#[derive(QueryableByName)]
struct DivisionId {
    #[diesel(sql_type = Text)]
    division: Division,
}

/// The divisions with geometry (but riket), in the order of [`containing`]: its areas are
/// ordered by code length, then by the division's first year.
pub fn divisions_with_outlines(conn: &mut PgConnection) -> Result<Vec<Division>> {
    Ok(diesel::sql_query(
        "SELECT a.division FROM areas a JOIN divisions d ON d.id = a.division
         WHERE a.geom IS NOT NULL AND d.level <> $1
         GROUP BY a.division, d.first_year
         ORDER BY min(length(a.code)), d.first_year, a.division",
    )
    .bind::<Text, _>(Level::Riket.as_str())
    .load::<DivisionId>(conn)?
    .into_iter()
    .map(|d| d.division)
    .collect())
}

/// The areas of one division that have a geometry, by code, with their full-resolution
/// polygons: what the in-memory point lookup holds. One division at a time, to bound memory.
pub fn outlines(
    conn: &mut PgConnection,
    division: Division,
) -> Result<Vec<(Containing, crate::geo::MultiPolygon)>> {
    let rows: Vec<Outline> = diesel::sql_query(
        "SELECT a.division, d.level, a.code, a.name, a.geometry_source, ST_AsBinary(a.geom) AS wkb
         FROM areas a JOIN divisions d ON d.id = a.division
         WHERE a.division = $1 AND a.geom IS NOT NULL
         ORDER BY a.code",
    )
    .bind::<Text, _>(division.id())
    .load(conn)?;
    rows.into_iter()
        .map(|r| {
            let shape = crate::geo::wkb::read_multipolygon(&r.wkb).map_err(|e| {
                crate::Error::Internal(format!(
                    "geometry of {} {}: {e}",
                    r.area.division, r.area.code
                ))
            })?;
            Ok((r.area, shape))
        })
        .collect()
}

#[derive(Clone, Debug, PartialEq, QueryableByName)]
pub struct LatestValue {
    #[diesel(sql_type = Text)]
    pub indicator: String,
    #[diesel(sql_type = SmallInt)]
    pub year: i16,
    #[diesel(sql_type = Nullable<Double>)]
    pub value: Option<f64>,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Text)]
    pub unit: String,
}

/// Each indicator's value for an area in the latest year it has one (total breakdown).
pub fn latest_values(
    conn: &mut PgConnection,
    division: Division,
    code: &str,
) -> Result<Vec<LatestValue>> {
    Ok(diesel::sql_query(
        "SELECT DISTINCT ON (v.indicator) v.indicator, v.year, v.value, v.status, i.unit
         FROM indicator_values v JOIN indicators i ON i.id = v.indicator
         WHERE v.division = $1 AND v.code = $2 AND v.breakdown = 'total'
         ORDER BY v.indicator, v.year DESC",
    )
    .bind::<Text, _>(division.id())
    .bind::<Text, _>(code)
    .load(conn)?)
}

/// The RegSO divisions that have geometry: those whose areas the point lookup reports with
/// their area type and latest values.
pub fn regso_divisions_with_outlines(conn: &mut PgConnection) -> Result<Vec<Division>> {
    Ok(diesel::sql_query(
        "SELECT DISTINCT a.division FROM areas a JOIN divisions d ON d.id = a.division
         WHERE a.geom IS NOT NULL AND d.level = $1
         ORDER BY a.division",
    )
    .bind::<Text, _>(Level::Regso.as_str())
    .load::<DivisionId>(conn)?
    .into_iter()
    .map(|d| d.division)
    .collect())
}

/// A RegSO's area type and index in one year.
#[derive(Clone, Debug, PartialEq, QueryableByName)]
pub struct AreaTypeYear {
    #[diesel(sql_type = SmallInt)]
    pub year: i16,
    #[diesel(sql_type = Nullable<SmallInt>)]
    pub area_type: Option<i16>,
    #[diesel(sql_type = Nullable<Text>)]
    pub area_type_origin: Option<String>,
    #[diesel(sql_type = Nullable<Double>)]
    pub socioeconomic_index: Option<f64>,
}

/// What the point lookup says of a RegSO beyond its name: its latest year with an area type
/// and each indicator's latest value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RegsoFacts {
    pub latest_type: Option<AreaTypeYear>,
    pub latest_values: Vec<LatestValue>,
}

#[derive(Clone, Debug, QueryableByName)]
pub struct LatestAreaType {
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(embed)]
    pub latest: AreaTypeYear,
}

/// Every RegSO of a division with its latest year that has an area type: for each, the row
/// [`crate::db::areas::history`] ends on when only years with a type are kept.
pub fn latest_area_types(
    conn: &mut PgConnection,
    division: Division,
) -> Result<Vec<LatestAreaType>> {
    Ok(diesel::sql_query(
        "SELECT DISTINCT ON (code) code, year, area_type, area_type_origin, socioeconomic_index
         FROM area_types
         WHERE division = $1 AND area_type IS NOT NULL
         ORDER BY code, year DESC",
    )
    .bind::<Text, _>(division.id())
    .load(conn)?)
}

#[derive(Clone, Debug, QueryableByName)]
pub struct AreaLatestValue {
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(embed)]
    pub latest: LatestValue,
}

/// The indicators in the order `ORDER BY indicator` puts them (the database's collation):
/// the order in which [`latest_values`] lists an area's values.
pub fn indicators_in_order(conn: &mut PgConnection) -> Result<Vec<String>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = Text)]
        id: String,
    }
    Ok(diesel::sql_query("SELECT id FROM indicators ORDER BY id")
        .load::<Id>(conn)?
        .into_iter()
        .map(|i| i.id)
        .collect())
}

/// [`latest_values`] of one indicator for every area of a division: one indicator at a time,
/// so each statement sorts one indicator's years (a whole division's values at once is
/// millions of rows nationally, too many to sort within the statement timeout).
pub fn latest_values_of_indicator(
    conn: &mut PgConnection,
    division: Division,
    indicator: &str,
) -> Result<Vec<AreaLatestValue>> {
    Ok(diesel::sql_query(
        "SELECT DISTINCT ON (v.code) v.code, v.indicator, v.year, v.value, v.status, i.unit
         FROM indicator_values v JOIN indicators i ON i.id = v.indicator
         WHERE v.division = $1 AND v.indicator = $2 AND v.breakdown = 'total'
         ORDER BY v.code, v.year DESC",
    )
    .bind::<Text, _>(division.id())
    .bind::<Text, _>(indicator)
    .load(conn)?)
}
