//! The editor's live preview asks the server: `POST /api/v1/guides/validate` reads a source
//! with the parser and checks a save runs and stores nothing; `GET /api/v1/staff/me` tells a
//! staff page whose token it holds.

use crate::common::{error_code, spawn_app, TestApp};
use felsok::auth::StaffRole;
use reqwest::StatusCode;
use serde_json::{json, Value};

const ROUTER_RESTART: &str = include_str!("../../knowledge/guides/router-restart-sv.md");

impl TestApp {
    async fn validate(&self, token: Option<&str>, body: Value) -> reqwest::Response {
        let mut request = self
            .client
            .post(self.url("/api/v1/guides/validate"))
            .json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request")
    }

    async fn validation(&self, token: &str, body: Value) -> Value {
        let response = self.validate(Some(token), body).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("a JSON answer")
    }
}

fn codes(validation: &Value) -> Vec<&str> {
    validation["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect()
}

fn problem<'a>(validation: &'a Value, code: &str) -> &'a Value {
    validation["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {validation:#}"))
}

#[tokio::test]
async fn a_good_guide_is_valid_and_its_steps_come_back_for_the_preview() {
    let app = spawn_app(crate::common::Backend::Sqlite).await;
    let editor = app.staff_token(StaffRole::Editor, "Eva Editor").await;
    let answer = app
        .validation(
            &editor,
            json!({"source": ROUTER_RESTART, "id": "router-restart-sv"}),
        )
        .await;
    assert_eq!(answer["valid"], true, "{answer:#}");
    assert_eq!(answer["problems"], json!([]));
    let outline = &answer["outline"];
    assert_eq!(outline["id"], "router-restart-sv");
    assert_eq!(outline["language"], "sv");
    assert!(outline["title"].as_str().is_some_and(|t| !t.is_empty()));
    let steps = outline["steps"].as_array().unwrap();
    assert!(steps.len() >= 2, "{outline:#}");
    assert!(steps[0]["title"]
        .as_str()
        .unwrap()
        .contains("Dra ur routerns strömsladd"));
    assert!(steps[0]["instruction"]
        .as_str()
        .is_some_and(|i| !i.is_empty()));
    assert!(steps[0]["line"].as_u64().unwrap() > 1);
    assert!(steps
        .last()
        .unwrap()
        .get("on_failure")
        .and_then(Value::as_str)
        .is_some_and(|f| f.starts_with("handoff:")));
    app.finish().await;
}

#[tokio::test]
async fn every_problem_comes_with_its_line_a_code_and_the_values_it_names() {
    let app = spawn_app(crate::common::Backend::Sqlite).await;
    let editor = app.staff_token(StaffRole::Editor, "Eva Editor").await;
    let broken = ROUTER_RESTART
        .replace(
            "intents: [broadband_down",
            "intents: [weather, broadband_down",
        )
        .replace("on_failure: handoff:technical", "on_failure: handoff:sales")
        .replace(
            "Dra ur routerns strömsladd",
            "Passa på att uppgradera till 1000 Mbit/s. Dra ur routerns strömsladd",
        )
        .replace(
            "\n---\n",
            "\n---\nText som inte hör till något steg.\n<b>fet</b>\n",
        );
    let answer = app
        .validation(
            &editor,
            json!({"source": broken, "id": "router-restart-en"}),
        )
        .await;
    assert_eq!(answer["valid"], false);
    let found = codes(&answer);
    for code in [
        "unknown_intent",
        "unknown_queue",
        "sales_language",
        "text_before_first_step",
        "id_differs_from_address",
    ] {
        assert!(found.contains(&code), "{code} missing from {found:?}");
    }
    let intent = problem(&answer, "unknown_intent");
    assert_eq!(intent["values"]["intent"], "weather");
    assert!(intent["line"].is_u64(), "{intent}");
    let sales = problem(&answer, "sales_language");
    let line = sales["line"].as_u64().unwrap() as usize;
    assert!(
        broken.lines().nth(line - 1).unwrap().contains("Passa på"),
        "{sales}"
    );
    assert!(
        sales["values"]["found"]
            .as_str()
            .unwrap()
            .contains("Passa på"),
        "{sales}"
    );
    assert_eq!(
        problem(&answer, "unknown_queue")["values"]["queue"],
        "sales"
    );
    assert_eq!(
        problem(&answer, "id_differs_from_address")["values"]["address"],
        "router-restart-en"
    );
    // The same problems a save reports, in English for programs.
    assert!(answer["problems"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["message"].as_str().is_some_and(|m| !m.is_empty())));
    // What could be read is still there for the preview to show.
    assert!(answer["outline"]["steps"].as_array().unwrap().len() >= 2);

    let yaml = app
        .validation(
            &editor,
            json!({"source": ROUTER_RESTART.replace("summary:", "colour: red\nsummary:")}),
        )
        .await;
    assert_eq!(problem(&yaml, "unknown_field")["values"]["key"], "colour");
    assert!(!yaml["outline"]["steps"].as_array().unwrap().is_empty());
    app.finish().await;
}

#[tokio::test]
async fn validating_stores_nothing() {
    let app = spawn_app(crate::common::Backend::Sqlite).await;
    let editor = app.staff_token(StaffRole::Editor, "Eva Editor").await;
    let before: Value = app
        .client
        .get(app.url("/api/v1/guides/router-restart-sv"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let changed = ROUTER_RESTART.replace("Dra ur routerns strömsladd", "Dra ur sladden");
    let answer = app
        .validation(
            &editor,
            json!({"source": changed, "id": "router-restart-sv"}),
        )
        .await;
    assert_eq!(answer["valid"], true, "{answer:#}");
    let new_guide = ROUTER_RESTART
        .replace("id: router-restart-sv", "id: brand-new-sv")
        .replace(
            "translation: router-restart-en",
            "translation: brand-new-en",
        );
    app.validation(&editor, json!({"source": new_guide})).await;

    let after: Value = app
        .client
        .get(app.url("/api/v1/guides/router-restart-sv"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(after["version"], before["version"]);
    assert_eq!(after["source"], before["source"]);
    let history: Value = app
        .client
        .get(app.url("/api/v1/guides/router-restart-sv/history"))
        .bearer_auth(&editor)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(history["versions"].as_array().unwrap().len(), 1);
    let missing = app
        .client
        .get(app.url("/api/v1/guides/brand-new-sv"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    app.finish().await;
}

#[tokio::test]
async fn validating_takes_an_editor_token_and_a_json_body() {
    let app = spawn_app(crate::common::Backend::Sqlite).await;
    let agent = app.staff_token(StaffRole::Agent, "Ali Agent").await;
    let editor = app.staff_token(StaffRole::Editor, "Eva Editor").await;
    let admin = app.staff_token(StaffRole::Admin, "Ada Admin").await;
    let body = json!({"source": ROUTER_RESTART});
    let nobody = app.validate(None, body.clone()).await;
    assert_eq!(
        error_code(nobody, StatusCode::UNAUTHORIZED).await,
        "missing_token"
    );
    let agent_call = app.validate(Some(&agent), body.clone()).await;
    assert_eq!(
        error_code(agent_call, StatusCode::FORBIDDEN).await,
        "forbidden"
    );
    app.validation(&admin, body).await;

    let markdown = app
        .client
        .post(app.url("/api/v1/guides/validate"))
        .bearer_auth(&editor)
        .header("content-type", "text/markdown")
        .body(ROUTER_RESTART)
        .send()
        .await
        .unwrap();
    error_code(markdown, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let broken_json = app
        .client
        .post(app.url("/api/v1/guides/validate"))
        .bearer_auth(&editor)
        .header("content-type", "application/json")
        .body("{\"source\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(broken_json, StatusCode::BAD_REQUEST).await,
        "malformed_json"
    );
    let unknown_field = app
        .validate(Some(&editor), json!({"source": "x", "colour": "red"}))
        .await;
    error_code(unknown_field, StatusCode::UNPROCESSABLE_ENTITY).await;

    // A source over the parser's limit is a problem to show; one over the body limit is refused.
    let large = format!("{ROUTER_RESTART}{}", "a".repeat(70 * 1024));
    let answer = app.validation(&editor, json!({"source": large})).await;
    assert_eq!(codes(&answer), ["too_large"]);
    let huge = "a".repeat(300 * 1024);
    let refused = app.validate(Some(&editor), json!({"source": huge})).await;
    assert_eq!(
        error_code(refused, StatusCode::PAYLOAD_TOO_LARGE).await,
        "payload_too_large"
    );
    app.finish().await;
}

#[tokio::test]
async fn staff_me_names_the_role_of_the_token_presented() {
    let app = spawn_app(crate::common::Backend::Sqlite).await;
    for (role, name, expected) in [
        (StaffRole::Agent, "Ali Agent", "agent"),
        (StaffRole::Editor, "Eva Editor", "editor"),
        (StaffRole::Admin, "Ada Admin", "admin"),
    ] {
        let token = app.staff_token(role, name).await;
        let me: Value = app
            .client
            .get(app.url("/api/v1/staff/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me, json!({"name": name, "role": expected}));
    }
    let nobody = app
        .client
        .get(app.url("/api/v1/staff/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(nobody, StatusCode::UNAUTHORIZED).await,
        "missing_token"
    );
    let chat = app.start_chat("sv").await;
    let customer = app
        .client
        .get(app.url("/api/v1/staff/me"))
        .bearer_auth(&chat.token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(customer, StatusCode::UNAUTHORIZED).await,
        "invalid_token"
    );
    app.finish().await;
}

#[tokio::test]
async fn the_openapi_document_describes_the_validation() {
    let app = spawn_app(crate::common::Backend::Sqlite).await;
    let doc: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/v1/guides/validate"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/staff/me"]["get"].is_object());
    let schemas = &doc["components"]["schemas"];
    for name in ["ValidateGuide", "Validation", "ProblemBody", "OutlineBody"] {
        assert!(
            schemas[name].is_object(),
            "{name} missing from the document"
        );
    }
    app.finish().await;
}
