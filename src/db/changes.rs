//! Area types of two years side by side, and the division crosswalk.

use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Double, Integer, Nullable, SmallInt, Text};

use crate::domain::geography::Division;
use crate::error::Result;

/// One area's type in the first year and, when it could be paired, in the second.
#[derive(Clone, Debug, QueryableByName)]
pub struct TypePair {
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub municipality_code: Option<String>,
    #[diesel(sql_type = Nullable<SmallInt>)]
    pub from_area_type: Option<i16>,
    #[diesel(sql_type = Nullable<Text>)]
    pub from_area_type_origin: Option<String>,
    #[diesel(sql_type = Nullable<Double>)]
    pub from_index: Option<f64>,
    #[diesel(sql_type = Nullable<Text>)]
    pub from_index_origin: Option<String>,
    /// The code in the second year's division (null when no pair was found).
    #[diesel(sql_type = Nullable<Text>)]
    pub to_code: Option<String>,
    #[diesel(sql_type = Nullable<SmallInt>)]
    pub to_area_type: Option<i16>,
    #[diesel(sql_type = Nullable<Text>)]
    pub to_area_type_origin: Option<String>,
    #[diesel(sql_type = Nullable<Double>)]
    pub to_index: Option<f64>,
    #[diesel(sql_type = Nullable<Text>)]
    pub to_index_origin: Option<String>,
}

/// Every RegSO with a type in `from_year` (in `from_division`, within the kommun or län when
/// given), with its type in `to_year` (in `to_division`). Within one division the two are
/// joined by code; across divisions only through crosswalk pairs that are `unchanged`, never
/// by code alone.
pub fn type_pairs(
    conn: &mut PgConnection,
    from_division: Division,
    from_year: i16,
    to_division: Division,
    to_year: i16,
    municipality: Option<&str>,
    county: Option<&str>,
) -> Result<Vec<TypePair>> {
    Ok(diesel::sql_query(
        "SELECT f.code, a.name, a.municipality_code,
                f.area_type AS from_area_type, f.area_type_origin AS from_area_type_origin,
                f.socioeconomic_index AS from_index, f.index_origin AS from_index_origin,
                t.code AS to_code,
                t.area_type AS to_area_type, t.area_type_origin AS to_area_type_origin,
                t.socioeconomic_index AS to_index, t.index_origin AS to_index_origin
         FROM area_types f
         JOIN areas a ON a.division = f.division AND a.code = f.code
         LEFT JOIN crosswalk c ON $1 <> $3 AND c.from_division = f.division AND c.from_code = f.code
                               AND c.to_division = $3 AND c.relation = 'unchanged'
         LEFT JOIN area_types t ON t.division = $3 AND t.year = $4 AND t.area_type IS NOT NULL
                               AND t.code = CASE WHEN $1 = $3 THEN f.code ELSE c.to_code END
         WHERE f.division = $1 AND f.year = $2 AND f.area_type IS NOT NULL
           AND ($5::text IS NULL OR a.municipality_code = $5)
           AND ($6::text IS NULL OR a.county_code = $6)
         ORDER BY f.code",
    )
    .bind::<Text, _>(from_division.id())
    .bind::<SmallInt, _>(from_year)
    .bind::<Text, _>(to_division.id())
    .bind::<SmallInt, _>(to_year)
    .bind::<Nullable<Text>, _>(municipality)
    .bind::<Nullable<Text>, _>(county)
    .load(conn)?)
}

#[derive(QueryableByName)]
struct Year {
    #[diesel(sql_type = SmallInt)]
    year: i16,
}

/// The years with at least one area type.
pub fn typed_years(conn: &mut PgConnection) -> Result<Vec<i16>> {
    Ok(diesel::sql_query(
        "SELECT DISTINCT year FROM area_types WHERE area_type IS NOT NULL ORDER BY year",
    )
    .load::<Year>(conn)?
    .into_iter()
    .map(|y| y.year)
    .collect())
}

#[derive(Clone, Debug, QueryableByName)]
pub struct CrosswalkRow {
    #[diesel(sql_type = Text)]
    pub from_division: Division,
    #[diesel(sql_type = Text)]
    pub from_code: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub from_name: Option<String>,
    #[diesel(sql_type = Text)]
    pub to_division: Division,
    #[diesel(sql_type = Text)]
    pub to_code: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub to_name: Option<String>,
    #[diesel(sql_type = Text)]
    pub relation: String,
    #[diesel(sql_type = Integer)]
    pub from_targets: i32,
    #[diesel(sql_type = Integer)]
    pub to_sources: i32,
    #[diesel(sql_type = Nullable<Integer>)]
    pub deso_shared: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub from_deso: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub to_deso: Option<i32>,
}

#[derive(QueryableByName)]
struct Counted {
    #[diesel(embed)]
    pair: CrosswalkRow,
    #[diesel(sql_type = BigInt)]
    matched: i64,
}

/// What a crosswalk page asks for.
#[derive(Clone, Debug)]
pub struct CrosswalkFilter {
    pub from_division: Division,
    pub codes: Option<Vec<String>>,
    pub municipality: Option<String>,
    pub relation: Option<String>,
}

/// A page of crosswalk pairs (by from code, then to code) and how many match in all.
pub fn crosswalk(
    conn: &mut PgConnection,
    filter: &CrosswalkFilter,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<CrosswalkRow>)> {
    let rows: Vec<Counted> = diesel::sql_query(
        "SELECT c.from_division, c.from_code, f.name AS from_name, c.to_division, c.to_code,
                t.name AS to_name, c.relation, c.from_targets, c.to_sources, c.deso_shared,
                c.from_deso, c.to_deso, count(*) OVER () AS matched
         FROM crosswalk c
         JOIN areas f ON f.division = c.from_division AND f.code = c.from_code
         JOIN areas t ON t.division = c.to_division AND t.code = c.to_code
         WHERE c.from_division = $1
           AND ($2::text[] IS NULL OR c.from_code = ANY($2))
           AND ($3::text IS NULL OR f.municipality_code = $3)
           AND ($4::text IS NULL OR c.relation = $4)
         ORDER BY c.from_code, c.to_code
         LIMIT $5 OFFSET $6",
    )
    .bind::<Text, _>(filter.from_division.id())
    .bind::<Nullable<Array<Text>>, _>(filter.codes.clone())
    .bind::<Nullable<Text>, _>(filter.municipality.clone())
    .bind::<Nullable<Text>, _>(filter.relation.clone())
    .bind::<BigInt, _>(limit)
    .bind::<BigInt, _>(offset)
    .load(conn)?;
    let matched = match rows.first() {
        Some(r) => r.matched,
        // Past the last page the window count is lost; count anew.
        None if offset > 0 => crosswalk(conn, filter, 1, 0)?.0,
        None => 0,
    };
    Ok((matched, rows.into_iter().map(|r| r.pair).collect()))
}

#[derive(QueryableByName)]
struct Code {
    #[diesel(sql_type = Text)]
    code: String,
}

/// Those of `codes` that are no area of `division`.
pub fn unknown_codes(
    conn: &mut PgConnection,
    division: Division,
    codes: &[String],
) -> Result<Vec<String>> {
    Ok(diesel::sql_query(
        "SELECT c AS code FROM unnest($2::text[]) AS c
         WHERE NOT EXISTS (SELECT 1 FROM areas a WHERE a.division = $1 AND a.code = c)
         ORDER BY c",
    )
    .bind::<Text, _>(division.id())
    .bind::<Array<Text>, _>(codes)
    .load::<Code>(conn)?
    .into_iter()
    .map(|c| c.code)
    .collect())
}
