//! The attacks of the security review, each reproduced against the running application over
//! loopback (bounded in count and time), and each now refused.

use std::time::Duration;

use crate::common::{
    error_code, spawn_app, spawn_app_on, Backend, ServerProcess, TestApp, TestDatabase,
};
use felsok::auth::StaffRole;
use felsok::config::{Budget, RateLimitSettings, Switch};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn app_with(
    backend: Backend,
    tweak: impl FnOnce(&mut felsok::config::ServeSettings),
) -> TestApp {
    spawn_app_on(TestDatabase::create(backend).await, tweak).await
}

/// Sends raw bytes on a fresh connection and returns what came back before the server
/// closed it or a second passed.
async fn raw_exchange(addr: &str, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let _ = stream.write_all(request).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(1), stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

fn cancellation_form(service: &str, email: Option<&str>) -> Value {
    json!({
        "service": service,
        "full_name": "Anna Svensson",
        "email": email,
        "comment": "Verifiera på https://phish.example/login"
    })
}

// ---------------------------------------------------------------- 1. metrics labels

#[tokio::test]
async fn odd_methods_add_no_metrics_and_metrics_need_a_token_or_the_private_address() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDatabase::create(Backend::Sqlite).await;
    let metrics_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let metrics_addr = format!("127.0.0.1:{metrics_port}");
    let server = ServerProcess::start_with(
        &db.url,
        dir.path(),
        &[("FELSOK_METRICS_ADDR", metrics_addr.as_str())],
    )
    .await;
    let addr = server.base.trim_start_matches("http://").to_owned();

    // 300 requests, each with a method of its own, 2 kB long: each was a new time series.
    for i in 0..300 {
        let method = format!("X{i:04}{}", "M".repeat(2000));
        let answer = raw_exchange(
            &addr,
            format!("{method} /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await;
        assert!(answer.starts_with("HTTP/1.1 "), "{answer:.80}");
    }
    // A 200 kB request line is refused outright.
    let huge = format!(
        "{} /healthz HTTP/1.1\r\nhost: x\r\n\r\n",
        "M".repeat(200_000)
    );
    let answer = raw_exchange(&addr, huge.as_bytes()).await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 431"),
        "{answer:.80}"
    );

    let client = reqwest::Client::new();
    let public = client
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(public, StatusCode::UNAUTHORIZED).await,
        "missing_token"
    );
    let private = client
        .get(format!("http://{metrics_addr}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(private.status(), StatusCode::OK);
    let body = private.text().await.unwrap();
    assert!(body.contains("http_requests_total"), "{body:.400}");
    assert!(body.contains("method=\"other\""), "{body:.400}");
    assert!(!body.contains("X0001"), "a custom method became a label");
    assert!(body.len() < 100_000, "metrics grew to {} bytes", body.len());
    server.kill_9();
    db.drop_database().await;
}

// ---------------------------------------------------------------- 2. streams and connections

async fn open_stream(app: &TestApp, id: &str, token: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/api/v1/conversations/{id}/events")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn streams_are_capped_per_conversation_and_per_client() {
    let app = app_with(Backend::Sqlite, |s| {
        s.limits.max_streams_per_conversation = 3;
        s.limits.max_streams_per_client = 5;
    })
    .await;
    let first = app.start_chat("sv").await;
    let mut open = Vec::new();
    for _ in 0..3 {
        let stream = open_stream(&app, &first.id, &first.token).await;
        assert_eq!(stream.status(), StatusCode::OK);
        open.push(stream);
    }
    let refused = open_stream(&app, &first.id, &first.token).await;
    assert_eq!(
        error_code(refused, StatusCode::TOO_MANY_REQUESTS).await,
        "too_many_streams"
    );
    // Closing one gives its place back.
    drop(open.pop());
    let mut reopened = None;
    for _ in 0..100 {
        let stream = open_stream(&app, &first.id, &first.token).await;
        if stream.status() == StatusCode::OK {
            reopened = Some(stream);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    open.push(reopened.expect("a closed stream's place is given back"));

    // Across conversations, one client address holds at most five.
    let second = app.start_chat("sv").await;
    for _ in 0..2 {
        let stream = open_stream(&app, &second.id, &second.token).await;
        assert_eq!(stream.status(), StatusCode::OK);
        open.push(stream);
    }
    let refused = open_stream(&app, &second.id, &second.token).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);

    // Every open stream still gets the conversation's news, read once for all of them.
    let said = app.say(&first, json!({"text": "hej"})).await;
    assert!(!said.is_empty());
    for stream in open.iter_mut().take(3) {
        let chunk = tokio::time::timeout(Duration::from_secs(10), stream.chunk())
            .await
            .expect("an event within 10 s")
            .unwrap()
            .unwrap();
        assert!(!chunk.is_empty());
    }
    drop(open);
    app.finish().await;
}

#[tokio::test]
async fn connections_are_capped_per_client_and_given_back() {
    let app = app_with(Backend::Sqlite, |s| {
        s.limits.max_connections_per_client = 20;
    })
    .await;
    let addr = app.addr.to_string();
    let mut held = Vec::new();
    for _ in 0..20 {
        held.push(TcpStream::connect(&addr).await.unwrap());
    }
    // Let the server accept all twenty before the next.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let answer = raw_exchange(&addr, b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n").await;
    assert!(
        answer.is_empty(),
        "the 21st connection was served: {answer:.80}"
    );
    drop(held);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let answer = raw_exchange(
        &addr,
        b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:.80}");
    app.finish().await;
}

// ---------------------------------------------------------------- 3. cancellation flood

async fn submit(app: &TestApp, id: &str, token: &str, form: &Value) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/conversations/{id}/cancellation")))
        .bearer_auth(token)
        .json(form)
        .send()
        .await
        .unwrap()
}

async fn flood_is_one_receipt_per_subscription_and_every_handoff_is_reachable(app: &TestApp) {
    let flooder = app.start_chat("sv").await;
    let first: Value = submit(
        app,
        &flooder.id,
        &flooder.token,
        &cancellation_form("Bredband", None),
    )
    .await
    .json()
    .await
    .unwrap();
    // The same subscription, reworded a hundred times: the first receipt every time.
    for i in 0..100 {
        let form = json!({
            "service": if i % 2 == 0 { "bredband" } else { " BREDBAND " },
            "full_name": format!("Anna {i}"),
        });
        let again: Value = submit(app, &flooder.id, &flooder.token, &form)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(again["reference"], first["reference"]);
    }
    // Different subscriptions: a household's few, then no more.
    let mut refused = None;
    for i in 0..20 {
        let response = submit(
            app,
            &flooder.id,
            &flooder.token,
            &cancellation_form(&format!("Mobil 070-000 00 {i:02}"), None),
        )
        .await;
        if response.status() == StatusCode::CONFLICT {
            refused = Some(error_code(response, StatusCode::CONFLICT).await);
            break;
        }
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    assert_eq!(refused.as_deref(), Some("too_many_cancellations"));

    // A real customer's cancellation after the flood is on the agents' list, page by page.
    let real = app.start_chat("sv").await;
    let receipt: Value = submit(app, &real.id, &real.token, &cancellation_form("Tv", None))
        .await
        .json()
        .await
        .unwrap();
    let agent = app.staff_token(StaffRole::Agent, "Maria").await;
    let mut cursor: Option<String> = None;
    let mut seen = Vec::new();
    for _ in 0..50 {
        let mut url = app.url("/api/v1/agent/handoffs?queue=cancellation&limit=3");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page = crate::common::get_json(&app.client, &url, &agent).await;
        let handoffs = page["handoffs"].as_array().unwrap();
        assert!(handoffs.len() <= 3);
        seen.extend(
            handoffs
                .iter()
                .map(|h| h["conversation_id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert!(seen.contains(&real.id), "{receipt}");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        2,
        "each conversation's handoffs, no page twice"
    );
    let bad = app
        .client
        .get(app.url("/api/v1/agent/handoffs?cursor=not-a-cursor"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(bad, StatusCode::UNPROCESSABLE_ENTITY).await,
        "invalid_cursor"
    );
}

on_both_engines!(flood_is_one_receipt_per_subscription_and_every_handoff_is_reachable);

#[tokio::test]
async fn forms_are_limited_per_client_and_the_conversation_cap_applies() {
    let app = app_with(Backend::Sqlite, |s| {
        s.rate_limits = RateLimitSettings {
            switch: Switch::On,
            cancellation_forms: Budget { per_minute: 3 },
            ..RateLimitSettings::default()
        };
        s.limits.max_conversation_messages = 4;
    })
    .await;
    let chat = app.start_chat("sv").await;
    app.say(&chat, json!({"text": "hej"})).await;
    // Greeting, "hej" and its answer: the receipt would be the fourth message, and is not.
    app.say(&chat, json!({"text": "hallå"})).await;
    let full = submit(&app, &chat.id, &chat.token, &cancellation_form("Tv", None)).await;
    assert_eq!(
        error_code(full, StatusCode::CONFLICT).await,
        "conversation_full"
    );
    let other = app.start_chat("sv").await;
    let second = submit(
        &app,
        &other.id,
        &other.token,
        &cancellation_form("Tv", None),
    )
    .await;
    assert_eq!(second.status(), StatusCode::CREATED);
    let third = submit(
        &app,
        &other.id,
        &other.token,
        &cancellation_form("Tv", None),
    )
    .await;
    assert_eq!(
        third.status(),
        StatusCode::OK,
        "the same form, the same receipt"
    );
    let over = submit(
        &app,
        &other.id,
        &other.token,
        &cancellation_form("Mobil", None),
    )
    .await;
    assert_eq!(
        error_code(over, StatusCode::TOO_MANY_REQUESTS).await,
        "rate_limited"
    );
    app.finish().await;
}

// ---------------------------------------------------------------- 4. rate-limit bypasses

fn limited(conversation: u32, public: u32, failed: u32) -> RateLimitSettings {
    RateLimitSettings {
        switch: Switch::On,
        conversation_requests: Budget {
            per_minute: conversation,
        },
        public_requests: Budget { per_minute: public },
        failed_requests: Budget { per_minute: failed },
        ..RateLimitSettings::default()
    }
}

#[tokio::test]
async fn encodings_random_tokens_and_long_texts_buy_no_extra_allowance() {
    let app = app_with(Backend::Sqlite, |s| s.rate_limits = limited(4, 20, 5)).await;
    let chat = app.start_chat("sv").await;
    // Each percent-encoding of the id is the same conversation's bucket.
    let encoded: String = chat
        .id
        .chars()
        .map(|c| format!("%{:02X}", c as u32))
        .collect();
    let mut statuses = Vec::new();
    for i in 0..5 {
        let id = if i % 2 == 0 {
            chat.id.clone()
        } else {
            encoded.clone()
        };
        let response = app
            .client
            .get(app.url(&format!("/api/v1/conversations/{id}")))
            .bearer_auth(&chat.token)
            .send()
            .await
            .unwrap();
        statuses.push(response.status());
    }
    assert_eq!(statuses[..4], [StatusCode::OK; 4]);
    assert_eq!(statuses[4], StatusCode::TOO_MANY_REQUESTS);

    // A made-up bearer token on classify stays in the public budget.
    let classify = |token: String, text: String| {
        let request = app
            .client
            .post(app.url("/api/v1/classify"))
            .bearer_auth(token)
            .json(&json!({"text": text}));
        async move { request.send().await.unwrap().status() }
    };
    // A 4,000-character text costs as much as 17 short ones: two of them spend 20.
    let long = "internet funkar inte ".repeat(190);
    assert_eq!(classify("a".into(), long.clone()).await, StatusCode::OK);
    let second = classify(uuid::Uuid::new_v4().to_string(), long).await;
    assert_eq!(second, StatusCode::TOO_MANY_REQUESTS);
    app.finish().await;
}

#[tokio::test]
async fn wrong_tokens_never_spend_the_owners_allowance_and_guessing_is_slowed() {
    let app = app_with(Backend::Sqlite, |s| {
        s.rate_limits = RateLimitSettings {
            trust_forwarded_for: true,
            ..limited(10, 20, 5)
        }
    })
    .await;
    let victim = app.start_chat("sv").await;
    let read_as = |from: &'static str, token: String| {
        let request = app
            .client
            .get(app.url(&format!("/api/v1/conversations/{}", victim.id)))
            .header("x-forwarded-for", from)
            .bearer_auth(token);
        async move { request.send().await.unwrap().status() }
    };
    let mut guesses = Vec::new();
    for _ in 0..40 {
        guesses.push(read_as("192.0.2.66", uuid::Uuid::new_v4().to_string()).await);
    }
    assert_eq!(guesses[..5], [StatusCode::NOT_FOUND; 5]);
    assert!(guesses[5..]
        .iter()
        .all(|s| *s == StatusCode::TOO_MANY_REQUESTS));
    // The owner, from their own address, still has the whole allowance of ten.
    for _ in 0..10 {
        assert_eq!(
            read_as("192.0.2.10", victim.token.clone()).await,
            StatusCode::OK
        );
    }
    assert_eq!(
        read_as("192.0.2.10", victim.token.clone()).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    app.finish().await;
}

// ---------------------------------------------------------------- 5. revoked and erased

#[tokio::test]
async fn a_revoked_token_and_an_erased_conversation_end_their_streams() {
    let app = app_with(Backend::Sqlite, |_| {}).await;
    let agent = app.staff_token(StaffRole::Agent, "Maria").await;
    let admin = app.staff_token(StaffRole::Admin, "Ada").await;
    let mut inbox = app
        .client
        .get(app.url("/api/v1/agent/events"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(inbox.status(), StatusCode::OK);
    let chat = app.start_chat("sv").await;
    let mut chat_stream = open_stream(&app, &chat.id, &chat.token).await;

    // Revoke the agent's token, then the customer asks for a person: nothing reaches it.
    let store = felsok::storage::Store::connect(&app.db.url, 1)
        .await
        .unwrap();
    let id = store
        .staff_tokens()
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.name == "Maria")
        .unwrap()
        .id;
    assert!(store
        .revoke_staff_token(&id, felsok::timestamp::Timestamp::now())
        .await
        .unwrap());
    store.close().await;
    app.say(&chat, json!({"text": "jag vill prata med en människa"}))
        .await;
    let mut received = String::new();
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(chunk) = inbox.chunk().await.unwrap() {
            received.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await;
    assert!(ended.is_ok(), "the revoked agent's stream stayed open");
    assert!(!received.contains("event: conversation"), "{received}");

    // Erase the customer: their open stream ends.
    let erase = app
        .client
        .post(app.url("/api/v1/admin/customers/erase"))
        .bearer_auth(&admin)
        .json(&json!({"conversation_id": chat.id}))
        .send()
        .await
        .unwrap();
    assert!(
        erase.status().is_success(),
        "{}",
        erase.text().await.unwrap()
    );
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        while chat_stream.chunk().await.unwrap().is_some() {}
    })
    .await;
    assert!(
        ended.is_ok(),
        "the erased conversation's stream stayed open"
    );
    app.finish().await;
}

// ---------------------------------------------------------------- 7. erased text on disk

#[tokio::test]
async fn erased_text_is_gone_from_every_file_of_the_database() {
    let app = app_with(Backend::Sqlite, |_| {}).await;
    let admin = app.staff_token(StaffRole::Admin, "Ada").await;
    let chat = app.start_chat("sv").await;
    let marker = "Kvarnbergsgatan 17 lgh 1203 telefon 0701234567";
    app.say(
        &chat,
        json!({"text": format!("internet är nere på {marker}")}),
    )
    .await;
    let path = app.db.url.trim_start_matches("sqlite://").to_owned();
    let files = || {
        ["", "-wal", "-shm"]
            .iter()
            .filter_map(|suffix| std::fs::read(format!("{path}{suffix}")).ok())
            .collect::<Vec<_>>()
    };
    let holds = |needle: &str| {
        files()
            .iter()
            .any(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
    };
    assert!(holds("Kvarnbergsgatan"), "the text is on disk before");
    let erase = app
        .client
        .post(app.url("/api/v1/admin/customers/erase"))
        .bearer_auth(&admin)
        .json(&json!({"conversation_id": chat.id}))
        .send()
        .await
        .unwrap();
    assert!(erase.status().is_success());
    assert!(!holds("Kvarnbergsgatan"), "erased text left on disk");
    assert!(!holds("0701234567"), "erased phone number left on disk");
    app.finish().await;
}

// ---------------------------------------------------------------- 10. bidi controls

#[tokio::test]
async fn bidi_overrides_are_not_stored() {
    let app = app_with(Backend::Sqlite, |_| {}).await;
    let chat = app.start_chat("sv").await;
    app.say(&chat, json!({"text": "fakturan\u{202E}fdp.exe är fel"}))
        .await;
    let view = app.read(&chat).await;
    let texts: Vec<&str> = view["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["text"].as_str())
        .collect();
    assert!(
        texts.iter().any(|t| t.contains("fakturanfdp.exe")),
        "{texts:?}"
    );
    assert!(texts.iter().all(|t| !t.contains('\u{202E}')));
    app.finish().await;
}

// ---------------------------------------------------------------- 9. secrets in help

#[test]
fn help_never_prints_the_database_or_mail_password() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_felsok"))
        .args(["serve", "--help"])
        .env("DATABASE_URL", "postgres://felsok:hemligt-pg@db/felsok")
        .env(
            "FELSOK_SMTP_URL",
            "smtps://mail:hemligt-smtp@smtp.example.se",
        )
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("--database-url"), "{help}");
    assert!(!help.contains("hemligt"), "{help}");
}

// ---------------------------------------------------------------- 11. staff token storage

#[tokio::test]
async fn staff_pages_sign_in_with_an_http_only_cookie_kept_off_customer_paths() {
    let app = app_with(Backend::Sqlite, |_| {}).await;
    let agent = app.staff_token(StaffRole::Agent, "Maria").await;
    let response = app
        .client
        .post(app.url("/api/v1/staff/session"))
        .json(&json!({"token": agent}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(!cookies.is_empty());
    for cookie in &cookies {
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Strict"), "{cookie}");
        let path = cookie
            .split("; ")
            .find_map(|p| p.strip_prefix("Path="))
            .unwrap();
        assert!(
            path.starts_with("/api/v1/") && path.len() > "/api/v1/".len(),
            "{cookie}"
        );
        assert!(!"/api/v1/conversations".starts_with(path), "{cookie}");
        assert!(!"/".starts_with(path) || path != "/", "{cookie}");
    }
    // The cookie alone signs a request in, as a browser would send it.
    let token_cookie = cookies[0].split(';').next().unwrap().to_owned();
    let me: Value = app
        .client
        .get(app.url("/api/v1/staff/me"))
        .header("cookie", &token_cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "agent");
    let wrong = app
        .client
        .post(app.url("/api/v1/staff/session"))
        .json(&json!({"token": "not-a-real-token-at-all-aaaaaaaaaaaaaaaaaaa"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().get("set-cookie").is_none());
    app.finish().await;
}

// ---------------------------------------------------------------- 8. a guide of many lines

#[tokio::test]
async fn a_guide_with_thousands_of_symptom_lines_is_refused_before_any_is_encoded() {
    let app = app_with(Backend::Sqlite, |_| {}).await;
    let editor = app.staff_token(StaffRole::Editor, "Eva").await;
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/knowledge/guides/case-status-sv.md"
    ))
    .unwrap();
    let lines: String = (0..3850).map(|i| format!("  - s{i}\n")).collect();
    let crowded = source.replacen("symptoms:\n", &format!("symptoms:\n{lines}"), 1);
    assert!(
        crowded.len() < 64 * 1024,
        "inside the size limit: {}",
        crowded.len()
    );
    let response = app
        .client
        .put(app.url("/api/v1/guides/case-status-sv"))
        .bearer_auth(&editor)
        .header("content-type", "text/markdown")
        .body(crowded)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert!(body.to_string().contains("symptoms: at most"), "{body}");
    // Customers are answered at once meanwhile.
    let chat = app.start_chat("sv").await;
    assert!(!app
        .say(&chat, json!({"text": "internet funkar inte"}))
        .await
        .is_empty());
    app.finish().await;
}

// ---------------------------------------------------------------- 9. secrets in the delivery log

#[tokio::test]
async fn a_failed_webhook_keeps_its_url_and_key_out_of_the_delivery_log() {
    // A port nobody listens on: every delivery fails with "no answer".
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/hook?api_key=hemlig-nyckel-123",
        closed.local_addr().unwrap()
    );
    drop(closed);
    let app = app_with(Backend::Sqlite, |s| {
        s.webhook_url = Some(url);
        s.webhook_secret = Some("a-secret-of-sixteen-or-more".to_owned());
    })
    .await;
    let admin = app.staff_token(StaffRole::Admin, "Ada").await;
    let chat = app.start_chat("sv").await;
    app.say(&chat, json!({"action": "talk_to_human"})).await;
    let mut last_error = String::new();
    for _ in 0..200 {
        let log = crate::common::get_json(
            &app.client,
            &app.url("/api/v1/admin/webhook-deliveries"),
            &admin,
        )
        .await;
        if let Some(error) = log["deliveries"][0]["last_error"].as_str() {
            last_error = error.to_owned();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(last_error.starts_with("no answer"), "{last_error:?}");
    assert!(!last_error.contains("hemlig"), "{last_error}");
    assert!(!last_error.contains("api_key"), "{last_error}");
    app.finish().await;
}
