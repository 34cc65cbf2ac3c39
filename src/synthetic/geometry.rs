//! Plausible polygons for every RegSO and DeSO: each kommun (its real boundary) is cut into
//! Voronoi cells around random points, one per RegSO of that kommun; each RegSO cell is cut
//! the same way into its DeSO. The cells tile their container exactly, so areas nest as SCB's
//! do. PostGIS does the geometry, in temporary tables that vanish with the transaction.

use std::collections::BTreeMap;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bytea, Int4, Text};

use crate::domain::geography::Division;
use crate::error::{Error, Result};
use crate::geo::{wkb, MultiPolygon};

/// Creates the work tables (dropped at the end of the transaction).
pub fn prepare(conn: &mut PgConnection) -> Result<()> {
    conn.batch_execute(
        "CREATE TEMP TABLE syn_container (
             id serial PRIMARY KEY, division text NOT NULL, codes text[] NOT NULL, geom geometry NOT NULL
         ) ON COMMIT DROP;
         CREATE TEMP TABLE syn_cell (
             division text NOT NULL, code text NOT NULL, geom geometry NOT NULL, PRIMARY KEY (division, code)
         ) ON COMMIT DROP;",
    )?;
    Ok(())
}

/// Adds containers given as WGS 84 (`srid` 4326) or SWEREF 99 TM polygons.
pub fn add_containers(
    conn: &mut PgConnection,
    division: Division,
    srid: i32,
    containers: &[(Vec<String>, &MultiPolygon)],
) -> Result<()> {
    diesel::sql_query(
        "INSERT INTO syn_container (division, codes, geom)
         SELECT $1, string_to_array(c, ','),
                ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Transform(ST_SetSRID(ST_GeomFromWKB(w), $4), 3006)), 3))
         FROM unnest($2::text[], $3::bytea[]) AS t(c, w)",
    )
    .bind::<Text, _>(division.id())
    .bind::<Array<Text>, _>(containers.iter().map(|(c, _)| c.join(",")).collect::<Vec<_>>())
    .bind::<Array<Bytea>, _>(containers.iter().map(|(_, g)| wkb::write_multipolygon(g)).collect::<Vec<_>>())
    .bind::<Int4, _>(srid)
    .execute(conn)?;
    Ok(())
}

/// Containers made of cells already cut: `groups` maps a container division's cell code to the
/// codes of the finer division to cut it into.
pub fn add_cell_containers(
    conn: &mut PgConnection,
    from_division: Division,
    division: Division,
    groups: &BTreeMap<String, Vec<String>>,
) -> Result<()> {
    diesel::sql_query(
        "INSERT INTO syn_container (division, codes, geom)
         SELECT $2, string_to_array(t.members, ','), c.geom
         FROM unnest($3::text[], $4::text[]) AS t(parent, members)
         JOIN syn_cell c ON c.division = $1 AND c.code = t.parent",
    )
    .bind::<Text, _>(from_division.id())
    .bind::<Text, _>(division.id())
    .bind::<Array<Text>, _>(groups.keys().collect::<Vec<_>>())
    .bind::<Array<Text>, _>(groups.values().map(|m| m.join(",")).collect::<Vec<_>>())
    .execute(conn)?;
    Ok(())
}

/// Cuts every container of `division` into one cell per code.
///
/// With `vertices` > 0 the straight Voronoi edges are bent into borders of about that many
/// vertices per cell, as real ones have (SCB's RegSO have a median of about 450): every edge is
/// cut into segments of a length fixed per container, so that the two cells sharing an edge cut
/// it alike, and each vertex is moved by a smooth displacement field of the plane. The field is
/// the same for every cell, so shared vertices move together and the cells still tile their
/// container; its slope stays well under 1, so no cell folds over itself.
pub fn partition(
    conn: &mut PgConnection,
    division: Division,
    seed: u64,
    vertices: u32,
) -> Result<()> {
    diesel::sql_query(
        "INSERT INTO syn_cell (division, code, geom)
         WITH seeds AS (
             SELECT c.id, d.path[1] AS ord, d.geom AS pt
             FROM syn_container c,
                  -- Seeds on the largest part: ST_GeneratePoints spreads points over the parts
                  -- of a multipolygon with rounding, which can miss the count by one.
                  LATERAL (SELECT p.geom FROM ST_Dump(c.geom) p ORDER BY ST_Area(p.geom) DESC LIMIT 1) main,
                  LATERAL ST_Dump(ST_GeneratePoints(main.geom, cardinality(c.codes), $2::int)) d
             WHERE c.division = $1 AND cardinality(c.codes) > 1
         ),
         cells AS (
             SELECT s.id, (ST_Dump(ST_VoronoiPolygons(ST_Collect(s.pt), 0,
                     (SELECT ST_Expand(ST_Envelope(c.geom), 1000) FROM syn_container c WHERE c.id = s.id)))).geom AS cell
             FROM seeds s
             GROUP BY s.id
         ),
         assigned AS (
             SELECT cl.id, s.ord, cl.cell
             FROM cells cl JOIN seeds s ON s.id = cl.id AND ST_Contains(cl.cell, s.pt)
         ),
         points AS (
             -- A cell of area a is roughly a hexagon of perimeter 3.7 sqrt(a).
             SELECT a.id, a.ord, (ST_DumpPoints(ST_Segmentize(ST_ExteriorRing(a.cell),
                        greatest(2.0, 3.7 * sqrt(ST_Area(c.geom) / cardinality(c.codes)) / nullif($3, 0))))) AS dp
             FROM assigned a JOIN syn_container c ON c.id = a.id
             WHERE $3 > 0
         ),
         bent AS (
             SELECT id, ord, ST_MakePolygon(ST_MakeLine(array_agg(ST_SetSRID(ST_MakePoint(
                        ST_X((dp).geom) + 40 * sin(ST_Y((dp).geom) / 300.0) + 6 * sin((ST_X((dp).geom) + ST_Y((dp).geom)) / 37.0),
                        ST_Y((dp).geom) + 40 * cos(ST_X((dp).geom) / 300.0) + 6 * cos((ST_X((dp).geom) - ST_Y((dp).geom)) / 37.0)),
                        3006) ORDER BY (dp).path))) AS cell
             FROM points
             GROUP BY id, ord
             UNION ALL
             SELECT id, ord, cell FROM assigned WHERE $3 = 0
         )
         SELECT $1, c.codes[b.ord],
                ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Intersection(ST_MakeValid(b.cell), c.geom)), 3))
         FROM bent b
         JOIN syn_container c ON c.id = b.id
         UNION ALL
         SELECT $1, codes[1], ST_Multi(ST_CollectionExtract(geom, 3))
         FROM syn_container WHERE division = $1 AND cardinality(codes) = 1",
    )
    .bind::<Text, _>(division.id())
    // Below 2e9, so it fits; the fallback is never taken.
    .bind::<BigInt, _>(i64::try_from(seed % 2_000_000_000).unwrap_or(0) + 1)
    .bind::<Int4, _>(
        i32::try_from(vertices)
            .map_err(|_| Error::Internal(format!("{vertices} vertices per border")))?,
    )
    .execute(conn)?;
    Ok(())
}

/// Copies cells of one division to another under the same codes (RegSO that kept their area).
pub fn copy_cells(
    conn: &mut PgConnection,
    from: Division,
    to: Division,
    codes: &[String],
) -> Result<()> {
    diesel::sql_query(
        "INSERT INTO syn_cell (division, code, geom)
         SELECT $2, code, geom FROM syn_cell WHERE division = $1 AND code = ANY($3::text[])",
    )
    .bind::<Text, _>(from.id())
    .bind::<Text, _>(to.id())
    .bind::<Array<Text>, _>(codes)
    .execute(conn)?;
    Ok(())
}

#[derive(QueryableByName)]
struct Feature {
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = Text)]
    geometry: String,
}

/// The cells of a division as a GeoJSON FeatureCollection in EPSG:3006 (as SCB publishes),
/// coordinates to the decimetre, with `property` holding the code.
pub fn feature_collection(
    conn: &mut PgConnection,
    division: Division,
    property: &str,
) -> Result<(String, usize)> {
    let features = diesel::sql_query(
        "SELECT code, ST_AsGeoJSON(geom, 1) AS geometry FROM syn_cell WHERE division = $1 ORDER BY code",
    )
    .bind::<Text, _>(division.id())
    .load::<Feature>(conn)?;
    let mut out = String::with_capacity(features.iter().map(|f| f.geometry.len() + 80).sum());
    out.push_str(
        "{\"type\":\"FeatureCollection\",\"name\":\"synthetic\",\
         \"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::3006\"}},\"features\":[",
    );
    for (i, f) in features.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            "{{\"type\":\"Feature\",\"properties\":{{\"{property}\":\"{}\",\"synthetic\":true}},\"geometry\":{}}}",
            f.code, f.geometry
        ));
    }
    out.push_str("]}\n");
    Ok((out, features.len()))
}
