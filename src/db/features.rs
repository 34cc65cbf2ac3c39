//! Queries behind the OGC API – Features collections: extents and pages of features with their
//! ready-made GeoJSON geometry.

use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Double, Nullable, SmallInt, Text};

use crate::api_error::ParamError;
use crate::domain::cql2::{Expr, Literal, Scalar};
use crate::domain::geography::{Division, Level};
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

impl GeometryLevel {
    /// The names `geometry=` takes, in the order of [`GeometryLevel::ALL`].
    pub const NAMES: &'static [&'static str] =
        &["full", "simplified", "coarse", "centroid", "none"];
    pub const ALL: [GeometryLevel; 5] = [
        GeometryLevel::Full,
        GeometryLevel::Simplified,
        GeometryLevel::Coarse,
        GeometryLevel::Centroid,
        GeometryLevel::None,
    ];

    pub fn parse(name: &str) -> Option<GeometryLevel> {
        let i = GeometryLevel::NAMES.iter().position(|n| *n == name)?;
        GeometryLevel::ALL.get(i).copied()
    }
}

#[derive(Clone, Debug)]
pub struct FeatureQuery {
    pub division: Division,
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
    /// `filter` and `sortby`, compiled: SQL over fixed column expressions with their values
    /// bound as parameters.
    pub compiled: Compiled,
    /// True when `datetime` named an interval without data: nothing matches.
    pub nothing: bool,
}

impl FeatureQuery {
    /// Every area of `division`, unfiltered.
    pub fn of(division: Division) -> FeatureQuery {
        FeatureQuery {
            division,
            code: None,
            municipality: None,
            county: None,
            area_type: None,
            year: None,
            bbox: None,
            bbox_3006: false,
            compiled: Compiled::default(),
            nothing: false,
        }
    }
}

/// A value bound to a numbered parameter.
#[derive(Clone, Debug, PartialEq)]
pub enum Bind {
    Text(String),
    Number(f64),
}

/// The values bound while compiling, in the order of their `$n` (from [`FIRST_EXTRA_PARAM`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SqlPart {
    pub binds: Vec<Bind>,
}

/// A compiled `filter` (a WHERE condition) and `sortby` (ORDER BY keys) and their values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Compiled {
    pub condition: Option<String>,
    pub order: Option<String>,
    pub binds: Vec<Bind>,
}

/// The first parameter number after those of the fixed filter.
pub const FIRST_EXTRA_PARAM: usize = 9;

/// What a queryable property holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    Integer,
    Number,
}

impl Kind {
    pub fn json_type(self) -> &'static str {
        match self {
            Kind::Text => "string",
            Kind::Integer => "integer",
            Kind::Number => "number",
        }
    }
}

/// The area properties `filter` and `sortby` may name: name, kind, SQL column expression (a
/// fixed string), whether it needs `year`, and at which levels it has values.
pub const QUERYABLES: &[(&str, Kind, &str, bool, &[Level])] = &[
    (
        "code",
        Kind::Text,
        "a.code",
        false,
        &[Level::Lan, Level::Kommun, Level::Regso, Level::Deso],
    ),
    (
        "name",
        Kind::Text,
        "a.name",
        false,
        &[Level::Lan, Level::Kommun, Level::Regso, Level::Deso],
    ),
    (
        "county_code",
        Kind::Text,
        "a.county_code",
        false,
        &[Level::Lan, Level::Kommun, Level::Regso, Level::Deso],
    ),
    (
        "municipality_code",
        Kind::Text,
        "a.municipality_code",
        false,
        &[Level::Kommun, Level::Regso, Level::Deso],
    ),
    (
        "regso_code",
        Kind::Text,
        "a.regso_code",
        false,
        &[Level::Deso],
    ),
    (
        "area_type",
        Kind::Integer,
        "t.area_type",
        true,
        &[Level::Regso, Level::Deso],
    ),
    (
        "socioeconomic_index",
        Kind::Number,
        "t.socioeconomic_index",
        true,
        &[Level::Regso, Level::Deso],
    ),
];

/// Turns requested property names into SQL, given the indicator ids that exist.
pub struct Compiler<'a> {
    pub division: Division,
    pub indicators: &'a [String],
    pub has_year: bool,
    pub part: SqlPart,
}

impl Compiler<'_> {
    fn param(&mut self, b: Bind) -> String {
        let cast = match b {
            Bind::Text(_) => "text",
            Bind::Number(_) => "float8",
        };
        self.part.binds.push(b);
        format!("${}::{cast}", FIRST_EXTRA_PARAM - 1 + self.part.binds.len())
    }

    fn known(&self) -> String {
        let level = self.division.level();
        let mut names: Vec<&str> = QUERYABLES
            .iter()
            .filter(|q| q.4.contains(&level))
            .map(|q| q.0)
            .collect();
        names.extend(self.indicators.iter().map(String::as_str));
        names.join(", ")
    }

    /// The SQL expression and kind of a property, or why it cannot be used.
    pub fn property(&mut self, name: &str) -> std::result::Result<(String, Kind), String> {
        let level = self.division.level();
        let needs_year = |what: &str| format!("{what} needs year= (or datetime=)");
        if let Some(q) = QUERYABLES
            .iter()
            .find(|q| q.0 == name && q.4.contains(&level))
        {
            if q.3 && !self.has_year {
                return Err(needs_year(name));
            }
            return Ok((q.2.to_owned(), q.1));
        }
        if self.indicators.iter().any(|i| i == name) {
            if !self.has_year {
                return Err(needs_year(name));
            }
            let id = self.param(Bind::Text(name.to_owned()));
            return Ok((
                format!(
                    "(SELECT v.value FROM indicator_values v WHERE v.division = a.division \
                     AND v.code = a.code AND v.year = $6 AND v.breakdown = 'total' AND v.indicator = {id})"
                ),
                Kind::Number,
            ));
        }
        Err(format!(
            "{name:?} is not a queryable property of this collection; known: {}",
            self.known()
        ))
    }

    fn scalar(
        &mut self,
        s: &Scalar,
        want: Option<Kind>,
    ) -> std::result::Result<(String, Option<Kind>), String> {
        match s {
            Scalar::Property { name, at } => {
                let (sql, kind) = self
                    .property(name)
                    .map_err(|e| format!("at character {at}: {e}"))?;
                Ok((sql, Some(kind)))
            }
            Scalar::Literal { value, at } => {
                let (bind, kind) = match value {
                    Literal::Text(t) => (Bind::Text(t.clone()), Kind::Text),
                    Literal::Number(n) => (Bind::Number(*n), Kind::Number),
                };
                let numeric = |k: Kind| k != Kind::Text;
                if let Some(w) = want {
                    if numeric(w) != numeric(kind) {
                        return Err(format!(
                            "at character {at}: a {} is compared with a {}",
                            w.json_type(),
                            if numeric(kind) { "number" } else { "string" }
                        ));
                    }
                }
                Ok((self.param(bind), None))
            }
        }
    }

    /// Compiles operands that must share a kind: properties first, so literals are checked
    /// against them.
    fn operands(&mut self, list: &[&Scalar]) -> std::result::Result<Vec<String>, String> {
        let mut kind: Option<Kind> = None;
        let mut out = vec![String::new(); list.len()];
        for (i, s) in list.iter().enumerate() {
            if let Scalar::Property { at, .. } = s {
                let (sql, k) = self.scalar(s, None)?;
                if let (Some(a), Some(b)) = (kind, k) {
                    if (a == Kind::Text) != (b == Kind::Text) {
                        return Err(format!(
                            "at character {at}: a {} is compared with a {}",
                            a.json_type(),
                            b.json_type()
                        ));
                    }
                }
                kind = kind.or(k);
                out[i] = sql;
            }
        }
        if kind.is_none() {
            let at = match list[0] {
                Scalar::Property { at, .. } | Scalar::Literal { at, .. } => *at,
            };
            return Err(format!(
                "at character {at}: compare a property, not only values"
            ));
        }
        for (i, s) in list.iter().enumerate() {
            if matches!(s, Scalar::Literal { .. }) {
                out[i] = self.scalar(s, kind)?.0;
            }
        }
        Ok(out)
    }

    pub fn expr(&mut self, e: &Expr) -> std::result::Result<String, String> {
        Ok(match e {
            Expr::And(a, b) => format!("({} AND {})", self.expr(a)?, self.expr(b)?),
            Expr::Or(a, b) => format!("({} OR {})", self.expr(a)?, self.expr(b)?),
            Expr::Not(a) => format!("(NOT {})", self.expr(a)?),
            Expr::Bool(b) => b.to_string(),
            Expr::Compare(l, op, r) => {
                let o = self.operands(&[l, r])?;
                format!("({} {} {})", o[0], op.sql(), o[1])
            }
            Expr::In {
                left,
                list,
                negated,
            } => {
                let mut all = vec![left];
                all.extend(list.iter());
                let o = self.operands(&all)?;
                format!(
                    "({} {}IN ({}))",
                    o[0],
                    if *negated { "NOT " } else { "" },
                    o[1..].join(", ")
                )
            }
            Expr::Between {
                left,
                low,
                high,
                negated,
            } => {
                let o = self.operands(&[left, low, high])?;
                format!(
                    "({} {}BETWEEN {} AND {})",
                    o[0],
                    if *negated { "NOT " } else { "" },
                    o[1],
                    o[2]
                )
            }
            Expr::IsNull { left, negated } => {
                let (sql, _) = self.scalar(left, None)?;
                format!("({sql} IS {}NULL)", if *negated { "NOT " } else { "" })
            }
        })
    }
}

/// One key of `sortby`: a property and its direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortKey {
    pub property: String,
    pub descending: bool,
}

/// `filter` and `sortby` compiled for one division into a WHERE condition and ORDER BY keys
/// that share one numbering of bound parameters. Problems name their parameter.
pub fn compile(
    division: Division,
    indicators: &[String],
    has_year: bool,
    filter: Option<&Expr>,
    sortby: &[SortKey],
) -> Result<Compiled, ParamError> {
    let mut c = Compiler {
        division,
        indicators,
        has_year,
        part: SqlPart::default(),
    };
    let condition = match filter {
        None => None,
        Some(e) => Some(c.expr(e).map_err(|m| ParamError::new("filter", m))?),
    };
    let mut keys = Vec::new();
    for k in sortby {
        let (sql, _) = c
            .property(&k.property)
            .map_err(|m| ParamError::new("sortby", m))?;
        let direction = if k.descending { "DESC" } else { "ASC" };
        keys.push(format!("{sql} {direction} NULLS LAST"));
    }
    Ok(Compiled {
        condition,
        order: (!keys.is_empty()).then(|| keys.join(", ")),
        binds: c.part.binds,
    })
}

/// The columns that name an area and say where its geometry came from: what a feature's
/// properties and a download's attributes both start with.
#[derive(Clone, Debug, QueryableByName)]
pub struct AreaColumns {
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
}

#[derive(Clone, Debug, QueryableByName)]
pub struct FeatureRow {
    #[diesel(embed)]
    pub area: AreaColumns,
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

/// Binds the fixed filter's eight values, then the compiled ones, in the order of their `$n`.
fn bind_all<'f>(
    sql: String,
    q: &FeatureQuery,
    bbox: Option<Vec<f64>>,
    srid: i32,
) -> diesel::query_builder::BoxedSqlQuery<'f, diesel::pg::Pg, diesel::query_builder::SqlQuery> {
    let mut query = diesel::sql_query(sql)
        .into_boxed()
        .bind::<Text, _>(q.division.id())
        .bind::<Nullable<Text>, _>(q.code.clone())
        .bind::<Nullable<Text>, _>(q.municipality.clone())
        .bind::<Nullable<Text>, _>(q.county.clone())
        .bind::<Nullable<SmallInt>, _>(q.area_type)
        .bind::<Nullable<SmallInt>, _>(q.year)
        .bind::<Nullable<Array<Double>>, _>(bbox)
        .bind::<diesel::sql_types::Integer, _>(srid);
    for b in &q.compiled.binds {
        query = match b {
            Bind::Text(t) => query.bind::<Text, _>(t.clone()),
            Bind::Number(n) => query.bind::<Double, _>(*n),
        };
    }
    query
}

pub fn features(
    conn: &mut PgConnection,
    q: &FeatureQuery,
    level: GeometryLevel,
    precision: Option<u8>,
    sweref: bool,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<FeatureRow>)> {
    if q.nothing {
        return Ok((0, Vec::new()));
    }
    let condition = q
        .compiled
        .condition
        .as_ref()
        .map_or(String::new(), |c| format!(" AND {c}"));
    let order = q
        .compiled
        .order
        .as_ref()
        .map_or(String::new(), |o| format!("{o}, "));
    let next = FIRST_EXTRA_PARAM + q.compiled.binds.len();
    let sql = format!(
        "SELECT a.code, a.name, a.county_code, a.municipality_code, a.regso_code, a.geometry_source,
                {} AS geometry, t.area_type, t.socioeconomic_index, t.area_type_origin,
                t.index_origin, count(*) OVER () AS matched
         {FILTER}{condition}
         ORDER BY {order}a.code LIMIT ${next} OFFSET ${}",
        geometry_sql(level, precision, sweref),
        next + 1
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
    let rows: Vec<FeatureRow> = bind_all(sql, q, bbox.clone(), srid)
        .bind::<BigInt, _>(limit)
        .bind::<BigInt, _>(offset)
        .load(conn)?;
    let matched = match rows.first() {
        Some(r) => r.matched,
        None => {
            // The sort keys stay in, so every bound parameter is used.
            let sql = format!(
                "SELECT count(*) AS n FROM (SELECT 1 {FILTER}{condition} ORDER BY {order}a.code) s"
            );
            bind_all(sql, q, bbox, srid).get_result::<Count>(conn)?.n
        }
    };
    Ok((matched, rows))
}

/// The latest year in `from..=to` with area types or indicator values for the division.
pub fn latest_year_with_data(
    conn: &mut PgConnection,
    division: Division,
    from: i16,
    to: i16,
) -> Result<Option<i16>> {
    #[derive(QueryableByName)]
    struct Year {
        #[diesel(sql_type = Nullable<SmallInt>)]
        year: Option<i16>,
    }
    Ok(diesel::sql_query(
        "SELECT max(year) AS year FROM (
           (SELECT year FROM area_types WHERE division = $1 AND year BETWEEN $2 AND $3
            ORDER BY year DESC LIMIT 1)
           UNION ALL
           (SELECT year FROM indicator_values WHERE division = $1 AND year BETWEEN $2 AND $3
            ORDER BY year DESC LIMIT 1)) y",
    )
    .bind::<Text, _>(division.id())
    .bind::<SmallInt, _>(from)
    .bind::<SmallInt, _>(to)
    .get_result::<Year>(conn)?
    .year)
}

/// Ids of the indicators with values in the division.
pub fn indicators_of(conn: &mut PgConnection, division: Division) -> Result<Vec<String>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = Text)]
        indicator: String,
    }
    Ok(diesel::sql_query(
        "SELECT indicator FROM indicator_coverage WHERE division = $1 ORDER BY indicator",
    )
    .bind::<Text, _>(division.id())
    .load::<Id>(conn)?
    .into_iter()
    .map(|i| i.indicator)
    .collect())
}

#[derive(Clone, Debug, QueryableByName)]
pub struct Extent {
    #[diesel(sql_type = Text)]
    pub division: Division,
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
    division: Division,
    codes: &[String],
    indicators: &[String],
    year: i16,
) -> Result<Vec<PageValue>> {
    Ok(diesel::sql_query(
        "SELECT code, indicator, value FROM indicator_values
         WHERE division = $1 AND year = $2 AND breakdown = 'total'
           AND indicator = ANY($3) AND code = ANY($4)",
    )
    .bind::<Text, _>(division.id())
    .bind::<SmallInt, _>(year)
    .bind::<Array<Text>, _>(indicators)
    .bind::<Array<Text>, _>(codes)
    .load(conn)?)
}

#[cfg(test)]
#[allow(
    clippy::as_conversions,
    reason = "test arithmetic on small known values"
)]
mod tests {
    use super::*;

    #[test]
    fn geometry_levels_parse_by_their_names() {
        for (name, level) in GeometryLevel::NAMES.iter().zip(GeometryLevel::ALL) {
            assert_eq!(GeometryLevel::parse(name), Some(level));
        }
        assert_eq!(GeometryLevel::NAMES.len(), GeometryLevel::ALL.len());
        assert_eq!(GeometryLevel::parse("Full"), None);
    }
    use crate::domain::cql2::parse;

    fn compiled(division: Division, filter: &str, year: bool) -> Result<Compiled, ParamError> {
        let indicators = vec!["population".to_owned()];
        compile(
            division,
            &indicators,
            year,
            Some(&parse(filter).unwrap()),
            &[],
        )
    }

    #[test]
    fn values_are_bound_never_spliced() {
        let c = compiled(
            Division::Regso2025,
            "population > 5000 AND municipality_code = '0180'' OR 1=1 --'",
            true,
        )
        .unwrap();
        let sql = c.condition.unwrap();
        assert!(!sql.contains("0180") && !sql.contains("--"), "{sql}");
        assert_eq!(
            c.binds,
            [
                Bind::Text("population".into()),
                Bind::Number(5000.0),
                Bind::Text("0180' OR 1=1 --".into())
            ]
        );
        assert!(
            sql.contains("$9::text") && sql.contains("$11::text"),
            "{sql}"
        );
    }

    #[test]
    fn properties_come_from_the_list_with_their_kinds() {
        let problem =
            |division: Division, filter: &str, year: bool| match compiled(division, filter, year) {
                Err(e) => {
                    assert_eq!(e.parameter, "filter");
                    e.detail.clone()
                }
                other => panic!("{other:?}"),
            };
        assert!(problem(Division::Regso2025, "geom = 'x'", true).contains("at character 1"));
        assert!(problem(Division::Regso2025, "code = 1", true).contains("at character 8"));
        assert!(problem(Division::Regso2025, "area_type = 1", false).contains("year"));
        assert!(problem(Division::Lan, "area_type = 1", true).contains("not a queryable"));
        assert!(problem(Division::Regso2025, "1 = 1", true).contains("property"));
        assert!(compiled(
            Division::Regso2025,
            "area_type IN (1,2) AND NOT code IS NULL",
            true
        )
        .is_ok());
        assert!(compiled(Division::Regso2025, "'0180' = municipality_code", false).is_ok());
    }

    #[test]
    fn every_prefix_and_scramble_of_a_filter_is_an_answer_or_a_problem() {
        let filters = [
            "population > 5000 AND municipality_code = '0180'",
            "NOT (area_type IN (1, 2) OR socioeconomic_index BETWEEN -1.5 AND 2e1)",
            "\"code\" IS NOT NULL AND name <> 'O''Brien' AND TRUE",
        ];
        let mut seed: u32 = 7;
        for f in filters {
            let chars: Vec<char> = f.chars().collect();
            let mut inputs: Vec<String> = (0..=chars.len())
                .map(|i| chars[..i].iter().collect())
                .collect();
            for _ in 0..200 {
                let mut c = chars.clone();
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let (i, j) = (
                    (seed >> 8) as usize % c.len(),
                    (seed >> 20) as usize % c.len(),
                );
                c.swap(i, j);
                inputs.push(c.into_iter().collect());
            }
            for input in inputs {
                if let Ok(e) = parse(&input) {
                    let indicators = vec!["population".to_owned()];
                    // Never panics; its only failure is a bad parameter, as its type says.
                    let _ = compile(Division::Regso2025, &indicators, true, Some(&e), &[]);
                }
            }
        }
    }
}
