//! When the bot hands over by itself, and what the person taking over is given: guide steps
//! running out, two unclear messages in a row, compensation claims; the top-3 reading and the
//! details the customer mentioned; and a call-back request instead of waiting in the chat.

use std::time::Duration;

use crate::common::{action_ids, error_code, spawn_app, Backend, Chat, TestApp};
use felsok::auth::StaffRole;
use felsok::timestamp::Timestamp;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

async fn packet_of(app: &TestApp, chat: &Chat) -> Value {
    let agent = app.staff_token(StaffRole::Agent, "Maria").await;
    let id = crate::common::queued_handoff_at(&app.client, &app.url(""), &agent, chat).await;
    let response = app
        .client
        .get(app.url(&format!("/api/v1/agent/handoffs/{id}")))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn callback(app: &TestApp, chat: &Chat, token: &str, body: Value) -> Response {
    app.client
        .post(app.url(&format!("/api/v1/conversations/{}/callback", chat.id)))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// A window starting `hours` from now and lasting two hours, as RFC 3339 texts.
fn window(hours: u64) -> (String, String) {
    let from = Timestamp::now().plus(Duration::from_secs(hours * 3600));
    let to = from.plus(Duration::from_secs(2 * 3600));
    (from.to_string(), to.to_string())
}

async fn steps_running_out_hand_over_with_every_step_and_the_details(app: &TestApp) {
    let chat = app.start_chat("sv").await;
    let first = app
        .say(
            &chat,
            json!({"text": "Internet funkar inte alls, routern blinkar rött och datorn säger felkod 651"}),
        )
        .await;
    assert!(
        first[0]["guide_step"].is_object(),
        "a guide starts: {first:?}"
    );
    let mut last = Vec::new();
    for _ in 0..30 {
        last = app.say(&chat, json!({"action": "step_failed"})).await;
        if app.read(&chat).await["status"] == "queued" {
            break;
        }
    }
    assert_eq!(app.read(&chat).await["status"], "queued", "{last:?}");
    let told = last[0]["text"].as_str().unwrap();
    assert!(told.contains("kopplar dig vidare"), "{told}");
    // The place in the queue comes with a way to be called instead.
    let standing = last
        .iter()
        .find(|m| m["role"] == "system")
        .expect("queue place");
    assert!(standing["text"].as_str().unwrap().contains("i kön"));
    assert_eq!(action_ids(standing), ["request_callback"]);

    let packet = packet_of(app, &chat).await;
    assert_eq!(packet["reason"], "steps_exhausted");
    assert_eq!(packet["queue"], "technical");
    let steps = packet["steps_tried"].as_array().unwrap();
    assert!(steps.len() >= 2, "{steps:?}");
    assert!(steps.iter().all(|s| s["outcome"] == "failed"));
    let intents = packet["intents"].as_array().unwrap();
    assert!((1..=3).contains(&intents.len()), "{intents:?}");
    assert_eq!(intents[0]["name"], "broadband_down");
    let confidences: Vec<f64> = intents
        .iter()
        .map(|i| i["confidence"].as_f64().unwrap())
        .collect();
    assert!(confidences.windows(2).all(|w| w[0] >= w[1]), "best first");
    let details = &packet["details"];
    assert_eq!(details["products"], json!(["bredband"]));
    assert_eq!(details["devices"], json!(["router", "dator"]));
    assert_eq!(details["error_codes"], json!(["651"]));
    let summary = packet["summary"].as_str().unwrap();
    assert!(
        summary.contains("Nämnt: bredband; router, dator; felkod 651."),
        "{summary}"
    );
    assert!(summary.contains("löste det inte"), "{summary}");
}

async fn two_unclear_messages_in_a_row_bring_a_person(app: &TestApp) {
    let chat = app.start_chat("sv").await;
    let first = app
        .say(&chat, json!({"text": "den gör inte som den ska"}))
        .await;
    assert_eq!(app.read(&chat).await["status"], "bot", "{first:?}");
    let second = app
        .say(&chat, json!({"text": "det strular med den där"}))
        .await;
    assert!(
        second[0]["text"]
            .as_str()
            .unwrap()
            .contains("vill inte gissa"),
        "{second:?}"
    );
    assert_eq!(app.read(&chat).await["status"], "queued");
    let packet = packet_of(app, &chat).await;
    assert_eq!(packet["reason"], "not_understood");
    assert_eq!(packet["queue"], "general");
    // Nothing was understood, yet the agent sees what the bot guessed.
    assert!(!packet["intents"].as_array().unwrap().is_empty());
    let summary = packet["summary"].as_str().unwrap();
    assert!(summary.contains("den gör inte som den ska"), "{summary}");
    assert!(summary.contains("två meddelanden i rad"), "{summary}");
}

async fn compensation_claims_go_to_a_person_at_once(app: &TestApp) {
    let chat = app.start_chat("en").await;
    let replies = app
        .say(
            &chat,
            json!({"text": "I want compensation, my broadband was down for three days last week"}),
        )
        .await;
    assert!(
        replies[0]["text"]
            .as_str()
            .unwrap()
            .contains("straight away"),
        "{replies:?}"
    );
    assert_eq!(app.read(&chat).await["status"], "queued");
    let packet = packet_of(app, &chat).await;
    assert_eq!(packet["reason"], "needs_person");
    assert_eq!(packet["queue"], "billing");
    assert_eq!(packet["intent"]["name"], "compensation");
}

async fn the_packet_names_intents_in_the_agents_language(app: &TestApp) {
    let chat = app.start_chat("en").await;
    app.say(
        &chat,
        json!({"text": "I want compensation, my broadband was down for three days last week"}),
    )
    .await;
    let packet = packet_of(app, &chat).await;
    assert_eq!(packet["intent"]["name"], "compensation");
    assert_eq!(packet["intent"]["label"], "ersättning");
    for score in packet["intents"].as_array().unwrap() {
        assert!(score["label"].is_string(), "{score}");
    }
    let read_as = packet["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["intent"]["name"] == "compensation")
        .expect("the bot's answer names the intent");
    assert_eq!(read_as["intent"]["label"], "ersättning");
    // The customer's own copy stays as it was.
    let messages = app.read(&chat).await["messages"].clone();
    assert!(messages
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["intent"].get("label").is_none()));
}

async fn a_waiting_customer_can_ask_to_be_called_instead(app: &TestApp) {
    let chat = app.start_chat("sv").await;
    app.say(&chat, json!({"text": "jag vill prata med en människa"}))
        .await;
    let before = app.read(&chat).await["messages"].as_array().unwrap().len();
    let (from, to) = window(1);

    // Bad input: every problem named, nothing stored.
    let bad = callback(
        app,
        &chat,
        &chat.token,
        json!({"phone": "ring mig", "from": from, "to": from}),
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = bad.json().await.unwrap();
    let codes: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["invalid_phone", "window_too_short"], "{body}");
    let missing = callback(app, &chat, &chat.token, json!({"phone": "0701234567"})).await;
    assert_eq!(
        error_code(missing, StatusCode::UNPROCESSABLE_ENTITY).await,
        "invalid_fields"
    );
    let stranger = app.start_chat("sv").await;
    let wrong_token = callback(
        app,
        &chat,
        &stranger.token,
        json!({"phone": "0701234567", "from": from, "to": to}),
    )
    .await;
    assert_eq!(wrong_token.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.read(&chat).await["messages"].as_array().unwrap().len(),
        before
    );
    assert!(packet_of(app, &chat).await.get("callback").is_none());

    // A good request is confirmed in the chat and lands in the handoff.
    let body = json!({"phone": "070-123 45 67", "from": from, "to": to});
    let made = callback(app, &chat, &chat.token, body.clone()).await;
    assert_eq!(made.status(), StatusCode::CREATED);
    let made: Value = made.json().await.unwrap();
    assert_eq!(made["callback"]["phone"], "+46701234567");
    let confirmation = made["messages"][0]["text"].as_str().unwrap();
    assert!(confirmation.contains("070-123 45 67"), "{confirmation}");
    assert!(confirmation.contains("svensk tid"), "{confirmation}");
    let again = callback(app, &chat, &chat.token, body).await;
    assert_eq!(
        again.status(),
        StatusCode::OK,
        "the same request is not stored twice"
    );
    let again: Value = again.json().await.unwrap();
    assert!(again["messages"].as_array().unwrap().is_empty());

    let packet = packet_of(app, &chat).await;
    assert_eq!(packet["reason"], "customer_request");
    assert_eq!(packet["callback"]["phone"], "+46701234567");
    assert_eq!(packet["callback"]["from"], from.as_str());
    let summary = packet["summary"].as_str().unwrap();
    assert!(
        summary.contains("Ring upp kunden på 070-123 45 67"),
        "{summary}"
    );
    assert_eq!(app.read(&chat).await["status"], "queued");
}

async fn asking_to_be_called_is_asking_for_a_person(app: &TestApp) {
    let chat = app.start_chat("en").await;
    app.say(
        &chat,
        json!({"text": "my invoice is much higher than usual"}),
    )
    .await;
    let (from, to) = window(20);
    let made = callback(
        app,
        &chat,
        &chat.token,
        json!({"phone": "+46 8 123 456 78", "from": from, "to": to}),
    )
    .await;
    assert_eq!(made.status(), StatusCode::CREATED);
    let made: Value = made.json().await.unwrap();
    let texts: Vec<&str> = made["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert!(texts[0].contains("08-123 456 78"), "{texts:?}");
    assert!(texts[1].contains("in the queue"), "{texts:?}");
    assert_eq!(app.read(&chat).await["status"], "queued");
    let packet = packet_of(app, &chat).await;
    assert_eq!(packet["reason"], "callback_request");
    assert_eq!(
        packet["queue"], "billing",
        "routed by what the customer asked"
    );
}

on_both_engines!(
    steps_running_out_hand_over_with_every_step_and_the_details,
    two_unclear_messages_in_a_row_bring_a_person,
    compensation_claims_go_to_a_person_at_once,
    the_packet_names_intents_in_the_agents_language,
    a_waiting_customer_can_ask_to_be_called_instead,
    asking_to_be_called_is_asking_for_a_person,
);
