//! Queries about the indicator catalogue and indicator values.

use diesel::prelude::*;

use diesel::pg::Pg;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{Array, BigInt, Double, Nullable, SmallInt, Text};

use super::schema::{indicator_coverage, indicators};
use crate::domain::geography::{Division, Level};
use crate::error::Result;

#[derive(Clone, Debug, Queryable)]
pub struct IndicatorRow {
    pub id: String,
    pub theme: String,
    pub name_sv: String,
    pub name_en: String,
    pub description_sv: String,
    pub description_en: String,
    pub unit: String,
    pub age_band: Option<String>,
    pub source_table: String,
    pub decimals: i16,
    pub contents_code: Option<String>,
    pub selection: serde_json::Value,
    pub origin: String,
    pub formula: Option<String>,
    pub inputs: Option<serde_json::Value>,
}

#[derive(Clone, Debug, Queryable)]
pub struct Coverage {
    pub indicator: String,
    pub division: Division,
    pub years: Vec<Option<i16>>,
    pub breakdowns: Vec<Option<String>>,
    pub values_ok: i32,
    pub values_missing: i32,
}

pub fn catalogue(conn: &mut PgConnection) -> Result<Vec<(IndicatorRow, Vec<Coverage>)>> {
    let list: Vec<IndicatorRow> = indicators::table
        .select((
            indicators::id,
            indicators::theme,
            indicators::name_sv,
            indicators::name_en,
            indicators::description_sv,
            indicators::description_en,
            indicators::unit,
            indicators::age_band,
            indicators::source_table,
            indicators::decimals,
            indicators::contents_code,
            indicators::selection,
            indicators::origin,
            indicators::formula,
            indicators::inputs,
        ))
        .order((indicators::theme, indicators::id))
        .load(conn)?;
    let coverage: Vec<Coverage> = indicator_coverage::table
        .select((
            indicator_coverage::indicator,
            indicator_coverage::division,
            indicator_coverage::years,
            indicator_coverage::breakdowns,
            indicator_coverage::values_ok,
            indicator_coverage::values_missing,
        ))
        .order((indicator_coverage::indicator, indicator_coverage::division))
        .load(conn)?;
    Ok(list
        .into_iter()
        .map(|i| {
            let c = coverage
                .iter()
                .filter(|c| c.indicator == i.id)
                .cloned()
                .collect();
            (i, c)
        })
        .collect())
}

/// What `/v1/data` asks for, already checked.
#[derive(Clone, Debug, Default)]
pub struct ValueQuery {
    pub indicators: Vec<String>,
    /// Either explicit areas, each with the division its suffix named (or none: any) …
    pub codes: Option<Vec<(String, Option<Division>)>>,
    /// … or a level, optionally within a kommun or län.
    pub level: Option<Level>,
    pub municipality: Option<String>,
    pub county: Option<String>,
    pub division: Option<Division>,
    pub years: Option<Vec<i16>>,
    pub breakdowns: Option<Vec<String>>,
}

/// One indicator value in the long layout of `/v1/data` and of the values download.
#[derive(Clone, Debug, QueryableByName)]
pub struct ValueRow {
    #[diesel(sql_type = Text)]
    pub indicator: String,
    #[diesel(sql_type = Text)]
    pub division: Division,
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub name: Option<String>,
    #[diesel(sql_type = SmallInt)]
    pub year: i16,
    #[diesel(sql_type = Text)]
    pub breakdown: String,
    #[diesel(sql_type = Nullable<Double>)]
    pub value: Option<f64>,
    #[diesel(sql_type = Text)]
    pub status: String,
}

/// A value of a page, with how many values match the whole query.
#[derive(QueryableByName)]
struct PagedValue {
    #[diesel(embed)]
    value: ValueRow,
    #[diesel(sql_type = BigInt)]
    matched: i64,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

const FILTER: &str = "FROM indicator_values v
     JOIN areas a ON a.division = v.division AND a.code = v.code
     JOIN divisions d ON d.id = v.division
     WHERE v.indicator = ANY($1)
       AND ($2::text[] IS NULL OR EXISTS (
             SELECT 1 FROM unnest($2::text[], $11::text[]) AS k(c, d)
             WHERE k.c = v.code AND (k.d IS NULL OR k.d = v.division)))
       AND ($3::text IS NULL OR d.level = $3)
       AND ($4::text IS NULL OR a.municipality_code = $4)
       AND ($5::text IS NULL OR a.county_code = $5)
       AND ($6::text IS NULL OR v.division = $6)
       AND ($7::smallint[] IS NULL OR v.year = ANY($7))
       AND ($8::text[] IS NULL OR v.breakdown = ANY($8))";

/// `sql`, which reads [`FILTER`], with `q` bound to FILTER's parameters and `limit` and
/// `offset` to `$9` and `$10`.
fn bind_filter<'a>(
    sql: &str,
    q: &'a ValueQuery,
    limit: i64,
    offset: i64,
) -> BoxedSqlQuery<'a, Pg, SqlQuery> {
    let codes: Option<Vec<&str>> = q
        .codes
        .as_ref()
        .map(|c| c.iter().map(|(code, _)| code.as_str()).collect());
    let code_divisions: Vec<Option<&str>> = q
        .codes
        .iter()
        .flatten()
        .map(|(_, d)| d.map(Division::id))
        .collect();
    diesel::sql_query(sql)
        .into_boxed()
        .bind::<Array<Text>, _>(&q.indicators)
        .bind::<Nullable<Array<Text>>, _>(codes)
        .bind::<Nullable<Text>, _>(q.level.map(Level::as_str))
        .bind::<Nullable<Text>, _>(q.municipality.as_deref())
        .bind::<Nullable<Text>, _>(q.county.as_deref())
        .bind::<Nullable<Text>, _>(q.division.map(Division::id))
        .bind::<Nullable<Array<SmallInt>>, _>(q.years.as_deref())
        .bind::<Nullable<Array<Text>>, _>(q.breakdowns.as_deref())
        .bind::<BigInt, _>(limit)
        .bind::<BigInt, _>(offset)
        .bind::<Array<Nullable<Text>>, _>(code_divisions)
}

/// A page of values, ordered by indicator, area, year and breakdown, and how many match.
pub fn values(
    conn: &mut PgConnection,
    q: &ValueQuery,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<ValueRow>)> {
    let sql = format!(
        "SELECT v.indicator, v.division, v.code, a.name, v.year, v.breakdown, v.value, v.status,
                count(*) OVER () AS matched
         {FILTER}
         ORDER BY v.indicator, v.code, v.division, v.year, v.breakdown
         LIMIT $9 OFFSET $10"
    );
    let rows: Vec<PagedValue> = bind_filter(&sql, q, limit, offset).load(conn)?;
    let matched = match rows.first() {
        Some(r) => r.matched,
        None => {
            let sql = format!("SELECT count(*) AS n {FILTER} AND $9::bigint = $10::bigint");
            bind_filter(&sql, q, 0, 0).get_result::<Count>(conn)?.n
        }
    };
    Ok((matched, rows.into_iter().map(|r| r.value).collect()))
}

/// The years that have values of any of `indicators`.
pub fn years_of(conn: &mut PgConnection, indicators: &[String]) -> Result<Vec<i16>> {
    let lists: Vec<Vec<Option<i16>>> = indicator_coverage::table
        .filter(indicator_coverage::indicator.eq_any(indicators))
        .select(indicator_coverage::years)
        .load(conn)?;
    let mut years: Vec<i16> = lists.into_iter().flatten().flatten().collect();
    years.sort_unstable();
    years.dedup();
    Ok(years)
}

#[derive(QueryableByName)]
struct YearOnly {
    #[diesel(sql_type = SmallInt)]
    year: i16,
}

/// Every year with an area type or an indicator value.
pub fn all_years(conn: &mut PgConnection) -> Result<Vec<i16>> {
    Ok(diesel::sql_query(
        "SELECT DISTINCT year FROM (SELECT year FROM area_types
                                    UNION SELECT unnest(years) FROM indicator_coverage) y
         WHERE year IS NOT NULL ORDER BY year",
    )
    .load::<YearOnly>(conn)?
    .into_iter()
    .map(|y| y.year)
    .collect())
}
