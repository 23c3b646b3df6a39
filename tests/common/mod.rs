//! The one way integration tests start Felsök: the real application on port 0 with a fresh
//! database of its own, SQLite or PostgreSQL.
#![allow(dead_code)] // each test binary uses its own part of the helpers

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use felsok::classifier::{Classifier, ModelPaths};
use felsok::config::ServeSettings;
use felsok::startup::Application;
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use sqlx::Connection;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Where every test keeps sentence vectors, the test process and the `felsok` processes it
/// starts alike: the guides and the training data are encoded once for all the test
/// binaries, and the developer's own `data/cache` is left alone.
pub const TEST_CACHE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/target/cache");

/// The PostgreSQL server tests create their databases on. CI provides it; a missing server
/// fails the tests rather than skipping them.
pub fn postgres_admin_url() -> String {
    std::env::var("FELSOK_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database that exists for one test only.
pub struct TestDatabase {
    pub url: String,
    pg_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    pub async fn create(backend: Backend) -> Self {
        if std::env::var_os("TEST_LOG").is_some() {
            felsok::telemetry::init(felsok::config::LogFormat::Text);
        }
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let path: PathBuf = dir.path().join("felsok.db");
                Self {
                    url: format!("sqlite://{}", path.display()),
                    pg_name: None,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => {
                let name = format!("felsok_test_{}", uuid::Uuid::new_v4().simple());
                let admin = postgres_admin_url();
                let mut conn = sqlx::PgConnection::connect(&admin)
                    .await
                    .unwrap_or_else(|e| panic!("PostgreSQL at {admin} is required: {e}"));
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
                Self {
                    url: format!("{base}/{name}"),
                    pg_name: Some(name),
                    _dir: None,
                }
            }
        }
    }

    /// Like [`TestDatabase::create`], but already migrated and holding the committed guides,
    /// as the service leaves a database on its first start with default settings.
    ///
    /// On PostgreSQL each test's database is a copy of one template per test process, made by
    /// such a first start: migrating and importing every guide takes PostgreSQL about a
    /// second, which every test paid. SQLite does both in a fraction of that.
    pub async fn prepared(backend: Backend) -> Self {
        if backend == Backend::Sqlite {
            return Self::create(backend).await;
        }
        let template = postgres_template().await;
        let name = format!("felsok_test_{}", uuid::Uuid::new_v4().simple());
        let admin = postgres_admin_url();
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {admin} is required: {e}"));
        let started = std::time::Instant::now();
        // The template's last connections may still be closing right after it was made.
        while let Err(e) = sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .execute(&mut conn)
            .await
        {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "copy the template database: {e}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
        Self {
            url: format!("{base}/{name}"),
            pg_name: Some(name),
            _dir: None,
        }
    }

    /// The same database for a second replica; the original stays its owner.
    pub fn share(&self) -> Self {
        Self {
            url: self.url.clone(),
            pg_name: None,
            _dir: None,
        }
    }

    pub async fn drop_database(&self) {
        if let Some(name) = &self.pg_name {
            if let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_admin_url()).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await;
            }
        }
    }
}

/// This test process's template database: made once, by the service's own first start, and
/// named after the process so that templates of processes that have ended can be dropped.
async fn postgres_template() -> &'static str {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            drop_templates_of_ended_processes().await;
            let name = format!("felsok_template_{}", std::process::id());
            let admin = postgres_admin_url();
            let mut conn = sqlx::PgConnection::connect(&admin)
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL at {admin} is required: {e}"));
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)
                .await
                .expect("drop an old template");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .expect("create the template database");
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            let db = TestDatabase {
                url: format!("{base}/{name}"),
                pg_name: None,
                _dir: None,
            };
            // The first start migrates and imports; stopping closes every connection.
            spawn_app_on(db, |_| {}).await.stop().await;
            name
        })
        .await
}

async fn drop_templates_of_ended_processes() {
    let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_admin_url()).await else {
        return;
    };
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT datname FROM pg_database WHERE datname LIKE 'felsok_template_%'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap_or_default();
    for name in names {
        let pid = name.trim_start_matches("felsok_template_");
        if !Path::new("/proc").join(pid).exists() {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)
                .await;
        }
    }
}

/// A running application and an HTTP client for it.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: Client,
    pub db: TestDatabase,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
}

/// The application with default settings on a fresh database of its own, already migrated and
/// holding the committed guides (on PostgreSQL a copy of this process's template).
pub async fn spawn_app(backend: Backend) -> TestApp {
    let db = TestDatabase::prepared(backend).await;
    spawn_app_on(db, |_| {}).await
}

/// The real model, loaded once per test process (importing the encoder on first use).
pub fn classifier() -> Classifier {
    static CLASSIFIER: OnceLock<Classifier> = OnceLock::new();
    CLASSIFIER
        .get_or_init(|| {
            let paths = ModelPaths::new(concat!(env!("CARGO_MANIFEST_DIR"), "/models"));
            let classifier = Classifier::load(&paths).expect("the model loads");
            // Every test binary imports the same guides: the first to run encodes them, the
            // rest, and the servers they start, read the vectors back.
            let vectors = Path::new(TEST_CACHE_DIR).join("guide-vectors.bin");
            classifier.keep_guide_vectors_in(&vectors, &paths.encoder_dir());
            classifier
        })
        .clone()
}

/// The shipped company profile (`knowledge/company.yaml`) with some facts set, written to a
/// file of its own for `settings.company_profile`. Each change replaces the first line equal
/// to its left side: `("  my_pages: null", "  my_pages: https://…")`.
pub struct CompanyProfileFile {
    pub path: PathBuf,
    _dir: tempfile::TempDir,
}

pub fn company_profile(changes: &[(&str, &str)]) -> CompanyProfileFile {
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/knowledge/company.yaml");
    let mut lines: Vec<String> = std::fs::read_to_string(shipped)
        .expect("the shipped profile")
        .lines()
        .map(str::to_owned)
        .collect();
    for (from, to) in changes {
        let line = lines
            .iter_mut()
            .find(|l| l.as_str() == *from)
            .unwrap_or_else(|| panic!("no line {from:?} in the shipped profile"));
        *line = (*to).to_owned();
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("company.yaml");
    std::fs::write(&path, lines.join("\n")).expect("profile written");
    CompanyProfileFile { path, _dir: dir }
}

/// Starts the application on an existing database, with settings adjusted by `tweak`.
pub async fn spawn_app_on(db: TestDatabase, tweak: impl FnOnce(&mut ServeSettings)) -> TestApp {
    let mut settings = ServeSettings::for_database(db.url.clone());
    tweak(&mut settings);
    let classifier = tokio::task::spawn_blocking(classifier).await.unwrap();
    let app = Application::build_with(&settings, classifier)
        .await
        .expect("application builds");
    let addr = app.local_addr().expect("bound");
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        app.run_until(async {
            let _ = rx.await;
        })
        .await
        .expect("server runs");
    });
    TestApp {
        addr,
        client: Client::new(),
        db,
        shutdown: Some(tx),
        server: Some(server),
    }
}

/// A conversation as the test client sees it.
pub struct Chat {
    pub id: String,
    pub token: String,
    pub greeting: Value,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Stops the server gracefully and hands back its database, for restart tests.
    pub async fn stop(mut self) -> TestDatabase {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task ends");
        }
        self.db
    }

    /// Stops the server and removes its database.
    pub async fn finish(self) {
        let db = self.stop().await;
        db.drop_database().await;
    }

    pub async fn create(&self, body: Value) -> Response {
        self.client
            .post(self.url("/api/v1/conversations"))
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    pub async fn start_chat(&self, locale: &str) -> Chat {
        self.start_chat_with(json!({ "locale": locale })).await
    }

    /// Starts a conversation with this request body (locale, customer details, …).
    pub async fn start_chat_with(&self, request: Value) -> Chat {
        let response = self.create(request).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        Chat {
            id: body["conversation_id"].as_str().unwrap().to_owned(),
            token: body["token"].as_str().unwrap().to_owned(),
            greeting: body["messages"].clone(),
        }
    }

    /// POSTs `body` as JSON to a staff route with `token`.
    pub async fn post_staff(&self, path: &str, token: &str, body: Value) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    pub async fn post(&self, chat: &Chat, body: Value) -> Response {
        self.post_as(&chat.id, &chat.token, body).await
    }

    pub async fn post_as(&self, id: &str, token: &str, body: Value) -> Response {
        self.client
            .post(self.url(&format!("/api/v1/conversations/{id}/messages")))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    /// Posts and expects 200; returns the reply messages.
    pub async fn say(&self, chat: &Chat, body: Value) -> Vec<Value> {
        let response = self.post(chat, body).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        body["messages"].as_array().unwrap().clone()
    }

    pub async fn read(&self, chat: &Chat) -> Value {
        let response = self
            .client
            .get(self.url(&format!("/api/v1/conversations/{}", chat.id)))
            .bearer_auth(&chat.token)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }
}

impl TestApp {
    /// A staff token with `role`, made the way `felsok token create` makes one.
    pub async fn staff_token(&self, role: felsok::auth::StaffRole, name: &str) -> String {
        staff_token_in(&self.db.url, role, name).await
    }
}

/// A staff token with `role` in the database at `database_url`, made the way
/// `felsok token create` makes one.
pub async fn staff_token_in(
    database_url: &str,
    role: felsok::auth::StaffRole,
    name: &str,
) -> String {
    let store = felsok::storage::Store::connect(database_url, 1)
        .await
        .expect("store");
    let (_, token) = felsok::auth::staff::create_token(&store, role, name)
        .await
        .expect("token");
    store.close().await;
    token.expose().to_owned()
}

/// Starts a Swedish conversation on a server at `base` (another process, say).
pub async fn start_chat_at(client: &Client, base: &str) -> Chat {
    let body: Value = client
        .post(format!("{base}/api/v1/conversations"))
        .json(&json!({"locale": "sv"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Chat {
        id: body["conversation_id"].as_str().unwrap().to_owned(),
        token: body["token"].as_str().unwrap().to_owned(),
        greeting: body["messages"].clone(),
    }
}

/// GETs `url` with a bearer token and returns the JSON body, whatever the status.
pub async fn get_json(client: &Client, url: &str, token: &str) -> Value {
    client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The id of the queued handoff of `chat`, as an agent at `base` finds it in the inbox.
pub async fn queued_handoff_at(client: &Client, base: &str, agent: &str, chat: &Chat) -> String {
    let url = format!("{base}/api/v1/agent/handoffs?status=queued");
    let list = get_json(client, &url, agent).await;
    list["handoffs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["conversation_id"] == chat.id.as_str())
        .expect("the handoff is listed")["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The ids of a message's action buttons, in order.
pub fn action_ids(message: &Value) -> Vec<String> {
    message["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Asserts the contract's error form and returns the error code.
pub async fn error_code(response: Response, status: StatusCode) -> String {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.expect("error body is JSON");
    let code = body["error"]["code"]
        .as_str()
        .expect("error.code")
        .to_owned();
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    code
}

/// The one way a test runs on both storage engines: `<scenario>::sqlite` and
/// `<scenario>::postgres`. A scenario is an `async fn(&TestApp)` on an app with default
/// settings, or, after `engine:`, an `async fn(Backend)` that sets up what it needs itself
/// (child processes, a database shared by two apps).
#[macro_export]
macro_rules! on_both_engines {
    (engine: $($scenario:ident),* $(,)?) => {
        $(
            mod $scenario {
                use super::*;

                #[tokio::test]
                async fn sqlite() {
                    super::$scenario(Backend::Sqlite).await;
                }

                #[tokio::test]
                async fn postgres() {
                    super::$scenario(Backend::Postgres).await;
                }
            }
        )*
    };
    ($($scenario:ident),* $(,)?) => {
        $(
            mod $scenario {
                use super::*;

                #[tokio::test]
                async fn sqlite() {
                    let app = spawn_app(Backend::Sqlite).await;
                    super::$scenario(&app).await;
                    app.finish().await;
                }

                #[tokio::test]
                async fn postgres() {
                    let app = spawn_app(Backend::Postgres).await;
                    super::$scenario(&app).await;
                    app.finish().await;
                }
            }
        )*
    };
}

/// `felsok serve` as a child process on an ephemeral port.
pub struct ServerProcess {
    pub child: Child,
    pub base: String,
}

impl ServerProcess {
    pub async fn start(database_url: &str, dir: &Path) -> Self {
        Self::start_with(database_url, dir, &[]).await
    }

    /// Like [`ServerProcess::start`], with extra environment variables for the server.
    pub async fn start_with(database_url: &str, dir: &Path, env: &[(&str, &str)]) -> Self {
        let name = uuid::Uuid::new_v4();
        let addr_file = dir.join(format!("addr-{name}"));
        // The log is kept so that a failed start says why.
        let log_path = dir.join(format!("log-{name}"));
        let log = std::fs::File::create(&log_path).expect("log file");
        let mut child = Command::new(env!("CARGO_BIN_EXE_felsok"))
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--database-url",
                database_url,
                "--log-format",
                "text",
            ])
            .arg("--addr-file")
            .arg(&addr_file)
            .env("RUST_LOG", "warn")
            .env("FELSOK_CACHE_DIR", TEST_CACHE_DIR)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("felsok starts");
        let log = || std::fs::read_to_string(&log_path).unwrap_or_default();
        for _ in 0..4800 {
            if let Ok(addr) = std::fs::read_to_string(&addr_file) {
                if !addr.is_empty() {
                    return Self {
                        child,
                        base: format!("http://{addr}"),
                    };
                }
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("felsok exited with {status} before listening:\n{}", log());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        child.kill().ok();
        child.wait().ok();
        panic!("felsok did not start listening within 240 s:\n{}", log());
    }

    pub fn kill_9(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}
pub mod browser;
