//! What customers tell Felsök stays protected: secrets never reach the logs, a customer's data
//! can be exported and erased (written cancellations are kept, as the law requires), and
//! conversations past the retention period are forgotten.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use crate::common::{spawn_app, Backend, Chat, TestApp};
use felsok::auth::StaffRole;
use felsok::storage::Store;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Everything the service logs in this test process, at every level.
fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        tracing_subscriber::fmt()
            .with_env_filter("felsok=trace,tower_http=trace,sqlx=debug,info")
            .with_writer(move || Capture(writer.clone()))
            .with_ansi(false)
            .try_init()
            .expect("no other subscriber in this test binary");
        buffer
    })
    .clone()
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn start_with(app: &TestApp, customer: Value) -> Chat {
    app.start_chat_with(json!({"locale": "sv", "customer": customer}))
        .await
}

/// Sends a written request (`cancellation` or `withdrawal`) and returns its reference.
async fn send_in_writing(app: &TestApp, chat: &Chat, path: &str, form: Value) -> String {
    let response = app
        .post_staff(
            &format!("/api/v1/conversations/{}/{path}", chat.id),
            &chat.token,
            form,
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    body["reference"].as_str().unwrap().to_owned()
}

async fn cancel_in_writing(app: &TestApp, chat: &Chat, customer_number: &str) -> String {
    let form = json!({
        "service": "Bredband 250/100",
        "full_name": "Karin Lund",
        "customer_number": customer_number,
        "email": "karin.lund@example.se"
    });
    send_in_writing(app, chat, "cancellation", form).await
}

async fn withdraw_in_writing(app: &TestApp, chat: &Chat, customer_number: &str) -> String {
    let made = time::OffsetDateTime::now_utc().date() - time::Duration::days(3);
    let form = json!({
        "full_name": "Karin Lund",
        "contract": "TV-paket Bas",
        "contract_date": felsok::domain::iso_date(made),
        "customer_number": customer_number,
        "email": "karin.lund@example.se"
    });
    send_in_writing(app, chat, "withdrawal", form).await
}

#[tokio::test]
async fn passwords_cards_and_personal_numbers_never_reach_the_logs() {
    let logs = captured_logs();
    let app = spawn_app(Backend::Sqlite).await;
    let chat = start_with(
        &app,
        json!({"name": "Nils Holgersson", "customer_number": "778899", "email": "nils.h@example.se"}),
    )
    .await;
    let secrets = [
        "Sommar2024!",
        "4111 1111 1111 1111",
        "811218-9876",
        "Nils Holgersson",
        "nils.h@example.se",
        "778899",
        chat.token.as_str(),
    ];
    for text in [
        "mitt lösenord är Sommar2024! och routern vill inte",
        "kortet 4111 1111 1111 1111 drogs två gånger",
        "mitt personnummer är 811218-9876",
    ] {
        let replies = app.say(&chat, json!({ "text": text })).await;
        assert!(!replies.is_empty());
    }
    cancel_in_writing(&app, &chat, "778899").await;
    let agent = app.staff_token(StaffRole::Agent, "Ali Agent").await;
    let inbox = app
        .client
        .get(app.url("/api/v1/agent/handoffs"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(inbox.status(), StatusCode::OK);

    // What was stored has the secrets masked, and the customer is told why.
    let view = app.read(&chat).await;
    let stored = view["messages"].to_string();
    for secret in ["Sommar2024", "4111 1111", "811218-9876"] {
        assert!(!stored.contains(secret), "{secret} was stored: {stored}");
    }
    assert!(
        stored.contains("personnummer behöver du inte skriva här"),
        "{stored}"
    );

    let logged = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(
        logged.contains("conversation started") && logged.contains(&chat.id),
        "the logs were captured"
    );
    for secret in secrets.iter().chain([agent.as_str()].iter()) {
        assert!(!logged.contains(secret), "{secret} is in the logs");
    }
    app.finish().await;
}

async fn export(app: &TestApp, admin: &str, subject: Value) -> Value {
    let response = app
        .post_staff("/api/v1/admin/customers/export", admin, subject)
        .await;
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn conversation_ids(export: &Value) -> Vec<&str> {
    export["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["conversation_id"].as_str().unwrap())
        .collect()
}

async fn export_and_erase_keep_only_written_cancellations(app: &TestApp) {
    let admin = app.staff_token(StaffRole::Admin, "Ada Admin").await;
    let agent = app.staff_token(StaffRole::Agent, "Ali Agent").await;
    let chatted = start_with(
        app,
        json!({"name": "Karin Lund", "customer_number": "555 123", "email": "Karin.Lund@example.se"}),
    )
    .await;
    app.say(
        &chatted,
        json!({"text": "routern blinkar rött sen i morse"}),
    )
    .await;
    let cancelled = app.start_chat("sv").await;
    let reference = cancel_in_writing(app, &cancelled, "555-123").await;
    let withdrew = app.start_chat("sv").await;
    let withdrawal = withdraw_in_writing(app, &withdrew, "555 123").await;
    let someone_else = start_with(app, json!({"customer_number": "999000"})).await;

    // The export finds both conversations, however the number or address was written.
    for subject in [
        json!({"customer_number": "555123"}),
        json!({"email": "karin.lund@EXAMPLE.se"}),
    ] {
        let found = export(app, &admin, subject).await;
        let ids = conversation_ids(&found);
        assert!(ids.contains(&chatted.id.as_str()), "{found}");
        assert!(ids.contains(&cancelled.id.as_str()), "{found}");
        assert!(ids.contains(&withdrew.id.as_str()), "{found}");
        assert!(!ids.contains(&someone_else.id.as_str()));
    }
    let found = export(app, &admin, json!({"customer_number": "555123"})).await;
    let everything = found.to_string();
    assert!(
        everything.contains("routern blinkar rött"),
        "messages are exported"
    );
    assert!(
        everything.contains(&reference) && everything.contains(&withdrawal),
        "cancellations and withdrawals are exported"
    );

    // Nobody named: a clear 422, nothing erased.
    let response = app
        .post_staff("/api/v1/admin/customers/erase", &admin, json!({}))
        .await;
    assert_eq!(
        crate::common::error_code(response, StatusCode::UNPROCESSABLE_ENTITY).await,
        "subject_missing"
    );

    let response = app
        .post_staff(
            "/api/v1/admin/customers/erase",
            &admin,
            json!({"customer_number": "555123"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report, json!({"deleted": 1, "kept_for_cancellations": 2}));

    // Gone for the customer's own tokens too.
    for chat in [&chatted, &cancelled, &withdrew] {
        let response = app
            .client
            .get(app.url(&format!("/api/v1/conversations/{}", chat.id)))
            .bearer_auth(&chat.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
    // Only the written requests remain, without the chats around them.
    let left = export(app, &admin, json!({"customer_number": "555123"})).await;
    let mut kept_ids = conversation_ids(&left);
    kept_ids.sort_unstable();
    let mut expected = [cancelled.id.as_str(), withdrew.id.as_str()];
    expected.sort_unstable();
    assert_eq!(kept_ids, expected, "{left}");
    for kept in left["conversations"].as_array().unwrap() {
        assert_eq!(kept["messages"], json!([]));
        let kept_reference = &kept["cancellations"][0]["reference"];
        assert!(
            kept_reference == reference.as_str() || kept_reference == withdrawal.as_str(),
            "{kept}"
        );
    }
    assert!(!left.to_string().contains("routern blinkar"));
    // The agent can still work the cancellation.
    let queue = app
        .client
        .get(app.url("/api/v1/agent/handoffs?queue=cancellation"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(queue.status(), StatusCode::OK);
    let queue: Value = queue.json().await.unwrap();
    let handoff = queue["handoffs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["conversation_id"] == cancelled.id.as_str())
        .expect("the cancellation is still in its queue")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let detail = app
        .client
        .get(app.url(&format!("/api/v1/agent/handoffs/{handoff}")))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(detail.status(), StatusCode::OK);
    // Someone else's conversation is untouched.
    assert_eq!(
        app.read(&someone_else).await["messages"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

on_both_engines!(export_and_erase_keep_only_written_cancellations);

#[tokio::test]
async fn the_cli_exports_and_erases_a_customer() {
    let app = spawn_app(Backend::Sqlite).await;
    let chat = start_with(&app, json!({"customer_number": "4242"})).await;
    app.say(&chat, json!({"text": "tv-boxen startar om hela tiden"}))
        .await;
    let db = app.stop().await;
    let felsok = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_felsok"))
            .args(args)
            .args(["--database-url", &db.url])
            .output()
            .expect("felsok runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    let exported: Value = serde_json::from_str(&felsok(&[
        "customer",
        "export",
        "--customer-number",
        "4242",
    ]))
    .expect("the export is JSON");
    assert_eq!(conversation_ids(&exported), [chat.id.as_str()]);
    assert!(exported.to_string().contains("tv-boxen startar om"));
    let said = felsok(&["customer", "erase", "--customer-number", "4242"]);
    assert!(said.contains("erased 1 conversation"), "{said}");
    let exported: Value = serde_json::from_str(&felsok(&[
        "customer",
        "export",
        "--customer-number",
        "4242",
    ]))
    .unwrap();
    assert_eq!(exported["conversations"], json!([]));
    db.drop_database().await;
}

async fn the_retention_period_forgets_idle_conversations(app: &TestApp) {
    let idle = app.start_chat("sv").await;
    app.say(&idle, json!({"text": "hej"})).await;
    let waiting = app.start_chat("en").await;
    app.say(&waiting, json!({"action": "talk_to_human"})).await;
    let cancelled = app.start_chat("sv").await;
    cancel_in_writing(app, &cancelled, "1010").await;

    let store = Store::connect(&app.db.url, 1).await.unwrap();
    // Every conversation is older than a zero-length period; those waiting for an agent (the
    // customer who asked for one, the cancellation in its queue) are kept all the same.
    let erased = felsok::conversation::privacy::forget_idle(&store, Duration::ZERO)
        .await
        .unwrap();
    store.close().await;
    assert_eq!(erased.deleted, 1, "{erased:?}");
    assert_eq!(erased.kept_for_cancellations, 0, "{erased:?}");
    let status = |chat: &Chat| {
        app.client
            .get(app.url(&format!("/api/v1/conversations/{}", chat.id)))
            .bearer_auth(&chat.token)
            .send()
    };
    assert_eq!(status(&idle).await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(status(&waiting).await.unwrap().status(), StatusCode::OK);
    assert_eq!(status(&cancelled).await.unwrap().status(), StatusCode::OK);
}

on_both_engines!(the_retention_period_forgets_idle_conversations);
