//! Live updates over Server-Sent Events: the customer sees the agent and the agent sees the
//! customer as it happens, on one process and across two real `felsok serve` replicas on one
//! PostgreSQL, where claims never double up either.

use std::time::Duration;

use crate::common::{
    queued_handoff_at, spawn_app, start_chat_at, Backend, Chat, ServerProcess, TestApp,
    TestDatabase,
};
use felsok::auth::StaffRole;
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};

/// A generous bound so that a missing event fails the test instead of hanging it; it says
/// nothing about speed.
const PATIENCE: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
struct SseEvent {
    name: String,
    id: Option<String>,
    data: Value,
}

/// Reads an event stream, one event at a time.
struct EventStream {
    response: Response,
    buffer: String,
}

impl EventStream {
    async fn open(client: &Client, url: String, token: &str, last_event_id: Option<&str>) -> Self {
        let mut request = client.get(url).bearer_auth(token);
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = request.send().await.expect("stream opens");
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream"));
        Self {
            response,
            buffer: String::new(),
        }
    }

    async fn next(&mut self) -> Option<SseEvent> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = SseEvent {
                    name: "message".into(),
                    id: None,
                    data: Value::Null,
                };
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event.name = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("id:") {
                        event.id = Some(v.trim().to_owned());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if data.is_empty() {
                    continue; // a keep-alive comment
                }
                event.data = serde_json::from_str(&data).unwrap_or(Value::String(data));
                return Some(event);
            }
            let chunk = self.response.chunk().await.ok()??;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// The first event that `wanted` accepts, skipping others.
    async fn until(&mut self, what: &str, wanted: impl Fn(&SseEvent) -> bool) -> SseEvent {
        let found = tokio::time::timeout(PATIENCE, async {
            while let Some(event) = self.next().await {
                if wanted(&event) {
                    return Some(event);
                }
            }
            None
        })
        .await;
        match found {
            Ok(Some(event)) => event,
            Ok(None) => panic!("the stream ended before {what}"),
            Err(_) => panic!("no {what} within {PATIENCE:?}"),
        }
    }
}

fn is_message(role: &'static str, text: &'static str) -> impl Fn(&SseEvent) -> bool {
    move |e| {
        e.name == "message"
            && e.data["role"] == role
            && e.data["text"].as_str().is_some_and(|t| t.contains(text))
    }
}

async fn queue_for_a_person(client: &Client, base: &str) -> Chat {
    let chat = start_chat_at(client, base).await;
    for action in ["topic:billing", "talk_to_human"] {
        let response = client
            .post(format!("{base}/api/v1/conversations/{}/messages", chat.id))
            .bearer_auth(&chat.token)
            .json(&json!({ "action": action }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    chat
}

async fn agent_post(client: &Client, base: &str, agent: &str, path: &str, body: Value) -> Response {
    client
        .post(format!("{base}/api/v1/agent/handoffs/{path}"))
        .bearer_auth(agent)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn a_customer_and_an_agent_see_each_other_live(app: &TestApp) {
    let base = app.url("");
    let agent = app.staff_token(StaffRole::Agent, "Maria").await;
    let chat = queue_for_a_person(&app.client, &base).await;
    let mut customer = EventStream::open(
        &app.client,
        app.url(&format!("/api/v1/conversations/{}/events", chat.id)),
        &chat.token,
        None,
    )
    .await;
    let status = customer.until("the status", |e| e.name == "status").await;
    assert_eq!(status.data["status"], "queued");
    let mut inbox =
        EventStream::open(&app.client, app.url("/api/v1/agent/events"), &agent, None).await;

    let id = queued_handoff_at(&app.client, &base, &agent, &chat).await;
    let claimed = agent_post(
        &app.client,
        &base,
        &agent,
        &format!("{id}/claim"),
        json!({}),
    )
    .await;
    assert_eq!(claimed.status(), StatusCode::OK);
    let joined = customer
        .until("the agent joining", is_message("system", "har tagit över"))
        .await;
    customer
        .until("status agent", |e| {
            e.name == "status" && e.data["status"] == "agent"
        })
        .await;
    inbox
        .until("the claim in the inbox", |e| {
            e.name == "conversation" && e.data["handoffs"][0]["status"] == "claimed"
        })
        .await;

    let sent = agent_post(
        &app.client,
        &base,
        &agent,
        &format!("{id}/messages"),
        json!({"text": "Hej! Jag tittar på fakturan nu."}),
    )
    .await;
    assert_eq!(sent.status(), StatusCode::CREATED);
    customer
        .until(
            "the agent's message",
            is_message("agent", "tittar på fakturan"),
        )
        .await;

    app.say(&chat, json!({"text": "Tack, det gäller novemberfakturan"}))
        .await;
    let change = inbox
        .until("the customer's message in the inbox", |e| {
            e.name == "conversation"
                && e.data["last_message"]["text"] == "Tack, det gäller novemberfakturan"
        })
        .await;
    assert_eq!(change.data["conversation_id"], chat.id.as_str());

    // Reconnecting with the last id seen sends what came after it, and nothing twice.
    let mut again = EventStream::open(
        &app.client,
        app.url(&format!("/api/v1/conversations/{}/events", chat.id)),
        &chat.token,
        joined.id.as_deref(),
    )
    .await;
    let replayed = again
        .until("a replayed message", |e| e.name == "message")
        .await;
    assert_eq!(replayed.data["role"], "agent");
    assert_eq!(
        replayed.id.unwrap().parse::<i64>().unwrap(),
        joined.id.unwrap().parse::<i64>().unwrap() + 1
    );

    // Another conversation's token sees nothing; a customer token is no agent's.
    let stranger = app.start_chat("sv").await;
    let refused = app
        .client
        .get(app.url(&format!("/api/v1/conversations/{}/events", chat.id)))
        .bearer_auth(&stranger.token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    let refused = app
        .client
        .get(app.url("/api/v1/agent/events"))
        .bearer_auth(&chat.token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
}

/// Stopping the service ends open streams instead of waiting for them forever.
#[tokio::test]
async fn open_streams_end_when_the_service_stops() {
    let app = spawn_app(Backend::Sqlite).await;
    let chat = app.start_chat("sv").await;
    let mut stream = EventStream::open(
        &app.client,
        app.url(&format!("/api/v1/conversations/{}/events", chat.id)),
        &chat.token,
        None,
    )
    .await;
    stream.until("the status", |e| e.name == "status").await;
    let stopped = tokio::time::timeout(PATIENCE, app.stop()).await;
    let db = stopped.expect("the service stopped with a stream open");
    assert!(tokio::time::timeout(PATIENCE, stream.next())
        .await
        .expect("the stream ended")
        .is_none());
    db.drop_database().await;
}

on_both_engines!(a_customer_and_an_agent_see_each_other_live);

/// Two real processes on one PostgreSQL behave as one service.
#[tokio::test]
async fn two_replicas_share_live_updates_and_never_double_claim() {
    let db = TestDatabase::create(Backend::Postgres).await;
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = tokio::join!(
        ServerProcess::start(&db.url, dir.path()),
        ServerProcess::start(&db.url, dir.path())
    );
    let client = Client::new();
    let store = felsok::storage::Store::connect(&db.url, 1).await.unwrap();
    let mut tokens = Vec::new();
    for name in ["Maria", "Jonas"] {
        let (_, token) = felsok::auth::staff::create_token(&store, StaffRole::Agent, name)
            .await
            .unwrap();
        tokens.push(token.expose().to_owned());
    }
    store.close().await;
    let (maria, jonas) = (&tokens[0], &tokens[1]);

    // The customer is on replica one, the agent on replica two.
    let chat = queue_for_a_person(&client, &one.base).await;
    let mut customer = EventStream::open(
        &client,
        format!("{}/api/v1/conversations/{}/events", one.base, chat.id),
        &chat.token,
        None,
    )
    .await;
    let mut inbox = EventStream::open(
        &client,
        format!("{}/api/v1/agent/events", two.base),
        maria,
        None,
    )
    .await;
    let id = queued_handoff_at(&client, &two.base, maria, &chat).await;
    let claimed = agent_post(&client, &two.base, maria, &format!("{id}/claim"), json!({})).await;
    assert_eq!(claimed.status(), StatusCode::OK);
    let sent = agent_post(
        &client,
        &two.base,
        maria,
        &format!("{id}/messages"),
        json!({"text": "Hej, Maria här. Jag hjälper dig med fakturan."}),
    )
    .await;
    assert_eq!(sent.status(), StatusCode::CREATED);
    customer
        .until(
            "the agent's message from the other replica",
            is_message("agent", "Maria här"),
        )
        .await;

    let posted = client
        .post(format!(
            "{}/api/v1/conversations/{}/messages",
            one.base, chat.id
        ))
        .bearer_auth(&chat.token)
        .json(&json!({"text": "Toppen, tack!"}))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), StatusCode::OK);
    inbox
        .until("the customer's message on the other replica", |e| {
            e.name == "conversation" && e.data["last_message"]["text"] == "Toppen, tack!"
        })
        .await;

    // Two agents claim one handoff at the same moment, one on each replica: one wins.
    let second = queue_for_a_person(&client, &two.base).await;
    let id = queued_handoff_at(&client, &one.base, jonas, &second).await;
    let path = format!("{id}/claim");
    let (a, b) = tokio::join!(
        agent_post(&client, &one.base, maria, &path, json!({})),
        agent_post(&client, &two.base, jonas, &path, json!({}))
    );
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);

    drop(customer);
    drop(inbox);
    one.kill_9();
    two.kill_9();
    db.drop_database().await;
}
