//! The classifier through the HTTP API and inside conversations, with the real model.

use crate::common::{error_code, spawn_app, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn classify_body(app: &TestApp, body: Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/classify"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn classify(app: &TestApp, text: &str) -> Value {
    let response = classify_body(app, json!({ "text": text })).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[tokio::test]
async fn classify_answers_with_intent_confidence_ranking_and_flag() {
    let app = spawn_app(Backend::Sqlite).await;
    let body = classify(
        &app,
        "Internet fungerar inte alls sedan i morse, routern lyser rött",
    )
    .await;
    assert_eq!(body["intent"], "broadband_down");
    let confidence = body["confidence"].as_f64().unwrap();
    assert!(confidence > 0.4 && confidence <= 1.0);
    assert_eq!(body["cancellation"], false);
    let ranking = body["ranking"].as_array().unwrap();
    assert_eq!(ranking.len(), 3);
    assert!(ranking[0]["confidence"].as_f64() >= ranking[1]["confidence"].as_f64());
    app.finish().await;
}

#[tokio::test]
async fn every_way_of_asking_to_cancel_raises_the_flag() {
    let app = spawn_app(Backend::Sqlite).await;
    for text in [
        "jag vill säga upp mitt abonnemang",
        "vill saga upp bredbandet",
        "hur gör man en uppsägning",
        "min mamma har gått bort och vi behöver avsluta hennes mobilabonnemang",
        "vi flyttar utomlands i januari",
        "I want to cancel my broadband",
        "please terminate my contract",
    ] {
        let body = classify(&app, text).await;
        assert_eq!(body["cancellation"], true, "{text}: {body}");
    }
    let body = classify(&app, "wifi är så segt på kvällarna").await;
    assert_eq!(body["cancellation"], false);
    app.finish().await;
}

#[tokio::test]
async fn english_and_swedish_are_both_understood() {
    let app = spawn_app(Backend::Sqlite).await;
    for (text, intent) in [
        (
            "my invoice is much higher than usual this month",
            "invoice_question",
        ),
        (
            "fakturan är mycket högre än vanligt den här månaden",
            "invoice_question",
        ),
        ("tv-boxen säger ingen signal", "tv_problem"),
        ("hej!", "greeting"),
        ("vad blir det för väder i Göteborg imorgon", "out_of_scope"),
    ] {
        let body = classify(&app, text).await;
        assert_eq!(body["intent"], intent, "{text}: {body}");
    }
    app.finish().await;
}

#[tokio::test]
async fn classify_refuses_bad_input_like_every_endpoint() {
    let app = spawn_app(Backend::Sqlite).await;
    let response = classify_body(&app, json!({ "text": "" })).await;
    assert_eq!(
        error_code(response, StatusCode::UNPROCESSABLE_ENTITY).await,
        "empty_text"
    );
    let response = classify_body(&app, json!({ "txt": "hej" })).await;
    assert_eq!(
        error_code(response, StatusCode::UNPROCESSABLE_ENTITY).await,
        "invalid_body"
    );
    app.finish().await;
}

async fn a_wish_to_cancel_in_the_chat_is_answered_first_with_the_written_path(app: &TestApp) {
    let chat = app.start_chat("sv").await;
    let replies = app
        .say(
            &chat,
            json!({"text": "Jag vill säga upp mitt bredband, vi flyttar ihop"}),
        )
        .await;
    let first = &replies[0];
    assert_eq!(first["actions"][0]["kind"], "written_cancellation");
    assert!(
        first["intent"]["name"].is_string(),
        "answers to text carry the intent"
    );
}

async fn a_free_text_request_for_a_person_hands_over(app: &TestApp) {
    let chat = app.start_chat("sv").await;
    app.say(
        &chat,
        json!({"text": "jag vill prata med en riktig människa"}),
    )
    .await;
    assert_eq!(app.read(&chat).await["status"], "queued");
}

async fn an_understood_problem_is_named_back_with_its_intent(app: &TestApp) {
    let chat = app.start_chat("en").await;
    let replies = app
        .say(
            &chat,
            json!({"text": "I got a reminder although I paid the invoice last week"}),
        )
        .await;
    assert_eq!(replies[0]["intent"]["name"], "invoice_question");
    assert!(replies[0]["text"].as_str().unwrap().contains("invoice"));
}

on_both_engines!(
    a_wish_to_cancel_in_the_chat_is_answered_first_with_the_written_path,
    a_free_text_request_for_a_person_hands_over,
    an_understood_problem_is_named_back_with_its_intent,
);
