//! Everything derived from the imported data, recomputed inside the import's transaction:
//! geometry at three levels of detail, served area types with ranks, summaries per
//! municipality, county and country, and the data version.

use std::collections::BTreeMap;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bytea, Double, Int4, Nullable, SmallInt, Text};

use crate::convert::{f64_from_i64, f64_from_usize, i64_saturating};
use crate::domain::geography;
use crate::domain::{index, ranks, summaries};
use crate::error::{Error, Result};
use crate::geo::{coverage, wkb};

/// Bumped whenever the derivation changes what it produces from the same inputs, so the data
/// version changes too.
pub const DERIVATION_VERSION: &str = "4";

/// Simplification tolerances in metres: borders for a municipality map, and for a national one.
pub const SIMPLIFIED_TOLERANCE_M: f64 = 15.0;
pub const COARSE_TOLERANCE_M: f64 = 200.0;

#[derive(QueryableByName)]
struct StagedWkb {
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = Bytea)]
    wkb: Vec<u8>,
}

#[derive(QueryableByName)]
struct Division {
    #[diesel(sql_type = Text)]
    division: String,
}

/// Simplifies each staged division as a coverage and moves every staged geometry, with its
/// GeoJSON at three levels of detail, into `areas`.
pub fn publish_geometry(conn: &mut PgConnection) -> Result<usize> {
    let divisions: Vec<String> =
        diesel::sql_query("SELECT DISTINCT division FROM staged_geometry ORDER BY 1")
            .load::<Division>(conn)?
            .into_iter()
            .map(|d| d.division)
            .collect();
    for division in &divisions {
        let staged = diesel::sql_query(
            "SELECT code, ST_AsBinary(geom) AS wkb FROM staged_geometry WHERE division = $1 ORDER BY code",
        )
        .bind::<Text, _>(division)
        .load::<StagedWkb>(conn)?;
        let shapes = staged
            .iter()
            .map(|s| wkb::read_multipolygon(&s.wkb))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(crate::Error::Internal)?;
        let simplified = coverage::simplify_coverage(&shapes, SIMPLIFIED_TOLERANCE_M);
        let coarse = coverage::simplify_coverage(&shapes, COARSE_TOLERANCE_M);
        let codes: Vec<&str> = staged.iter().map(|s| s.code.as_str()).collect();
        for start in (0..codes.len()).step_by(500) {
            let end = (start + 500).min(codes.len());
            diesel::sql_query(
                "UPDATE staged_geometry s SET geom_simplified = x.simplified, geom_coarse = x.coarse
                 FROM (SELECT c,
                              ST_GeomFromWKB(a, 3006) AS simplified,
                              ST_GeomFromWKB(b, 3006) AS coarse
                       FROM unnest($2::text[], $3::bytea[], $4::bytea[]) AS t(c, a, b)) x
                 WHERE s.division = $1 AND s.code = x.c",
            )
            .bind::<Text, _>(division)
            .bind::<Array<Text>, _>(&codes[start..end])
            .bind::<Array<Bytea>, _>(simplified[start..end].iter().map(wkb::write_multipolygon).collect::<Vec<_>>())
            .bind::<Array<Bytea>, _>(coarse[start..end].iter().map(wkb::write_multipolygon).collect::<Vec<_>>())
            .execute(conn)?;
        }
    }
    // Simplified rings may touch themselves; repair, and never let an area vanish.
    conn.batch_execute(
        "UPDATE staged_geometry SET
             geom_simplified = COALESCE(NULLIF(ST_Multi(ST_CollectionExtract(ST_MakeValid(geom_simplified), 3)),
                                               'MULTIPOLYGON EMPTY'::geometry), geom),
             geom_coarse = COALESCE(NULLIF(ST_Multi(ST_CollectionExtract(ST_MakeValid(geom_coarse), 3)),
                                           'MULTIPOLYGON EMPTY'::geometry), geom);
         UPDATE staged_geometry SET
             geom_simplified = CASE WHEN ST_IsEmpty(geom_simplified) THEN geom ELSE ST_SetSRID(geom_simplified, 3006) END,
             geom_coarse = CASE WHEN ST_IsEmpty(geom_coarse) THEN geom ELSE ST_SetSRID(geom_coarse, 3006) END;",
    )?;
    let n = diesel::sql_query(
        "UPDATE areas a SET
             geom = s.geom,
             geometry_source = s.geometry_source,
             geom_simplified = s.geom_simplified,
             geom_coarse = s.geom_coarse,
             label_point = ST_PointOnSurface(s.geom),
             area_km2 = ST_Area(s.geom) / 1e6,
             bbox_wgs84 = ARRAY[ST_XMin(w.box), ST_YMin(w.box), ST_XMax(w.box), ST_YMax(w.box)],
             geojson_full = ST_AsGeoJSON(ST_ForcePolygonCCW(ST_Transform(s.geom, 4326)), 6),
             geojson_simplified = ST_AsGeoJSON(ST_ForcePolygonCCW(ST_Transform(s.geom_simplified, 4326)), 5),
             geojson_coarse = ST_AsGeoJSON(ST_ForcePolygonCCW(ST_Transform(s.geom_coarse, 4326)), 4)
         FROM staged_geometry s
         CROSS JOIN LATERAL (SELECT ST_Transform(ST_Envelope(s.geom), 4326)::box2d AS box) w
         WHERE a.division = s.division AND a.code = s.code",
    )
    .execute(conn)?;
    conn.batch_execute("TRUNCATE staged_geometry")?;
    Ok(n)
}

#[derive(QueryableByName)]
struct Components {
    #[diesel(sql_type = Text)]
    division: String,
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = SmallInt)]
    year: i16,
    #[diesel(sql_type = Double)]
    v1: f64,
    #[diesel(sql_type = Double)]
    v2: f64,
    #[diesel(sql_type = Double)]
    v3: f64,
}

/// Indicator ids of the three components of the socio-economic index.
pub const COMPONENTS: [&str; 3] = [
    "low_economic_standard",
    "low_education",
    "long_term_dependency",
];
/// Indicator ids of SCB's published index and area type (TAB6586).
pub const INDEX: &str = "socioeconomic_index";
pub const AREA_TYPE: &str = "area_type";

/// Copies SCB's published index, area type and three components, where they were imported as
/// indicator values of RegSO, into the official rows of `area_type_sources`. An area type
/// also read from SCB's area-type export is kept as the export gives it.
fn official_from_values(conn: &mut PgConnection) -> Result<usize> {
    Ok(diesel::sql_query(
        "INSERT INTO area_type_sources (division, code, year, origin, area_type, socioeconomic_index,
                                        low_economic_standard, low_education, long_term_dependency,
                                        dataset_id)
         SELECT division, code, year, 'official',
                (max(value) FILTER (WHERE indicator = $5))::smallint,
                max(value) FILTER (WHERE indicator = $4),
                max(value) FILTER (WHERE indicator = $1),
                max(value) FILTER (WHERE indicator = $2),
                max(value) FILTER (WHERE indicator = $3),
                min(dataset_id)
         FROM indicator_values
         WHERE indicator IN ($1, $2, $3, $4, $5) AND breakdown = 'total' AND status = 'ok'
           AND division = ANY($6)
         GROUP BY division, code, year
         ON CONFLICT (division, code, year, origin) DO UPDATE SET
             area_type = COALESCE(area_type_sources.area_type, excluded.area_type),
             socioeconomic_index = excluded.socioeconomic_index,
             low_economic_standard = excluded.low_economic_standard,
             low_education = excluded.low_education,
             long_term_dependency = excluded.long_term_dependency",
    )
    .bind::<Text, _>(COMPONENTS[0])
    .bind::<Text, _>(COMPONENTS[1])
    .bind::<Text, _>(COMPONENTS[2])
    .bind::<Text, _>(INDEX)
    .bind::<Text, _>(AREA_TYPE)
    .bind::<Array<Text>, _>(
        geography::Division::ALL
            .into_iter()
            .filter(|d| d.level() == geography::Level::Regso)
            .map(geography::Division::id)
            .collect::<Vec<_>>(),
    )
    .execute(conn)?)
}

#[derive(QueryableByName)]
struct AreaCount {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// A count or rank for an `int` column; an area count past 2^31 would be a bug, not data.
fn int4<T: TryInto<i32> + Copy + std::fmt::Display>(n: T) -> Result<i32> {
    n.try_into()
        .map_err(|_| Error::Internal(format!("{n} does not fit an int column")))
}

fn areas_in(conn: &mut PgConnection, division: &str) -> Result<i64> {
    Ok(
        diesel::sql_query("SELECT count(*) AS n FROM areas WHERE division = $1")
            .bind::<Text, _>(division)
            .get_result::<AreaCount>(conn)?
            .n,
    )
}

/// Computes the index and area type wherever SCB's three components are known, kept apart
/// from the official values as `computed`.
fn compute_area_types(conn: &mut PgConnection) -> Result<usize> {
    conn.batch_execute("DELETE FROM area_type_sources WHERE origin = 'computed'")?;
    let rows = diesel::sql_query(
        "SELECT division, code, year, low_economic_standard AS v1, low_education AS v2,
                long_term_dependency AS v3
         FROM area_type_sources
         WHERE origin = 'official' AND low_economic_standard IS NOT NULL
           AND low_education IS NOT NULL AND long_term_dependency IS NOT NULL
         ORDER BY division, year, code",
    )
    .load::<Components>(conn)?;
    let mut groups: BTreeMap<(&str, i16), Vec<&Components>> = BTreeMap::new();
    for r in &rows {
        groups.entry((&r.division, r.year)).or_default().push(r);
    }
    let mut written = 0;
    for ((division, _year), list) in groups {
        // The mean and spread are national: computed over a subset of RegSO (say one
        // kommun's) the types would be wrong, so they are computed only over (nearly) all.
        if f64_from_usize(list.len()) < 0.95 * f64_from_i64(areas_in(conn, division)?) {
            log::info!(
                "not computing area types for {division} {_year}: components for only {} RegSO",
                list.len()
            );
            continue;
        }
        let indices: Vec<f64> = list
            .iter()
            .map(|r| index::socioeconomic_index(r.v1, r.v2, r.v3))
            .collect();
        let Some(types) = index::classify(&indices) else {
            continue;
        };
        written += diesel::sql_query(
            "INSERT INTO area_type_sources (division, code, year, origin, area_type, socioeconomic_index)
             SELECT $1, c, y, 'computed', t, i FROM unnest($2::text[], $3::smallint[], $4::smallint[], $5::float8[]) AS x(c, y, t, i)",
        )
        .bind::<Text, _>(division)
        .bind::<Array<Text>, _>(list.iter().map(|r| r.code.as_str()).collect::<Vec<_>>())
        .bind::<Array<SmallInt>, _>(list.iter().map(|r| r.year).collect::<Vec<_>>())
        .bind::<Array<SmallInt>, _>(types.iter().map(|&t| i16::from(t)).collect::<Vec<_>>())
        .bind::<Array<Double>, _>(indices)
        .execute(conn)?;
    }
    Ok(written)
}

#[derive(QueryableByName)]
struct Served {
    #[diesel(sql_type = Text)]
    division: String,
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = SmallInt)]
    year: i16,
    #[diesel(sql_type = Nullable<SmallInt>)]
    area_type: Option<i16>,
    #[diesel(sql_type = Nullable<Text>)]
    area_type_origin: Option<String>,
    #[diesel(sql_type = Nullable<Double>)]
    socioeconomic_index: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    population: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    low_income: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    high_income: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    poverty_rate: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    high_standard: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    standard_persons: Option<f64>,
}

#[derive(QueryableByName)]
struct Published {
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = SmallInt)]
    year: i16,
    #[diesel(sql_type = Double)]
    value: f64,
}

/// Indicator ids the summaries read, when the catalogue has them.
pub const POPULATION: &str = "population";
pub const LOWEST_INCOME_QUINTILE: &str = "persons_lowest_income_quintile";
pub const HIGHEST_INCOME_QUINTILE: &str = "persons_highest_income_quintile";
/// TAB6685: the shares with low and high economic standard, and the persons they refer to.
pub const POVERTY_RATE: &str = "at_risk_of_poverty_rate";
pub const HIGH_STANDARD: &str = "high_economic_standard";
pub const STANDARD_PERSONS: &str = "persons_economic_standard";

/// The source tables of each inequality method, as recorded with the index.
fn inequality_source(method: summaries::InequalityMethod) -> &'static str {
    match method {
        summaries::InequalityMethod::IncomeQuintiles => "income-quintile counts per RegSO",
        summaries::InequalityMethod::EconomicStandard => {
            "SCB TAB6685 (000008AC, 000008AD, 000008AE) per RegSO"
        }
    }
}

/// Served area types (official wins, field by field), ranks within kommun and country, and
/// the summaries per kommun, län and riket over every RegSO of the division.
fn serve_area_types(conn: &mut PgConnection) -> Result<usize> {
    conn.batch_execute(
        "DELETE FROM area_types; DELETE FROM area_type_summaries;
         INSERT INTO area_types (division, code, year, area_type, area_type_origin,
                                 socioeconomic_index, low_economic_standard, low_education,
                                 long_term_dependency, index_origin)
         SELECT k.division, k.code, k.year,
                COALESCE(o.area_type, c.area_type),
                CASE WHEN o.area_type IS NOT NULL THEN 'official' WHEN c.area_type IS NOT NULL THEN 'computed' END,
                COALESCE(o.socioeconomic_index, c.socioeconomic_index),
                o.low_economic_standard, o.low_education, o.long_term_dependency,
                CASE WHEN o.socioeconomic_index IS NOT NULL THEN 'official'
                     WHEN c.socioeconomic_index IS NOT NULL THEN 'computed' END
         FROM (SELECT DISTINCT division, code, year FROM area_type_sources) k
         LEFT JOIN area_type_sources o ON (o.division, o.code, o.year, o.origin) = (k.division, k.code, k.year, 'official')
         LEFT JOIN area_type_sources c ON (c.division, c.code, c.year, c.origin) = (k.division, k.code, k.year, 'computed');",
    )?;
    let value = |alias: &str, n: u8| {
        format!(
            "LEFT JOIN indicator_values {alias} ON ({alias}.indicator, {alias}.division, {alias}.code, {alias}.year, {alias}.breakdown)
                 = (${n}, a.division, a.code, y.year, 'total')"
        )
    };
    let rows = diesel::sql_query(format!(
        "SELECT a.division, a.code, y.year, t.area_type, t.area_type_origin, t.socioeconomic_index,
                p.value AS population, lo.value AS low_income, hi.value AS high_income,
                pr.value AS poverty_rate, hs.value AS high_standard, sp.value AS standard_persons
         FROM (SELECT DISTINCT division, year FROM area_types) y
         JOIN areas a ON a.division = y.division
         LEFT JOIN area_types t ON (t.division, t.code, t.year) = (a.division, a.code, y.year)
         {} {} {} {} {} {}
         ORDER BY a.division, y.year, a.code",
        value("p", 1),
        value("lo", 2),
        value("hi", 3),
        value("pr", 4),
        value("hs", 5),
        value("sp", 6),
    ))
    .bind::<Text, _>(POPULATION)
    .bind::<Text, _>(LOWEST_INCOME_QUINTILE)
    .bind::<Text, _>(HIGHEST_INCOME_QUINTILE)
    .bind::<Text, _>(POVERTY_RATE)
    .bind::<Text, _>(HIGH_STANDARD)
    .bind::<Text, _>(STANDARD_PERSONS)
    .load::<Served>(conn)?;

    let mut by_year: BTreeMap<(&str, i16), Vec<&Served>> = BTreeMap::new();
    for r in &rows {
        by_year.entry((&r.division, r.year)).or_default().push(r);
    }
    // The population riket, län and kommuner publish themselves, per year.
    let mut published: BTreeMap<i16, BTreeMap<String, f64>> = BTreeMap::new();
    for p in diesel::sql_query(
        "SELECT code, year, value FROM indicator_values
         WHERE indicator = $1 AND breakdown = 'total' AND status = 'ok'
           AND division = ANY($2)",
    )
    .bind::<Text, _>(POPULATION)
    .bind::<Array<Text>, _>(
        [
            geography::Division::Riket,
            geography::Division::Lan,
            geography::Division::Kommun,
        ]
        .map(geography::Division::id)
        .to_vec(),
    )
    .load::<Published>(conn)?
    {
        published.entry(p.year).or_default().insert(p.code, p.value);
    }
    let none = BTreeMap::new();
    let mut summaries_written = 0;
    for ((division, year), list) in &by_year {
        write_ranks(conn, division, *year, list)?;
        let facts: Vec<summaries::RegsoFacts> = list
            .iter()
            .map(|r| summaries::RegsoFacts {
                municipality: r.code[..4].to_owned(),
                area_type: r.area_type.and_then(|t| u8::try_from(t).ok()).map(|t| {
                    let origin = if r.area_type_origin.as_deref() == Some("official") {
                        summaries::Origin::Official
                    } else {
                        summaries::Origin::Computed
                    };
                    (t, origin)
                }),
                population: r.population,
                income_quintiles: r.low_income.zip(r.high_income),
                economic_standard: match (r.poverty_rate, r.high_standard, r.standard_persons) {
                    (Some(low), Some(high), Some(n)) => {
                        Some(summaries::economic_standard_counts(low, high, n))
                    }
                    _ => None,
                },
            })
            .collect();
        summaries_written += write_summaries(
            conn,
            division,
            *year,
            &summaries::summarise_all(&facts, published.get(year).unwrap_or(&none)),
        )?;
    }
    Ok(summaries_written)
}

fn write_ranks(conn: &mut PgConnection, division: &str, year: i16, list: &[&Served]) -> Result<()> {
    let indexed: Vec<(&Served, f64)> = list
        .iter()
        .filter_map(|r| Some((*r, r.socioeconomic_index?)))
        .collect();
    if indexed.is_empty() {
        return Ok(());
    }
    let country = ranks::rank_desc(&indexed.iter().map(|x| x.1).collect::<Vec<_>>());
    let mut by_kommun: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, (r, _)) in indexed.iter().enumerate() {
        by_kommun.entry(&r.code[..4]).or_default().push(i);
    }
    let mut local = vec![(0u32, 0usize); indexed.len()];
    for members in by_kommun.values() {
        let values: Vec<f64> = members.iter().map(|&i| indexed[i].1).collect();
        for (&i, (rank, _)) in members.iter().zip(ranks::rank_desc(&values)) {
            local[i] = (rank, members.len());
        }
    }
    let n = int4(indexed.len())?;
    diesel::sql_query(
        "UPDATE area_types t SET rank_in_municipality = x.rm, areas_in_municipality = x.nm,
                rank_in_country = x.rc, areas_in_country = $6, percentile_in_country = x.p
         FROM unnest($3::text[], $4::int[], $5::int[], $7::int[], $8::float8[]) AS x(c, rm, nm, rc, p)
         WHERE t.division = $1 AND t.year = $2 AND t.code = x.c",
    )
    .bind::<Text, _>(division)
    .bind::<SmallInt, _>(year)
    .bind::<Array<Text>, _>(indexed.iter().map(|x| x.0.code.as_str()).collect::<Vec<_>>())
    .bind::<Array<Int4>, _>(local.iter().map(|x| int4(x.0)).collect::<Result<Vec<_>>>()?)
    .bind::<Array<Int4>, _>(local.iter().map(|x| int4(x.1)).collect::<Result<Vec<_>>>()?)
    .bind::<Int4, _>(n)
    .bind::<Array<Int4>, _>(country.iter().map(|x| int4(x.0)).collect::<Result<Vec<_>>>()?)
    .bind::<Array<Double>, _>(country.iter().map(|x| x.1).collect::<Vec<_>>())
    .execute(conn)?;
    Ok(())
}

fn write_summaries(
    conn: &mut PgConnection,
    regso_division: &str,
    year: i16,
    list: &[summaries::Summary],
) -> Result<usize> {
    let division = |code: &str| {
        match code.len() {
            2 if code == "00" => geography::Division::Riket,
            2 => geography::Division::Lan,
            _ => geography::Division::Kommun,
        }
        .id()
    };
    let arr_i32 = |a: [u32; 5]| format!("{{{}}}", a.map(|v| v.to_string()).join(","));
    let arr_f =
        |a: Option<[f64; 5]>| a.map(|a| format!("{{{}}}", a.map(|v| v.to_string()).join(",")));
    let origin = |s: &summaries::Summary| match (s.area_type_origin, s.mixed_origin) {
        (_, true) => Some("mixed"),
        (Some(summaries::Origin::Official), _) => Some("official"),
        (Some(summaries::Origin::Computed), _) => Some("computed"),
        (None, false) => None,
    };
    Ok(diesel::sql_query(
        "INSERT INTO area_type_summaries (division, code, year, regso_division, regso_count, regso_by_type,
                                          population, population_by_type, population_share_by_type, inequality_index,
                                          area_type_origin, population_untyped, inequality_method,
                                          inequality_source, inequality_areas)
         SELECT d, c, $1, $2, n, t::int[], p, pt::float8[]::bigint[], ps::float8[], i, o, pu, im, isrc, ia
         FROM unnest($3::text[], $4::text[], $5::int[], $6::text[], $7::bigint[], $8::text[], $9::text[], $10::float8[],
                     $11::text[], $12::bigint[], $13::text[], $14::text[], $15::int[])
              AS x(d, c, n, t, p, pt, ps, i, o, pu, im, isrc, ia)",
    )
    .bind::<SmallInt, _>(year)
    .bind::<Text, _>(regso_division)
    .bind::<Array<Text>, _>(list.iter().map(|s| division(&s.code)).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(list.iter().map(|s| s.code.as_str()).collect::<Vec<_>>())
    .bind::<Array<Int4>, _>(list.iter().map(|s| int4(s.regso_count)).collect::<Result<Vec<_>>>()?)
    .bind::<Array<Text>, _>(list.iter().map(|s| arr_i32(s.regso_by_type)).collect::<Vec<_>>())
    .bind::<Array<Nullable<BigInt>>, _>(list.iter().map(|s| s.population.map(|p| i64_saturating(p.round()))).collect::<Vec<_>>())
    .bind::<Array<Nullable<Text>>, _>(list.iter().map(|s| arr_f(s.population_by_type)).collect::<Vec<_>>())
    .bind::<Array<Nullable<Text>>, _>(list.iter().map(|s| arr_f(s.population_share_by_type)).collect::<Vec<_>>())
    .bind::<Array<Nullable<Double>>, _>(list.iter().map(|s| s.inequality_index).collect::<Vec<_>>())
    .bind::<Array<Nullable<Text>>, _>(list.iter().map(origin).collect::<Vec<_>>())
    .bind::<Array<Nullable<BigInt>>, _>(list.iter().map(|s| s.population_untyped.map(|p| i64_saturating(p.round()))).collect::<Vec<_>>())
    .bind::<Array<Nullable<Text>>, _>(list.iter().map(|s| s.inequality_method.map(|m| m.as_str())).collect::<Vec<_>>())
    .bind::<Array<Nullable<Text>>, _>(list.iter().map(|s| s.inequality_method.map(inequality_source)).collect::<Vec<_>>())
    .bind::<Array<Int4>, _>(list.iter().map(|s| int4(s.inequality_areas)).collect::<Result<Vec<_>>>()?)
    .execute(conn)?)
}

/// The data version of a set of imported sources, (kind, source, checksum): a digest of them
/// and of this derivation, so the same inputs always give the same version and any change to
/// them, or to how they are derived, gives a new one. `empty` when nothing is imported.
pub fn data_version_of(sources: &[(String, String, String)]) -> String {
    if sources.is_empty() {
        return "empty".to_owned();
    }
    let mut sorted: Vec<&(String, String, String)> = sources.iter().collect();
    sorted.sort();
    let mut text = format!("derivation {DERIVATION_VERSION}\n");
    for (kind, source, checksum) in sorted {
        text.push_str(&format!("{kind}\t{source}\t{checksum}\n"));
    }
    super::sha256_hex(text.as_bytes())[..12].to_owned()
}

#[derive(QueryableByName)]
struct SourceKey {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    source: String,
    #[diesel(sql_type = Text)]
    checksum: String,
}

fn write_data_version(conn: &mut PgConnection, synthetic: bool) -> Result<String> {
    let sources: Vec<(String, String, String)> =
        diesel::sql_query("SELECT kind, source, checksum FROM datasets")
            .load::<SourceKey>(conn)?
            .into_iter()
            .map(|d| (d.kind, d.source, d.checksum))
            .collect();
    let version = data_version_of(&sources);
    diesel::sql_query(
        "UPDATE data_state SET data_version = $1, synthetic = $2, updated_at = now()
         WHERE data_version IS DISTINCT FROM $1 OR synthetic IS DISTINCT FROM $2",
    )
    .bind::<Text, _>(&version)
    .bind::<diesel::sql_types::Bool, _>(synthetic)
    .execute(conn)?;
    Ok(version)
}

/// Recomputes the derived statistics (computed area types, served area types with ranks,
/// summaries) and the data version. Geometry is published separately, by the import that
/// staged it.
pub fn recompute_statistics(conn: &mut PgConnection, synthetic: bool) -> Result<String> {
    let started = std::time::Instant::now();
    conn.batch_execute(
        "DELETE FROM indicator_coverage;
         INSERT INTO indicator_coverage (indicator, division, years, breakdowns, values_ok, values_missing)
         SELECT indicator, division, array_agg(DISTINCT year ORDER BY year), array_agg(DISTINCT breakdown ORDER BY breakdown),
                count(*) FILTER (WHERE status = 'ok'), count(*) FILTER (WHERE status <> 'ok')
         FROM indicator_values GROUP BY indicator, division;",
    )?;
    official_from_values(conn)?;
    compute_area_types(conn)?;
    let summaries = serve_area_types(conn)?;
    log::info!(
        "computed area types, ranks and {summaries} summaries in {:.1?}",
        started.elapsed()
    );
    // Planner statistics for every table just written, in the import's own transaction, so
    // they are published with the rows. Without them the first readers (and every database
    // cloned from this one before autovacuum comes by) plan with a guess of one row per table:
    // the cross-version changes query took 10 s instead of milliseconds.
    conn.batch_execute("ANALYZE")?;
    write_data_version(conn, synthetic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_version_depends_on_every_source_but_not_their_order() {
        let a = ("codes".to_owned(), "a.json".to_owned(), "11".repeat(32));
        let b = ("codes".to_owned(), "b.json".to_owned(), "22".repeat(32));
        let v = data_version_of(&[a.clone(), b.clone()]);
        assert_eq!(v.len(), 12);
        assert_eq!(v, data_version_of(&[b.clone(), a.clone()]));
        let changed = ("codes".to_owned(), "b.json".to_owned(), "33".repeat(32));
        assert_ne!(v, data_version_of(&[a.clone(), changed]));
        assert_ne!(v, data_version_of(&[a]));
        assert_eq!(data_version_of(&[]), "empty");
    }
}
