//! Test support: a real PostgreSQL + PostGIS database per test, cloned from a migrated template,
//! the real application on top of it, and a TCP proxy that can cut the database off.
//!
//! The server to use comes from `TEST_DATABASE_URL` (or `DATABASE_URL`); `scripts/test.sh` starts
//! a throwaway cluster and sets it.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::{test, web};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use sha2::{Digest, Sha256};
use url::Url;

use segstat::{AppState, Config};

pub fn server_url() -> Url {
    let raw = std::env::var("TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .expect(
            "set TEST_DATABASE_URL (or DATABASE_URL) to a PostgreSQL server with PostGIS; \
             scripts/test.sh starts one and sets it",
        );
    Url::parse(&raw).expect("TEST_DATABASE_URL is a URL")
}

pub fn url_for(db: &str) -> String {
    let mut url = server_url();
    url.set_path(&format!("/{db}"));
    url.to_string()
}

fn admin() -> PgConnection {
    PgConnection::establish(&url_for("postgres")).expect("connect to the test server")
}

/// Every file under migrations/, so the template is rebuilt whenever a migration changes.
fn migrations_digest() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<_> = walk(&dir);
    files.sort();
    let mut hash = Sha256::new();
    for f in files {
        hash.update(f.to_string_lossy().as_bytes());
        hash.update(std::fs::read(&f).unwrap());
    }
    hash.finalize()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flat_map(|e| {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p)
            } else {
                vec![p]
            }
        })
        .collect()
}

/// The migrated template every test database is copied from; built once per migration set,
/// under an advisory lock so concurrent test processes do not race.
pub fn template() -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let name = format!("segstat_tpl_{}", migrations_digest());
        let mut conn = admin();
        conn.batch_execute("SELECT pg_advisory_lock(424242)")
            .unwrap();
        let exists: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
            "EXISTS (SELECT 1 FROM pg_database WHERE datname = '{name}')"
        )))
        .get_result(&mut conn)
        .unwrap();
        if !exists {
            drop_matching(&mut conn, "segstat_tpl_%");
            let building = format!("{name}_building");
            conn.batch_execute(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
                .unwrap();
            conn.batch_execute(&format!("CREATE DATABASE {building}"))
                .unwrap();
            {
                let mut db = PgConnection::establish(&url_for(&building)).unwrap();
                segstat::db::migrations::run_pending(&mut db).expect("migrations apply");
            }
            conn.batch_execute(&format!("ALTER DATABASE {building} RENAME TO {name}"))
                .unwrap();
        }
        drop_stale_test_databases(&mut conn);
        conn.batch_execute("SELECT pg_advisory_unlock(424242)")
            .unwrap();
        name
    })
}

/// The bundled data folder of this repository.
pub fn data_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

fn bundled_template() -> &'static str {
    static BUNDLED: OnceLock<String> = OnceLock::new();
    BUNDLED.get_or_init(|| {
        let db = TestDb::migrated();
        {
            let mut conn = db.conn();
            segstat::import::bundled::import(&mut conn, &data_dir())
                .expect("the bundled data imports");
        }
        let name = format!("segstat_bundled_{}", std::process::id());
        admin()
            .batch_execute(&format!("ALTER DATABASE {} RENAME TO {name}", db.name))
            .expect("keep the imported database as a template");
        std::mem::forget(db);
        name
    })
}

/// The seed of the synthetic dataset the tests share.
pub const SYNTHETIC_SEED: u64 = 7;
/// Border vertices per synthetic area in the tests: bent borders as in the benchmarks, but
/// fewer, so the suite stays quick.
pub const SYNTHETIC_VERTICES: u32 = 40;

/// A database with the synthetic dataset imported, and the folder it was generated into; both
/// made once per test process.
pub fn synthetic_template() -> &'static (String, std::path::PathBuf) {
    static SYNTHETIC: OnceLock<(String, std::path::PathBuf)> = OnceLock::new();
    SYNTHETIC.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("segstat-synthetic-{}", std::process::id()));
        let db = TestDb::migrated();
        {
            let mut conn = db.conn();
            segstat::synthetic::generate(
                &mut conn,
                &data_dir(),
                &dir,
                SYNTHETIC_SEED,
                SYNTHETIC_VERTICES,
            )
            .expect("the synthetic dataset generates");
            segstat::import::manifest::import(&mut conn, &dir, &segstat::synthetic::manifest())
                .expect("the synthetic dataset imports");
        }
        let name = format!("segstat_bundled_{}_synthetic", std::process::id());
        admin()
            .batch_execute(&format!("ALTER DATABASE {} RENAME TO {name}", db.name))
            .expect("keep the imported database as a template");
        std::mem::forget(db);
        (name, dir)
    })
}

#[derive(QueryableByName)]
struct Datname {
    #[diesel(sql_type = diesel::sql_types::Text)]
    datname: String,
}

fn databases_like(conn: &mut PgConnection, pattern: &str) -> Vec<String> {
    diesel::sql_query(format!(
        "SELECT datname FROM pg_database WHERE datname LIKE '{pattern}'"
    ))
    .load::<Datname>(conn)
    .unwrap()
    .into_iter()
    .map(|d| d.datname)
    .collect()
}

fn drop_matching(conn: &mut PgConnection, pattern: &str) {
    for name in databases_like(conn, pattern) {
        let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    }
}

/// Databases and folders left by test processes that have ended.
fn drop_stale_test_databases(conn: &mut PgConnection) {
    if let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(pid) = name.strip_prefix("segstat-synthetic-") {
                if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
    }
    let mut names = databases_like(conn, "segstat_test_%");
    names.extend(databases_like(conn, "segstat_bundled_%"));
    for name in names {
        let pid = name.split('_').nth(2).unwrap_or("");
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// A database of the test's own, dropped when the test ends.
pub struct TestDb {
    pub name: String,
}

impl TestDb {
    /// A migrated database (a copy of the template).
    pub fn migrated() -> TestDb {
        let template = template();
        TestDb::create(&format!("TEMPLATE {template}"))
    }

    /// A migrated database with the real bundled dataset imported (a copy of a database
    /// imported once per test process).
    pub fn bundled() -> TestDb {
        TestDb::create(&format!(
            "TEMPLATE {} STRATEGY FILE_COPY",
            bundled_template()
        ))
    }

    /// A migrated database with the synthetic national dataset (seed 7) imported.
    pub fn synthetic() -> TestDb {
        TestDb::create(&format!(
            "TEMPLATE {} STRATEGY FILE_COPY",
            synthetic_template().0
        ))
    }

    /// An empty database with nothing in it, not even PostGIS.
    pub fn empty() -> TestDb {
        TestDb::create("")
    }

    fn create(clause: &str) -> TestDb {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        // Copies of one template are made one at a time: PostgreSQL refuses a copy while
        // another session is connected to the template.
        static CREATING: Mutex<()> = Mutex::new(());
        let name = format!(
            "segstat_test_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let _guard = CREATING.lock().unwrap_or_else(|e| e.into_inner());
        admin()
            .batch_execute(&format!("CREATE DATABASE {name} {clause}"))
            .expect("create the test database");
        TestDb { name }
    }

    pub fn url(&self) -> String {
        url_for(&self.name)
    }

    /// A writing connection, for a test to set up its data.
    pub fn conn(&self) -> PgConnection {
        PgConnection::establish(&self.url()).expect("connect to the test database")
    }

    pub fn execute(&self, sql: &str) {
        self.conn().batch_execute(sql).expect(sql);
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = admin().batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ));
    }
}

/// The configuration a test server runs with: small pool, short waits.
pub fn config(database_url: &str) -> Config {
    config_with(database_url, &[])
}

/// The test configuration with some settings replaced.
pub fn config_with(database_url: &str, settings: &[(&str, &str)]) -> Config {
    let url = database_url.to_owned();
    let settings: Vec<(String, String)> = settings
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_lookup(move |name| {
        if let Some((_, v)) = settings.iter().find(|(k, _)| k == name) {
            return Some(v.clone());
        }
        match name {
            "DATABASE_URL" => Some(url.clone()),
            "SEGSTAT_POOL_SIZE" => Some("3".into()),
            "SEGSTAT_POOL_TIMEOUT_MS" => Some("500".into()),
            "SEGSTAT_STATEMENT_TIMEOUT_MS" => Some("3000".into()),
            "SEGSTAT_CACHE_MAX_AGE" => Some("60".into()),
            _ => None,
        }
    })
    .expect("test configuration is valid")
}

/// The real application, as `serve` builds it, on the given database.
pub async fn app_for(
    database_url: &str,
) -> impl Service<
    actix_http::Request,
    Response = ServiceResponse<impl MessageBody>,
    Error = actix_web::Error,
> {
    app_with(config(database_url)).await
}

/// The real application with a configuration of the test's own.
pub async fn app_with(
    config: Config,
) -> impl Service<
    actix_http::Request,
    Response = ServiceResponse<impl MessageBody>,
    Error = actix_web::Error,
> {
    let state = web::Data::new(AppState::new(config));
    test::init_service(segstat::app::app(state)).await
}

pub struct Answer {
    pub status: u16,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: web::Bytes,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        // A caller that wants a server error's problem body says so with `problem(status)`.
        assert!(
            self.status < 500,
            "server error {}: {}",
            self.status,
            String::from_utf8_lossy(&self.body)
        );
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts an RFC 9457 problem with this status and returns its document.
    pub fn problem(&self, status: u16) -> serde_json::Value {
        assert_eq!(self.status, status, "body: {}", self.text());
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json")
        );
        let doc: serde_json::Value = serde_json::from_slice(&self.body).unwrap();
        assert_eq!(doc["status"], status);
        assert!(doc["title"].is_string() && doc["detail"].is_string());
        // The type is a page on this server, never `about:blank`; the instance is the request.
        let problem_type = doc["type"].as_str().unwrap_or_default();
        assert!(
            problem_type.starts_with("http") && problem_type.contains("/v1/problems/"),
            "{doc}"
        );
        assert!(
            doc["instance"].as_str().is_some_and(|i| i.starts_with('/')),
            "{doc}"
        );
        doc
    }

    /// The parameters a 400 problem names.
    pub fn bad_parameters(&self) -> Vec<String> {
        let doc = self.problem(400);
        doc["errors"]
            .as_array()
            .expect("a 400 lists its errors")
            .iter()
            .map(|e| e["parameter"].as_str().unwrap().to_owned())
            .collect()
    }
}

pub async fn send<S, B>(app: &S, req: test::TestRequest) -> Answer
where
    S: TestApp<B>,
    B: MessageBody,
{
    let res = test::call_service(app, req.to_request()).await;
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let body = test::read_body(res).await;
    Answer {
        status,
        headers,
        body,
    }
}

/// The app under test as actix's test service: what every request helper takes, named once.
pub trait TestApp<B>:
    Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>
{
}

impl<S, B> TestApp<B> for S where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>
{
}

pub async fn get<S, B>(app: &S, uri: &str) -> Answer
where
    S: TestApp<B>,
    B: MessageBody,
{
    send(app, test::TestRequest::get().uri(uri)).await
}

/// A TCP proxy in front of the test database that can be switched off and on, to test what
/// the server does while the database is unreachable.
pub struct DbProxy {
    pub port: u16,
    up: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

enum Upstream {
    Tcp(String),
    Unix(String),
}

impl Upstream {
    fn of(url: &Url) -> Upstream {
        let port = url.port().unwrap_or(5432);
        if let Some((_, dir)) = url.query_pairs().find(|(k, _)| k == "host") {
            if dir.starts_with('/') {
                return Upstream::Unix(format!("{dir}/.s.PGSQL.{port}"));
            }
            return Upstream::Tcp(format!("{dir}:{port}"));
        }
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .unwrap_or("localhost");
        Upstream::Tcp(format!("{host}:{port}"))
    }
}

fn pipe(mut from: impl Read, mut to: impl Write, done: impl FnOnce()) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    done();
}

impl DbProxy {
    pub fn start() -> DbProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let upstream = Arc::new(Upstream::of(&server_url()));
        let (up2, open2) = (up.clone(), open.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if !up2.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                open2.lock().unwrap().push(client.try_clone().unwrap());
                let client_r = client.try_clone().unwrap();
                let client_w = client;
                match &*upstream {
                    Upstream::Tcp(addr) => {
                        let Ok(server) = TcpStream::connect(addr) else {
                            continue;
                        };
                        let server_r = server.try_clone().unwrap();
                        let (c, s) = (client_r.try_clone().unwrap(), server.try_clone().unwrap());
                        std::thread::spawn(move || {
                            pipe(client_r, server, move || {
                                let _ = s.shutdown(Shutdown::Both);
                            })
                        });
                        std::thread::spawn(move || {
                            pipe(server_r, client_w, move || {
                                let _ = c.shutdown(Shutdown::Both);
                            })
                        });
                    }
                    Upstream::Unix(path) => {
                        let Ok(server) = UnixStream::connect(path) else {
                            continue;
                        };
                        let server_r = server.try_clone().unwrap();
                        let (c, s) = (client_r.try_clone().unwrap(), server.try_clone().unwrap());
                        std::thread::spawn(move || {
                            pipe(client_r, server, move || {
                                let _ = s.shutdown(Shutdown::Both);
                            })
                        });
                        std::thread::spawn(move || {
                            pipe(server_r, client_w, move || {
                                let _ = c.shutdown(Shutdown::Both);
                            })
                        });
                    }
                }
            }
        });
        DbProxy { port, up, open }
    }

    /// The URL of `db` reached through this proxy.
    pub fn url_for(&self, db: &str) -> String {
        let mut url = server_url();
        url.set_path(&format!("/{db}"));
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != "host" && k != "port")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.set_query(None);
        for (k, v) in pairs {
            url.query_pairs_mut().append_pair(&k, &v);
        }
        url.set_host(Some("127.0.0.1")).unwrap();
        url.set_port(Some(self.port)).unwrap();
        url.to_string()
    }

    /// Cuts every open connection and refuses new ones, as a crashed database would.
    pub fn down(&self) {
        self.up.store(false, Ordering::SeqCst);
        for s in self.open.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    pub fn up(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// Guards a request that must answer, so a regression shows as a failure, not a hung suite.
pub async fn within<T>(what: &str, fut: impl std::future::Future<Output = T>) -> T {
    actix_web::rt::time::timeout(Duration::from_secs(60), fut)
        .await
        .unwrap_or_else(|_| panic!("{what} did not answer within 60 s"))
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The real `segstat serve` on a free TCP port, for clients that only speak HTTP; killed on drop.
pub struct Served {
    pub bind: String,
    process: std::process::Child,
}

impl Served {
    pub fn start(db: &TestDb) -> Served {
        let bind = format!("127.0.0.1:{}", free_port());
        let process = std::process::Command::new(env!("CARGO_BIN_EXE_segstat"))
            .arg("serve")
            .env("DATABASE_URL", db.url())
            .env("SEGSTAT_BIND", &bind)
            .env("SEGSTAT_RATE_LIMIT", "0")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let served = Served { bind, process };
        let ready = (0..100).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(100));
            segstat::server::healthcheck(&format!("http://{}/ready", served.bind)).is_ok()
        });
        assert!(ready, "the server never became ready");
        served
    }

    pub fn landing(&self) -> String {
        format!("http://{}/v1", self.bind)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// What a client command printed, stdout then stderr.
pub fn output_of(o: std::io::Result<std::process::Output>, client: &str) -> String {
    let o =
        o.unwrap_or_else(|e| panic!("{client} could not run ({e}); scripts/test.sh installs it"));
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
