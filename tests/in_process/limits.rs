//! Limits that keep one client from hurting the rest: request-rate budgets (429 with
//! `Retry-After`), a cap on a conversation's length, and a deadline for request headers.

use std::time::Duration;

use crate::common::{error_code, spawn_app_on, Backend, TestApp, TestDatabase};
use felsok::auth::StaffRole;
use felsok::config::{Budget, RateLimitSettings, Switch};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn budgets(new_conversations: u32, conversation: u32, staff: u32) -> RateLimitSettings {
    RateLimitSettings {
        switch: Switch::On,
        new_conversations: Budget {
            per_minute: new_conversations,
        },
        conversation_requests: Budget {
            per_minute: conversation,
        },
        staff_requests: Budget { per_minute: staff },
        ..RateLimitSettings::default()
    }
}

async fn app_with(tweak: impl FnOnce(&mut felsok::config::ServeSettings)) -> TestApp {
    spawn_app_on(TestDatabase::create(Backend::Sqlite).await, tweak).await
}

/// A 429 in the contract's form, with a `Retry-After` of at least a second.
async fn assert_rate_limited(response: Response) {
    let retry_after: u64 = response
        .headers()
        .get("retry-after")
        .expect("Retry-After is set")
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After is whole seconds");
    assert!(
        (1..=60).contains(&retry_after),
        "Retry-After: {retry_after}"
    );
    assert_eq!(
        error_code(response, StatusCode::TOO_MANY_REQUESTS).await,
        "rate_limited"
    );
}

async fn read_status(app: &TestApp, id: &str, token: &str) -> Response {
    app.client
        .get(app.url(&format!("/api/v1/conversations/{id}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn inbox(app: &TestApp, token: &str) -> Response {
    app.client
        .get(app.url("/api/v1/agent/handoffs"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn each_budget_runs_out_on_its_own_with_429_and_retry_after() {
    let app = app_with(|s| s.rate_limits = budgets(2, 3, 2)).await;

    // New conversations, per client address.
    let first = app.start_chat("sv").await;
    let second = app.start_chat("en").await;
    assert_rate_limited(app.create(json!({"locale": "sv"})).await).await;

    // Requests on one conversation: its own budget, untouched by the other's.
    for _ in 0..3 {
        assert_eq!(
            read_status(&app, &first.id, &first.token).await.status(),
            StatusCode::OK
        );
    }
    assert_rate_limited(read_status(&app, &first.id, &first.token).await).await;
    assert_rate_limited(app.post(&first, json!({"text": "hallå?"})).await).await;
    assert_eq!(
        read_status(&app, &second.id, &second.token).await.status(),
        StatusCode::OK,
        "another conversation is not slowed by the first"
    );

    // Staff calls, per token.
    let busy = app.staff_token(StaffRole::Agent, "Busy").await;
    let calm = app.staff_token(StaffRole::Agent, "Calm").await;
    for _ in 0..2 {
        assert_eq!(inbox(&app, &busy).await.status(), StatusCode::OK);
    }
    assert_rate_limited(inbox(&app, &busy).await).await;
    assert_eq!(inbox(&app, &calm).await.status(), StatusCode::OK);

    // What is never limited: health checks and the pages.
    for _ in 0..5 {
        let health = app.client.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(health.status(), StatusCode::OK);
    }
    app.finish().await;
}

#[tokio::test]
async fn limits_turned_off_let_a_load_test_through() {
    let app = app_with(|s| {
        s.rate_limits = RateLimitSettings {
            switch: Switch::Off,
            ..budgets(1, 1, 1)
        }
    })
    .await;
    for _ in 0..5 {
        let chat = app.start_chat("sv").await;
        for _ in 0..3 {
            assert_eq!(
                read_status(&app, &chat.id, &chat.token).await.status(),
                StatusCode::OK
            );
        }
    }
    app.finish().await;
}

#[tokio::test]
async fn a_full_conversation_refuses_more_and_keeps_what_it_has() {
    let app = app_with(|s| s.limits.max_conversation_messages = 6).await;
    let chat = app.start_chat("sv").await;
    let mut refused = None;
    for i in 0..10 {
        let response = app
            .post(&chat, json!({"text": format!("hej igen, fråga {i}")}))
            .await;
        if response.status() != StatusCode::OK {
            refused = Some(response);
            break;
        }
    }
    let before: Value = app.read(&chat).await;
    let stored = before["messages"].as_array().unwrap().len();
    assert!(
        stored <= 6 + 4,
        "a turn adds a few messages at most: {stored}"
    );
    let response = refused.expect("the conversation fills up");
    assert_eq!(
        error_code(response, StatusCode::CONFLICT).await,
        "conversation_full"
    );
    let after = app.read(&chat).await;
    assert_eq!(
        after["messages"].as_array().unwrap().len(),
        stored,
        "nothing of the refused message is stored"
    );
    // The evidence stays available.
    let transcript = app
        .client
        .get(app.url(&format!("/api/v1/conversations/{}/transcript", chat.id)))
        .bearer_auth(&chat.token)
        .send()
        .await
        .unwrap();
    assert_eq!(transcript.status(), StatusCode::OK);
    app.finish().await;
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let app = app_with(|s| s.limits.header_timeout_secs = 1).await;
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: felsok\r\nX-Slow: ")
        .await
        .unwrap();
    let mut answer = Vec::new();
    // The guard only keeps a broken build from hanging the suite; the server's deadline is 1 s.
    // Closed or reset: either way the connection is gone.
    let _closed = tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection");
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        !answer.contains("200 OK"),
        "an unfinished request is never served: {answer}"
    );

    // A normal client on the same server is unaffected.
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    app.finish().await;
}
