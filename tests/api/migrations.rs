//! Migrations up and down, the generated schema, and the server's read-only, time-limited
//! connections.

use actix_web::ResponseError;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use segstat::db;

use crate::support::*;

#[derive(QueryableByName)]
struct One {
    #[diesel(sql_type = Text)]
    value: String,
}

fn text(conn: &mut PgConnection, sql: &str) -> String {
    diesel::sql_query(sql)
        .get_result::<One>(conn)
        .unwrap()
        .value
}

fn table_exists(conn: &mut PgConnection, table: &str) -> bool {
    diesel::select(diesel::dsl::sql::<Bool>(&format!(
        "to_regclass('public.{table}') IS NOT NULL"
    )))
    .get_result(conn)
    .unwrap()
}

#[test]
fn migrations_go_up_down_and_up_again() {
    let db = TestDb::empty();
    let mut conn = db.conn();
    let migration_dirs = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .count();

    let applied = db::migrations::run_pending(&mut conn).unwrap();
    assert_eq!(applied.len(), migration_dirs);
    assert!(db::migrations::is_up_to_date(&mut conn).unwrap());
    for table in ["areas", "datasets", "divisions", "data_state"] {
        assert!(table_exists(&mut conn, table), "{table} after up");
    }
    assert_eq!(
        text(&mut conn, "SELECT postgis_lib_version() AS value")
            .split('.')
            .next(),
        Some("3")
    );
    // Running again is a no-op.
    assert!(db::migrations::run_pending(&mut conn).unwrap().is_empty());

    let reverted = db::migrations::revert_all(&mut conn).unwrap();
    assert_eq!(reverted.len(), migration_dirs);
    assert!(!db::migrations::is_up_to_date(&mut conn).unwrap());
    for table in ["areas", "datasets", "divisions", "data_state"] {
        assert!(!table_exists(&mut conn, table), "{table} after down");
    }

    assert_eq!(
        db::migrations::run_pending(&mut conn).unwrap().len(),
        migration_dirs
    );
    assert!(table_exists(&mut conn, "areas"));
}

#[test]
fn geometry_must_be_valid_multipolygons_in_sweref99() {
    let db = TestDb::migrated();
    let mut conn = db.conn();
    let insert = |code: &str, geom: &str| {
        format!(
            "INSERT INTO areas (division, code, geom, geometry_source, geojson_full,
                                geojson_simplified, geojson_coarse)
             VALUES ('kommun', '{code}', {geom}, 'source', '{{}}', '{{}}', '{{}}')"
        )
    };
    let valid = insert(
        "0180",
        "ST_Multi(ST_MakeEnvelope(670000, 6570000, 680000, 6590000, 3006))",
    );
    conn.batch_execute(&valid).unwrap();
    let bow_tie = insert(
        "0181",
        "ST_Multi(ST_GeomFromText('POLYGON((0 0, 10 10, 10 0, 0 10, 0 0))', 3006))",
    );
    assert!(
        conn.batch_execute(&bow_tie).is_err(),
        "an invalid polygon was stored"
    );
    let wrong_crs = insert(
        "0182",
        "ST_Multi(ST_MakeEnvelope(18, 59, 18.1, 59.1, 4326))",
    );
    assert!(
        conn.batch_execute(&wrong_crs).is_err(),
        "a WGS 84 polygon was stored"
    );
    // Geometry without its ready-to-serve GeoJSON is refused: served data is always complete.
    let half = "INSERT INTO areas (division, code, geom, geometry_source) VALUES
        ('kommun', '0183', ST_Multi(ST_MakeEnvelope(0, 0, 1, 1, 3006)), 'source')";
    assert!(
        conn.batch_execute(half).is_err(),
        "geometry without GeoJSON was stored"
    );
    let bad_code = "INSERT INTO areas (division, code) VALUES ('regso-2020', '0180X036')";
    assert!(
        conn.batch_execute(bad_code).is_err(),
        "a malformed code was stored"
    );
}

#[actix_web::test]
async fn the_server_cannot_write_and_its_queries_are_time_limited() {
    let db = TestDb::migrated();
    let state = segstat::AppState::new(config(&db.url()));
    let mut conn = state.pool.get().unwrap();
    assert_eq!(
        text(&mut conn, "SELECT current_user::text AS value"),
        db::READER_ROLE
    );
    assert_eq!(
        text(
            &mut conn,
            "SELECT current_setting('statement_timeout') AS value"
        ),
        "3s"
    );
    assert_eq!(
        text(
            &mut conn,
            "SELECT current_setting('application_name') AS value"
        ),
        "segstat-serve"
    );
    assert!(conn
        .batch_execute("INSERT INTO datasets (kind, source, checksum, synthetic) VALUES ('x', 'y', repeat('0', 64), true)")
        .is_err());
    // Even leaving the read-only transaction mode, the role has no write grant.
    assert!(conn
        .batch_execute("SET default_transaction_read_only = off; UPDATE data_state SET data_version = 'hacked'")
        .is_err());
    drop(conn);

    // A query that outlives the statement timeout is a 503, and the pool stays usable.
    let slow = db::read(&state.pool, |conn| -> segstat::api_error::ApiResult<()> {
        diesel::sql_query("SELECT pg_sleep(10)").execute(conn)?;
        Ok(())
    });
    let err = within("a query past the statement timeout", slow)
        .await
        .unwrap_err();
    assert_eq!(err.status_code().as_u16(), 503, "{err}");
    let version = db::read(&state.pool, db::data_state::current)
        .await
        .unwrap();
    assert_eq!(version.data_version, "empty");
}

#[test]
fn committed_schema_matches_the_migrations() {
    let template = template();
    let out = std::process::Command::new("diesel")
        .args(["print-schema", "--database-url", &url_for(template)])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("diesel CLI not found; scripts/test.sh installs it (cargo install diesel_cli --no-default-features --features postgres)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let generated = String::from_utf8(out.stdout).unwrap();
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/db/schema.rs")).unwrap();
    assert!(
        generated == committed,
        "src/db/schema.rs is out of date with migrations/: run scripts/gen-schema.sh"
    );
}

#[derive(QueryableByName)]
struct DivisionRow {
    #[diesel(sql_type = Text)]
    id: segstat::domain::geography::Division,
    #[diesel(sql_type = Text)]
    level: segstat::domain::geography::Level,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::SmallInt>)]
    version: Option<i16>,
    #[diesel(sql_type = diesel::sql_types::SmallInt)]
    first_year: i16,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::SmallInt>)]
    last_year: Option<i16>,
}

/// The divisions the migrations seed are the ones `Division` knows, with the same level,
/// version and years, so the text the database holds always reads back into the type.
#[test]
fn the_divisions_table_is_the_division_type() {
    use segstat::domain::geography::Division;
    let db = TestDb::migrated();
    let mut conn = db.conn();
    let rows: Vec<DivisionRow> = diesel::sql_query(
        "SELECT id, level, version, first_year, last_year FROM divisions ORDER BY id",
    )
    .load(&mut conn)
    .unwrap();
    let mut known = Division::ALL.to_vec();
    known.sort();
    assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), known);
    for r in &rows {
        assert_eq!(r.level, r.id.level(), "{}", r.id);
        assert_eq!(r.version.map(|v| v as u16), r.id.version(), "{}", r.id);
        let (from, to) = r.id.years();
        assert_eq!(r.last_year.map(i32::from), to, "{}", r.id);
        if let Some(from) = from {
            assert_eq!(i32::from(r.first_year), from, "{}", r.id);
        }
    }
}
