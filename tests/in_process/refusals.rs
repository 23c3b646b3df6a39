//! What is refused before anything happens (bad bodies, missing tokens, unknown routes) and
//! what only reads, sent straight through the router of one application that the whole test
//! process shares (`tower::ServiceExt::oneshot`): no socket, no server and no database of a
//! test's own, so each of these takes milliseconds instead of an application start.

use std::net::SocketAddr;
use std::sync::LazyLock;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use felsok::auth::StaffRole;
use felsok::config::ServeSettings;
use felsok::startup::Application;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::common::{classifier, staff_token_in, Backend, TestDatabase};
use crate::guide_validation::codes;

const ROUTER_RESTART: &str = include_str!("../../knowledge/guides/router-restart-sv.md");

/// The application every test here talks to, on a runtime of its own: each `#[tokio::test]`
/// has a runtime that ends with it, and the application's tasks and connections must outlive
/// any one test.
struct Shared {
    runtime: tokio::runtime::Runtime,
    router: Router,
    database_url: String,
    _app: Application,
    _db: TestDatabase,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let (app, db) = runtime.block_on(async {
        let db = TestDatabase::prepared(Backend::Sqlite).await;
        let settings = ServeSettings::for_database(db.url.clone());
        let classifier = tokio::task::spawn_blocking(classifier).await.unwrap();
        let app = Application::build_with(&settings, classifier)
            .await
            .expect("application builds");
        (app, db)
    });
    Shared {
        runtime,
        router: app.router(),
        database_url: db.url.clone(),
        _app: app,
        _db: db,
    }
});

/// One request, built like a client would.
struct Call {
    method: Method,
    path: String,
    token: Option<String>,
    body: Option<(&'static str, Vec<u8>)>,
}

fn call(method: Method, path: &str) -> Call {
    Call {
        method,
        path: path.to_owned(),
        token: None,
        body: None,
    }
}

fn get(path: &str) -> Call {
    call(Method::GET, path)
}

fn post(path: &str) -> Call {
    call(Method::POST, path)
}

/// The answer, read whole.
struct Answer {
    status: StatusCode,
    /// `Null` when the body is not JSON.
    body: Value,
}

impl Call {
    fn bearer(mut self, token: &str) -> Self {
        self.token = Some(token.to_owned());
        self
    }

    fn json(self, body: &Value) -> Self {
        self.body("application/json", body.to_string())
    }

    fn body(mut self, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some((content_type, body.into()));
        self
    }

    fn send(self) -> Answer {
        let shared = &*SHARED;
        let mut request = Request::builder().method(self.method).uri(self.path);
        if let Some(token) = &self.token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = match self.body {
            Some((content_type, bytes)) => {
                request = request.header(header::CONTENT_TYPE, content_type);
                Body::from(bytes)
            }
            None => Body::empty(),
        };
        let mut request = request.body(body).expect("a request");
        // What the server adds to every request it accepts.
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40_000))));
        shared.runtime.block_on(async {
            let response = shared
                .router
                .clone()
                .oneshot(request)
                .await
                .expect("the router answers");
            let status = response.status();
            let bytes = response
                .into_body()
                .collect()
                .await
                .expect("the body")
                .to_bytes();
            Answer {
                status,
                body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            }
        })
    }
}

impl Answer {
    /// Asserts the contract's error form and returns the error code.
    fn code(&self, status: StatusCode) -> &str {
        assert_eq!(self.status, status, "{:#}", self.body);
        assert!(self.body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
        self.body["error"]["code"].as_str().expect("error.code")
    }
}

/// A staff token with `role` in the shared application's database, made the way
/// `felsok token create` makes one.
fn staff_token(role: StaffRole, name: &str) -> String {
    let shared = &*SHARED;
    shared
        .runtime
        .block_on(staff_token_in(&shared.database_url, role, name))
}

fn create(body: Value) -> Answer {
    post("/api/v1/conversations").json(&body).send()
}

#[test]
fn bad_conversation_requests_name_every_field() {
    let response = create(json!({"locale": "de", "customer": {"email": "nope", "name": ""}}));
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.body["error"]["code"], "invalid_fields");
    let fields: Vec<&str> = response.body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["locale", "customer.name", "customer.email"]);
    let response = create(json!({"channel": "fax"}));
    assert_eq!(
        response.code(StatusCode::UNPROCESSABLE_ENTITY),
        "unsupported_channel"
    );
    let response = create(json!({"locale": "sv", "colour": "red"}));
    assert_eq!(
        response.code(StatusCode::UNPROCESSABLE_ENTITY),
        "invalid_body"
    );
    let response = create(
        json!({"locale": "sv", "channel": "app", "customer": {"name": "Åsa Öberg", "customer_number": "123 456", "email": "asa@example.se"}}),
    );
    assert_eq!(response.status, StatusCode::CREATED);
}

#[test]
fn unknown_routes_and_methods_answer_in_json() {
    let response = get("/api/v1/nothing").send();
    assert_eq!(response.code(StatusCode::NOT_FOUND), "not_found");
    let response = call(Method::DELETE, "/api/v1/conversations").send();
    assert_eq!(
        response.code(StatusCode::METHOD_NOT_ALLOWED),
        "method_not_allowed"
    );
}

fn validate(token: Option<&str>, body: &Value) -> Answer {
    let request = post("/api/v1/guides/validate").json(body);
    match token {
        Some(token) => request.bearer(token),
        None => request,
    }
    .send()
}

fn validation(token: &str, body: &Value) -> Value {
    let answer = validate(Some(token), body);
    assert_eq!(answer.status, StatusCode::OK);
    answer.body
}

#[test]
fn validating_takes_an_editor_token_and_a_json_body() {
    let agent = staff_token(StaffRole::Agent, "Ali Agent");
    let editor = staff_token(StaffRole::Editor, "Eva Editor");
    let admin = staff_token(StaffRole::Admin, "Ada Admin");
    let body = json!({"source": ROUTER_RESTART});
    let nobody = validate(None, &body);
    assert_eq!(nobody.code(StatusCode::UNAUTHORIZED), "missing_token");
    let agent_call = validate(Some(&agent), &body);
    assert_eq!(agent_call.code(StatusCode::FORBIDDEN), "forbidden");
    validation(&admin, &body);

    let markdown = post("/api/v1/guides/validate")
        .bearer(&editor)
        .body("text/markdown", ROUTER_RESTART)
        .send();
    markdown.code(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let broken_json = post("/api/v1/guides/validate")
        .bearer(&editor)
        .body("application/json", "{\"source\": ")
        .send();
    assert_eq!(broken_json.code(StatusCode::BAD_REQUEST), "malformed_json");
    let unknown_field = validate(Some(&editor), &json!({"source": "x", "colour": "red"}));
    unknown_field.code(StatusCode::UNPROCESSABLE_ENTITY);

    // A source over the parser's limit is a problem to show; one over the body limit is refused.
    let large = format!("{ROUTER_RESTART}{}", "a".repeat(70 * 1024));
    let answer = validation(&editor, &json!({"source": large}));
    assert_eq!(codes(&answer), ["too_large"]);
    let huge = "a".repeat(300 * 1024);
    let refused = validate(Some(&editor), &json!({"source": huge}));
    assert_eq!(
        refused.code(StatusCode::PAYLOAD_TOO_LARGE),
        "payload_too_large"
    );
}

#[test]
fn staff_me_names_the_role_of_the_token_presented() {
    for (role, name, expected) in [
        (StaffRole::Agent, "Ali Agent", "agent"),
        (StaffRole::Editor, "Eva Editor", "editor"),
        (StaffRole::Admin, "Ada Admin", "admin"),
    ] {
        let token = staff_token(role, name);
        let me = get("/api/v1/staff/me").bearer(&token).send();
        assert_eq!(me.body, json!({"name": name, "role": expected}));
    }
    let nobody = get("/api/v1/staff/me").send();
    assert_eq!(nobody.code(StatusCode::UNAUTHORIZED), "missing_token");
    let chat = create(json!({"locale": "sv"}));
    assert_eq!(chat.status, StatusCode::CREATED);
    let customer_token = chat.body["token"].as_str().unwrap();
    let customer = get("/api/v1/staff/me").bearer(customer_token).send();
    assert_eq!(customer.code(StatusCode::UNAUTHORIZED), "invalid_token");
}

#[test]
fn the_openapi_document_describes_the_validation() {
    let doc = get("/api/openapi.json").send().body;
    assert!(doc["paths"]["/api/v1/guides/validate"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/staff/me"]["get"].is_object());
    let schemas = &doc["components"]["schemas"];
    for name in ["ValidateGuide", "Validation", "ProblemBody", "OutlineBody"] {
        assert!(
            schemas[name].is_object(),
            "{name} missing from the document"
        );
    }
}

#[test]
fn the_preview_names_the_company_facts_customers_will_not_see_yet() {
    let editor = staff_token(StaffRole::Editor, "Eva Editor");
    // The shipped profile declares every fact and sets none.
    let mail = include_str!("../../knowledge/guides/email-settings-sv.md");
    let answer = validation(&editor, &json!({"source": mail}));
    assert_eq!(answer["valid"], true, "{answer:#}");
    assert_eq!(
        answer["unset_facts"],
        json!(["incoming_mail_server", "outgoing_mail_server"])
    );
    let restart = validation(&editor, &json!({"source": ROUTER_RESTART}));
    assert_eq!(restart["unset_facts"], json!(["outages"]));
    let plain = ROUTER_RESTART.replace("link: outages\n", "");
    assert_eq!(
        validation(&editor, &json!({"source": plain}))["unset_facts"],
        json!([])
    );
}
