//! Queries about areas: lists with filters, one area's versions and history, children.

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::schema::{area_types, areas, divisions};
use crate::domain::geography::{Division, Level};
use crate::error::Result;

/// Filters of `/v1/areas`; every field narrows the list.
#[derive(Clone, Debug, Default)]
pub struct AreaFilter {
    pub level: Option<Level>,
    pub division: Option<Division>,
    pub municipality: Option<String>,
    pub county: Option<String>,
    /// (area type, year).
    pub area_type: Option<(i16, i16)>,
    /// Already folded (`domain::text::fold`).
    pub name_contains: Option<String>,
    pub codes: Option<Vec<String>>,
    pub parent_regso: Option<String>,
}

/// An area as the lists show it; selected by `AreaRow::as_select()` from `areas` joined to
/// `divisions`.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = areas)]
pub struct AreaRow {
    pub division: Division,
    #[diesel(select_expression = divisions::level)]
    pub level: Level,
    pub code: String,
    pub name: Option<String>,
    pub county_code: Option<String>,
    pub municipality_code: Option<String>,
    pub regso_code: Option<String>,
    pub geometry_source: Option<String>,
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn filtered(f: &AreaFilter) -> areas::BoxedQuery<'static, diesel::pg::Pg> {
    let mut q = areas::table.into_boxed();
    if let Some(level) = &f.level {
        q = q.filter(
            areas::division.eq_any(
                divisions::table
                    .filter(divisions::level.eq(level.as_str()))
                    .select(divisions::id),
            ),
        );
    }
    if let Some(d) = &f.division {
        q = q.filter(areas::division.eq(d.id()));
    }
    if let Some(m) = &f.municipality {
        q = q.filter(areas::municipality_code.eq(m.clone()));
    }
    if let Some(c) = &f.county {
        q = q.filter(areas::county_code.eq(c.clone()));
    }
    if let Some(r) = &f.parent_regso {
        q = q.filter(areas::regso_code.eq(r.clone()));
    }
    if let Some(codes) = &f.codes {
        q = q.filter(areas::code.eq_any(codes.clone()));
    }
    if let Some(text) = &f.name_contains {
        q = q.filter(areas::name_folded.like(format!("%{}%", escape_like(text))));
    }
    if let Some((t, y)) = f.area_type {
        q = q.filter(diesel::dsl::exists(
            area_types::table
                .filter(area_types::division.eq(areas::division))
                .filter(area_types::code.eq(areas::code))
                .filter(area_types::year.eq(y))
                .filter(area_types::area_type.eq(t)),
        ));
    }
    q
}

/// One page of the areas matching `f`, ordered by code then division, and the total count.
pub fn list(
    conn: &mut PgConnection,
    f: &AreaFilter,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<AreaRow>)> {
    let matched: i64 = filtered(f).count().get_result(conn)?;
    let codes: Vec<(Division, String)> = filtered(f)
        .select((areas::division, areas::code))
        .order((areas::code, areas::division))
        .limit(limit)
        .offset(offset)
        .load(conn)?;
    let rows = by_keys(conn, &codes)?;
    Ok((matched, rows))
}

/// Areas by (division, code), in the order given.
pub fn by_keys(conn: &mut PgConnection, keys: &[(Division, String)]) -> Result<Vec<AreaRow>> {
    let codes: Vec<&String> = keys.iter().map(|k| &k.1).collect();
    let rows: Vec<AreaRow> = areas::table
        .inner_join(divisions::table)
        .filter(areas::code.eq_any(codes))
        .select(AreaRow::as_select())
        .load(conn)?;
    let mut by_key: std::collections::HashMap<(Division, String), AreaRow> = rows
        .into_iter()
        .map(|r| ((r.division, r.code.clone()), r))
        .collect();
    Ok(keys.iter().filter_map(|k| by_key.remove(k)).collect())
}

/// Every division version an area code exists in, newest last.
pub fn versions(conn: &mut PgConnection, code: &str) -> Result<Vec<AreaRow>> {
    Ok(areas::table
        .inner_join(divisions::table)
        .filter(areas::code.eq(code))
        .select(AreaRow::as_select())
        .order(divisions::first_year)
        .load(conn)?)
}

/// Names of areas by code at the administrative levels (kommun, län, riket).
pub fn admin_name(
    conn: &mut PgConnection,
    division: Division,
    code: &str,
) -> Result<Option<String>> {
    Ok(areas::table
        .filter(areas::division.eq(division.id()))
        .filter(areas::code.eq(code))
        .select(areas::name)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// An area's type, index and ranks in one year.
#[derive(Clone, Debug, Queryable, Serialize, ToSchema)]
pub struct YearFacts {
    pub year: i16,
    /// 1–5, or null where not known.
    pub area_type: Option<i16>,
    /// `official` (SCB) or `computed` (by this service from SCB's components).
    pub area_type_origin: Option<String>,
    pub socioeconomic_index: Option<f64>,
    pub index_origin: Option<String>,
    /// 1 = highest index (greatest challenges) in its kommun.
    pub rank_in_municipality: Option<i32>,
    pub areas_in_municipality: Option<i32>,
    pub rank_in_country: Option<i32>,
    pub areas_in_country: Option<i32>,
    /// Share of RegSO in the country with an index lower than or equal to this one's.
    pub percentile_in_country: Option<f64>,
}

/// The served area type and index of one RegSO, year by year.
pub fn history(conn: &mut PgConnection, division: Division, code: &str) -> Result<Vec<YearFacts>> {
    Ok(area_types::table
        .filter(area_types::division.eq(division.id()))
        .filter(area_types::code.eq(code))
        .select((
            area_types::year,
            area_types::area_type,
            area_types::area_type_origin,
            area_types::socioeconomic_index,
            area_types::index_origin,
            area_types::rank_in_municipality,
            area_types::areas_in_municipality,
            area_types::rank_in_country,
            area_types::areas_in_country,
            area_types::percentile_in_country,
        ))
        .order(area_types::year)
        .load(conn)?)
}

#[derive(QueryableByName)]
struct ChildCount {
    #[diesel(sql_type = diesel::sql_types::Text)]
    division: Division,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The filter that picks the children of an area: the next level down, in the division
/// versions that nest in the area's own.
pub fn children_filter(row: &AreaRow) -> Option<AreaFilter> {
    let mut f = AreaFilter::default();
    match row.level {
        Level::Riket => f.division = Some(Division::Lan),
        Level::Lan => {
            f.division = Some(Division::Kommun);
            f.county = Some(row.code.clone());
        }
        // Both RegSO versions: a kommun's code and borders are the same in each.
        Level::Kommun => {
            f.level = Some(Level::Regso);
            f.municipality = Some(row.code.clone());
        }
        Level::Regso => {
            f.division = Some(row.division.child()?);
            f.parent_regso = Some(row.code.clone());
        }
        Level::Deso => return None,
    }
    Some(f)
}

/// How many children an area has, per child division.
pub fn child_counts(conn: &mut PgConnection, row: &AreaRow) -> Result<Vec<(Division, i64)>> {
    let Some(f) = children_filter(row) else {
        return Ok(Vec::new());
    };
    let sql = "SELECT a.division, count(*) AS n FROM areas a JOIN divisions d ON d.id = a.division
               WHERE ($1::text IS NULL OR d.level = $1) AND ($2::text IS NULL OR a.division = $2)
                 AND ($3::text IS NULL OR a.municipality_code = $3) AND ($4::text IS NULL OR a.county_code = $4)
                 AND ($5::text IS NULL OR a.regso_code = $5)
               GROUP BY a.division ORDER BY a.division";
    use diesel::sql_types::{Nullable, Text};
    Ok(diesel::sql_query(sql)
        .bind::<Nullable<Text>, _>(f.level.map(Level::as_str))
        .bind::<Nullable<Text>, _>(f.division.map(Division::id))
        .bind::<Nullable<Text>, _>(f.municipality)
        .bind::<Nullable<Text>, _>(f.county)
        .bind::<Nullable<Text>, _>(f.parent_regso)
        .load::<ChildCount>(conn)?
        .into_iter()
        .map(|c| (c.division, c.n))
        .collect())
}
