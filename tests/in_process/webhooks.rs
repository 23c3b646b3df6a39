//! A help desk receives handoff events through the webhook: signed, in order, retried after
//! the desk fails, and every attempt in the delivery log. Tested against a local receiver.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::{queued_handoff_at, spawn_app_on, Backend, TestDatabase};
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::routing;
use axum::Router;
use felsok::auth::StaffRole;
use reqwest::StatusCode;
use serde_json::{json, Value};

const SECRET: &str = "skarpt-hemligt-delat-med-desken";

/// What the desk received: event header, signature header and body.
type Received = Arc<Mutex<Vec<(String, String, Vec<u8>)>>>;

/// A desk that fails its first request with 500, then accepts everything.
async fn start_desk() -> (String, Received) {
    let received: Received = Arc::default();
    let log = received.clone();
    let app = Router::new().route(
        "/hook",
        routing::post(move |headers: HeaderMap, body: Bytes| {
            let log = log.clone();
            async move {
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                let mut log = log.lock().unwrap();
                let first = log.is_empty();
                log.push((
                    header("x-felsok-event"),
                    header("x-felsok-signature"),
                    body.to_vec(),
                ));
                if first {
                    AxumStatus::INTERNAL_SERVER_ERROR
                } else {
                    AxumStatus::NO_CONTENT
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), received)
}

#[tokio::test]
async fn a_desk_gets_every_handoff_event_signed_in_order_even_after_failing() {
    let (url, received) = start_desk().await;
    let db = TestDatabase::create(Backend::Postgres).await;
    let app = spawn_app_on(db, |settings| {
        settings.webhook_url = Some(url);
        settings.webhook_secret = Some(SECRET.into());
    })
    .await;
    let agent = app.staff_token(StaffRole::Agent, "Maria").await;
    let admin = app.staff_token(StaffRole::Admin, "Ada").await;

    let chat = app.start_chat("sv").await;
    app.say(
        &chat,
        json!({"text": "min faktura är fel, jag har betalat två gånger"}),
    )
    .await;
    app.say(&chat, json!({"action": "talk_to_human"})).await;
    let id = queued_handoff_at(&app.client, &app.url(""), &agent, &chat).await;
    let claimed = app
        .post_staff(
            &format!("/api/v1/agent/handoffs/{id}/claim"),
            &agent,
            json!({}),
        )
        .await;
    assert_eq!(claimed.status(), StatusCode::OK);
    let resolved = app
        .post_staff(
            &format!("/api/v1/agent/handoffs/{id}/resolve"),
            &agent,
            json!({"note": "Dubbelbetalningen återbetald."}),
        )
        .await;
    assert_eq!(resolved.status(), StatusCode::OK);

    // The first attempt fails; the retry comes after the backoff (2 s), the rest follow.
    let mut waited = Duration::ZERO;
    while received.lock().unwrap().len() < 4 {
        assert!(
            waited < Duration::from_secs(60),
            "the desk never got all events"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += Duration::from_millis(100);
    }
    let received = received.lock().unwrap().clone();
    let events: Vec<&str> = received.iter().map(|(e, _, _)| e.as_str()).collect();
    assert_eq!(
        events,
        [
            "handoff.created",
            "handoff.created",
            "handoff.claimed",
            "handoff.resolved"
        ],
        "the failed event is retried before later ones are sent"
    );
    for (_, signature, body) in &received {
        assert_eq!(
            signature,
            &felsok::webhook::signature(SECRET.as_bytes(), body)
        );
        let payload: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(payload["handoff"]["id"], id.as_str());
        assert_eq!(payload["handoff"]["conversation_id"], chat.id.as_str());
        let text = String::from_utf8_lossy(body);
        assert!(
            !text.contains("faktura"),
            "no customer words in a webhook: {text}"
        );
        assert!(
            !text.contains("återbetald"),
            "no internal notes in a webhook: {text}"
        );
    }
    let last: Value = serde_json::from_slice(&received[3].2).unwrap();
    assert_eq!(last["handoff"]["status"], "resolved");
    assert_eq!(last["handoff"]["outcome"], "handled");

    // The delivery log shows the failed attempt and what the desk answered.
    let log = crate::common::get_json(
        &app.client,
        &app.url("/api/v1/admin/webhook-deliveries"),
        &admin,
    )
    .await;
    let deliveries = log["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 3);
    let created = deliveries
        .iter()
        .find(|d| d["event"] == "handoff.created")
        .unwrap();
    assert_eq!(created["status"], "delivered");
    assert_eq!(created["attempts"], 2);
    assert_eq!(created["response_status"], 204);
    assert!(deliveries.iter().all(|d| d["status"] == "delivered"));
    let as_agent = app
        .client
        .get(app.url("/api/v1/admin/webhook-deliveries"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(as_agent.status(), StatusCode::FORBIDDEN);
    app.finish().await;
}

#[tokio::test]
async fn without_a_webhook_nothing_is_recorded_for_one() {
    let db = TestDatabase::create(Backend::Sqlite).await;
    let app = spawn_app_on(db, |_| {}).await;
    let chat = app.start_chat("sv").await;
    app.say(&chat, json!({"action": "talk_to_human"})).await;
    let store = felsok::storage::Store::connect(&app.db.url, 1)
        .await
        .unwrap();
    assert!(store.webhook_deliveries(10).await.unwrap().is_empty());
    store.close().await;
    app.finish().await;
}
