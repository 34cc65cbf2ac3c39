//! The server under pressure: more requests than connections, queries past the statement
//! timeout, and imports (failing or succeeding) while requests keep coming.

use std::time::Duration;

use futures_util::future::join_all;

use crate::import::{broken_data, real, replace_once};
use crate::support::*;

#[actix_web::test]
async fn more_requests_than_connections_get_prompt_503s_and_the_server_recovers() {
    let db = TestDb::bundled();
    let app = app_with(config_with(
        &db.url(),
        &[
            ("SEGSTAT_POOL_SIZE", "1"),
            ("SEGSTAT_POOL_TIMEOUT_MS", "200"),
            ("SEGSTAT_STATEMENT_TIMEOUT_MS", "1000"),
            ("SEGSTAT_CACHE_MB", "0"),
        ],
    ))
    .await;
    assert_eq!(get(&app, "/v1/meta").await.status, 200);
    // Another session takes a lock every data query waits for: the pool's one connection is
    // held until its statement times out, and the other requests find no connection.
    let mut blocker = db.conn();
    use diesel::connection::SimpleConnection;
    blocker
        .batch_execute("BEGIN; LOCK TABLE data_state IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    let uris = [
        "/v1/data?indicator=population&area=0180&latest=1",
        "/v1/areas?level=kommun",
        "/v1/indicators",
        "/v1/meta",
        "/v1/areas/0180",
        "/v1/municipalities/0180/summary",
    ];
    let answers = within(
        "six requests with the database locked",
        join_all(uris.iter().map(|u| get(&app, u))),
    )
    .await;
    blocker.batch_execute("ROLLBACK").unwrap();
    let mut details = Vec::new();
    for (uri, answer) in uris.iter().zip(&answers) {
        let problem = answer.problem(503);
        assert!(answer.header("retry-after").is_some(), "{uri}");
        details.push(problem["detail"].as_str().unwrap().to_owned());
    }
    assert!(
        details.iter().any(|d| d.contains("no database connection")),
        "none waited for the pool in vain: {details:?}"
    );
    assert!(
        details.iter().any(|d| d.contains("too slow")),
        "none hit the statement timeout: {details:?}"
    );
    // The held connection was given back healthy: everything answers again.
    for uri in uris {
        let answer = get(&app, uri).await;
        assert_eq!(answer.status, 200, "{uri}: {}", answer.text());
    }
    assert_eq!(get(&app, "/ready").await.status, 200);
}

/// Upplands Väsby's RegSO per area type in 2022, with the data version it was read from.
async fn vasby_2022<S, B>(app: &S) -> (String, Vec<i64>)
where
    S: TestApp<B>,
    B: actix_web::body::MessageBody,
{
    let answer = get(app, "/v1/municipalities/0114/summary").await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let doc = answer.json();
    let version = doc["data_version"].as_str().unwrap().to_owned();
    assert_eq!(
        answer.header("data-version"),
        Some(version.as_str()),
        "the header and the body name different versions"
    );
    let year = doc["years"]
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["year"] == 2022)
        .expect("2022");
    let counts = year["regso_by_type"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_i64().unwrap())
        .collect();
    (version, counts)
}

/// Runs `import` on another thread while the app answers requests, and returns every answer.
async fn answers_during<S, B>(
    app: &S,
    import: impl FnOnce() + Send + 'static,
) -> Vec<(String, Vec<i64>)>
where
    S: TestApp<B>,
    B: actix_web::body::MessageBody,
{
    let worker = std::thread::spawn(import);
    let mut seen = Vec::new();
    while !worker.is_finished() {
        seen.push(vasby_2022(app).await);
        actix_web::rt::time::sleep(Duration::from_millis(5)).await;
    }
    worker.join().expect("the import thread");
    seen.push(vasby_2022(app).await);
    seen
}

#[actix_web::test]
async fn imports_under_load_switch_whole_or_not_at_all() {
    let db = TestDb::bundled();
    let app = app_with(config_with(&db.url(), &[("SEGSTAT_CACHE_MB", "0")])).await;
    let (old_version, old_counts) = vasby_2022(&app).await;
    let types = "scb/regso_omradestyp_2022.csv";
    let first_row = "Upplands Väsby (Bollstanäs),4\r\n";

    // An import that fails after it has written to other tables: nobody sees any of it.
    let deso = "boundaries/deso2018_uppsala_lan_sweref99tm.geojson";
    let url = db.url();
    let seen = answers_during(&app, move || {
        let (_dir, path) = broken_data(
            deso,
            replace_once(
                &real(deso),
                "\"desokod\": \"0305A0010\"",
                "\"desokod\": \"0305A0019\"",
            ),
        );
        let mut conn = segstat::db::connect_writer(&url).unwrap();
        segstat::import::bundled::import(&mut conn, &path).expect_err("the broken import fails");
    })
    .await;
    assert!(seen.len() > 1, "no request ran during the import");
    for (version, counts) in &seen {
        assert_eq!((version, counts), (&old_version, &old_counts));
    }

    // An import that succeeds: each answer is wholly the old data or wholly the new, and once
    // the new is seen the old never comes back.
    let url = db.url();
    let seen = answers_during(&app, move || {
        let (_dir, path) = broken_data(
            types,
            replace_once(&real(types), first_row, "Upplands Väsby (Bollstanäs),5\r\n"),
        );
        let mut conn = segstat::db::connect_writer(&url).unwrap();
        segstat::import::bundled::import(&mut conn, &path).expect("the changed files import");
    })
    .await;
    let mut new_counts = old_counts.clone();
    new_counts[3] -= 1;
    new_counts[4] += 1;
    let (new_version, _) = seen.last().unwrap().clone();
    assert_ne!(new_version, old_version);
    let mut switched = false;
    for (version, counts) in &seen {
        if *version == old_version {
            assert!(!switched, "the old version came back after the new one");
            assert_eq!(counts, &old_counts);
        } else {
            switched = true;
            assert_eq!(version, &new_version);
            assert_eq!(counts, &new_counts, "version {version} with other data");
        }
    }
}
