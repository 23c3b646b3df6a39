//! The editor's live preview asks the server: `POST /api/v1/guides/validate` reads a source
//! with the parser and checks a save runs and stores nothing. (What it refuses, and
//! `GET /api/v1/staff/me`, are in `refusals`.)

use crate::common::{spawn_app, TestApp};
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

/// The stable codes of a validation's problems, in order.
pub(crate) fn codes(validation: &Value) -> Vec<&str> {
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
