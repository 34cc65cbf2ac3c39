//! Whole response bodies, one per endpoint family, on the bundled real data, checked against
//! snapshots (insta) in `tests/api/snapshots/`. The other tests assert the facts they are about;
//! these make sure nothing else in a body changes unnoticed (a field dropped, renamed, reordered,
//! a link or a label changed).
//!
//! Redacted, because they vary per run or per database and not with the code: the data version
//! (wherever it appears, links included: it is a digest of the imported files), the import and
//! update timestamps, and the origin of the links (the test server's host and port). Everything
//! else is kept. Bodies are kept short by asking for little (`limit`, one kommun, coarse
//! geometry, few decimals), never by cutting the body.
//!
//! A changed body fails the test. Review a deliberate change with `cargo insta review` (or run
//! with `INSTA_UPDATE=always` and read the diff of the `.snap` files); under `CI=true` insta
//! never writes a snapshot, so a mismatch or a missing snapshot always fails.

use insta::{assert_json_snapshot, assert_snapshot};
use serde_json::Value;

use crate::support::*;

/// The per-run values of one test database and test server, replaced before the comparison.
struct Volatile {
    data_version: String,
    origin: String,
}

impl Volatile {
    /// Reads the data version from `/v1/meta` and the origin from the landing page's own link.
    async fn of<S, B>(app: &S) -> Volatile
    where
        S: TestApp<B>,
        B: actix_web::body::MessageBody,
    {
        let meta = get(app, "/v1/meta").await.json();
        let data_version = meta["data_version"]
            .as_str()
            .expect("/v1/meta names the data version")
            .to_owned();
        assert!(
            data_version.len() >= 8,
            "a data version long enough to find"
        );
        let landing = get(app, "/v1").await.json();
        let links = landing["links"].as_array().expect("the landing page links");
        let own = links
            .iter()
            .find(|l| l["rel"] == "self")
            .and_then(|l| l["href"].as_str())
            .expect("the landing page links to itself");
        let origin = own
            .split("/v1")
            .next()
            .expect("split yields a first part")
            .to_owned();
        assert!(origin.starts_with("http"), "{own}");
        Volatile {
            data_version,
            origin,
        }
    }

    /// The text with the data version and the origin replaced by placeholders.
    fn scrub_text(&self, text: &str) -> String {
        text.replace(&self.data_version, "[data_version]")
            .replace(&self.origin, "[origin]")
    }

    /// Every string of the document scrubbed, at any depth.
    fn scrub(&self, value: Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.scrub_text(&s)),
            Value::Array(items) => Value::Array(items.into_iter().map(|v| self.scrub(v)).collect()),
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| (self.scrub_text(&k), self.scrub(v)))
                    .collect(),
            ),
            other => other,
        }
    }
}

/// One body checked whole: its snapshot's name, the request, the media type of the answer, and
/// the members that vary per import (timestamps), redacted.
struct Body {
    snapshot: &'static str,
    url: &'static str,
    media_type: &'static str,
    timestamps: &'static [&'static str],
}

const fn body(snapshot: &'static str, url: &'static str, media_type: &'static str) -> Body {
    Body {
        snapshot,
        url,
        media_type,
        timestamps: &[],
    }
}

/// One body per endpoint family, each asking for little so that the whole body stays short.
const BODIES: &[Body] = &[
    body("landing", "/v1", "application/json"),
    Body {
        timestamps: &[".data_updated_at", ".datasets[].imported_at"],
        ..body("meta", "/v1/meta", "application/json")
    },
    body("collection", "/v1/collections/regso-2025", "application/json"),
    body(
        "queryables",
        "/v1/collections/regso-2025/queryables",
        "application/schema+json",
    ),
    body(
        "tilejson",
        "/v1/tiles/regso-2025?year=2024&indicator=population",
        "application/json",
    ),
    body("indicators", "/v1/indicators?theme=economy", "application/json"),
    body("area", "/v1/areas/0180R036", "application/json"),
    Body {
        timestamps: &[".timeStamp"],
        ..body(
            "features",
            "/v1/collections/regso-2025/items?municipality=0480&limit=2&geometry=coarse&precision=3",
            "application/geo+json",
        )
    },
    body(
        "municipality_summary",
        "/v1/municipalities/0480/summary",
        "application/json",
    ),
    Body {
        timestamps: &[".updated"],
        ..body(
            "data_jsonstat",
            "/v1/data?indicator=population&area=0180,1480&year=2024&breakdown=total&f=jsonstat",
            "application/json",
        )
    },
    body(
        "data_csv",
        "/v1/data?indicator=population&area=0180,1480&year=2024&f=csv",
        "text/csv",
    ),
    body(
        "changes",
        "/v1/changes?from_year=2022&to_year=2023&municipality=0480&limit=3",
        "application/json",
    ),
    body(
        "crosswalk",
        "/v1/crosswalk?from=deso-2018&code=0114C1060",
        "application/json",
    ),
];

#[actix_web::test]
async fn each_family_s_body_matches_its_snapshot() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    let volatile = Volatile::of(&app).await;
    for b in BODIES {
        let answer = get(&app, b.url).await;
        assert_eq!(answer.status, 200, "{}: {}", b.url, answer.text());
        let content_type = answer.header("content-type").unwrap_or_default();
        assert!(
            content_type.starts_with(b.media_type),
            "{}: {content_type} is not {}",
            b.url,
            b.media_type
        );
        let mut settings = insta::Settings::clone_current();
        for member in b.timestamps {
            settings.add_redaction(member, "[timestamp]");
        }
        settings.bind(|| {
            if b.media_type == "text/csv" {
                assert_snapshot!(b.snapshot, volatile.scrub_text(&answer.text()));
            } else {
                assert_json_snapshot!(b.snapshot, volatile.scrub(answer.json()));
            }
        });
    }
}

#[actix_web::test]
async fn a_problem_body_matches_its_snapshot() {
    let db = TestDb::bundled();
    let app = app_for(&db.url()).await;
    let volatile = Volatile::of(&app).await;

    let problem = get(
        &app,
        "/v1/data?indicator=population&area=01X0&year=20x4&f=xml",
    )
    .await;
    assert_eq!(problem.status, 400, "{}", problem.text());
    assert_json_snapshot!("problem_400", volatile.scrub(problem.problem(400)));
}
