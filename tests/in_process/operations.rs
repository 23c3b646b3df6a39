//! Health, readiness, metrics and the OpenAPI document.

use crate::common::{spawn_app, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn health_and_readiness_answer_200(app: &TestApp) {
    for path in ["/healthz", "/readyz"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
}

async fn metrics_count_requests_by_route_and_messages_by_role(app: &TestApp) {
    let chat = app.start_chat("sv").await;
    app.say(&chat, json!({"text": "hej"})).await;
    let admin = app
        .staff_token(felsok::auth::StaffRole::Admin, "Prometheus")
        .await;
    let response = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    assert!(text.contains(
        "http_requests_total{method=\"POST\",route=\"/api/v1/conversations/{id}/messages\",status=\"200\"}"
    ));
    assert!(text.contains("http_request_duration_seconds_bucket"));
    assert!(text.contains("felsok_messages_stored_total{role=\"customer\"}"));
    assert!(text.contains("felsok_conversations_started_total"));
    // The concrete conversation id never becomes a label.
    assert!(!text.contains(&chat.id));
}

async fn the_openapi_document_covers_every_endpoint(app: &TestApp) {
    let response = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let doc: Value = response.json().await.unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/conversations", "post"),
        ("/api/v1/conversations/{id}", "get"),
        ("/api/v1/conversations/{id}/messages", "post"),
        ("/api/v1/conversations/{id}/transcript", "get"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
        ("/api/openapi.json", "get"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path} missing");
    }
}

async fn every_response_carries_a_request_id(app: &TestApp) {
    let response = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert!(response.headers().contains_key("x-request-id"));
    let response = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "from-the-proxy")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "from-the-proxy");
}

on_both_engines!(
    health_and_readiness_answer_200,
    metrics_count_requests_by_route_and_messages_by_role,
    the_openapi_document_covers_every_endpoint,
    every_response_carries_a_request_id,
);
