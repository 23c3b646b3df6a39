//! Acknowledged means committed: what the API answered 2xx for survives a restart, `kill -9`
//! of the process, and (on SQLite) is synced so that it would survive an OS crash too.

use std::process::Command;

use crate::common::{
    spawn_app, spawn_app_on, start_chat_at, Backend, ServerProcess as Server, TestApp, TestDatabase,
};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sqlx::{Connection, Row};

async fn kill_9_loses_nothing_acknowledged(backend: Backend) {
    let db = TestDatabase::create(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let client = Client::new();
    let server = Server::start(&db.url, dir.path()).await;
    let chat = start_chat_at(&client, &server.base).await;
    let mut acknowledged = Vec::new();
    for i in 0..20 {
        let text = format!("meddelande nummer {i} före kraschen");
        let response = client
            .post(format!(
                "{}/api/v1/conversations/{}/messages",
                server.base, chat.id
            ))
            .bearer_auth(&chat.token)
            .json(&json!({"text": text}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        acknowledged.push(text);
    }
    server.kill_9();

    let server = Server::start(&db.url, dir.path()).await;
    let url = format!("{}/api/v1/conversations/{}", server.base, chat.id);
    let view = crate::common::get_json(&client, &url, &chat.token).await;
    let stored: Vec<&str> = view["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "customer")
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(stored, acknowledged);
    server.kill_9();
    db.drop_database().await;
}

on_both_engines!(engine: kill_9_loses_nothing_acknowledged);

/// The receipts the customer was shown, of a cancellation and of a withdrawal (the
/// acknowledgement the law asks for), exist after `kill -9` right after the answers.
async fn kill_9_right_after_a_cancellation_keeps_the_receipt(backend: Backend) {
    let db = TestDatabase::create(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let client = Client::new();
    let server = Server::start(&db.url, dir.path()).await;
    let chat = start_chat_at(&client, &server.base).await;
    let made = (time::OffsetDateTime::now_utc().date() - time::Duration::days(3)).to_string();
    let mut answers = Vec::new();
    for (path, body) in [
        (
            "cancellation",
            json!({"service": "Bredband", "full_name": "Anna Svensson"}),
        ),
        (
            "withdrawal",
            json!({"contract": "Mobil 5 GB", "full_name": "Anna Svensson", "contract_date": made}),
        ),
    ] {
        let response = client
            .post(format!(
                "{}/api/v1/conversations/{}/{path}",
                server.base, chat.id
            ))
            .bearer_auth(&chat.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED, "{path}");
        answers.push(response.json::<Value>().await.unwrap());
    }
    server.kill_9();

    let server = Server::start(&db.url, dir.path()).await;
    for answer in &answers {
        let reference = answer["reference"].as_str().unwrap();
        let kept = client
            .get(format!(
                "{}/api/v1/conversations/{}/cancellations/{reference}/receipt",
                server.base, chat.id
            ))
            .bearer_auth(&chat.token)
            .send()
            .await
            .unwrap();
        assert_eq!(kept.status(), StatusCode::OK, "{reference}");
        assert_eq!(
            kept.text().await.unwrap(),
            answer["receipt"].as_str().unwrap()
        );
    }
    server.kill_9();
    db.drop_database().await;
}

on_both_engines!(engine: kill_9_right_after_a_cancellation_keeps_the_receipt);

#[tokio::test]
async fn sigterm_shuts_down_gracefully() {
    let db = TestDatabase::create(Backend::Sqlite).await;
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(&db.url, dir.path()).await;
    let client = Client::new();
    start_chat_at(&client, &server.base).await;
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = server.child.wait().unwrap();
    assert!(exit.success(), "felsok exited with {exit:?} on SIGTERM");
}

async fn a_restarted_service_still_has_every_conversation(backend: Backend) {
    let app = spawn_app(backend).await;
    let chat = app.start_chat("sv").await;
    app.say(&chat, json!({"text": "Nätet är nere sedan i morse"}))
        .await;
    let before = app.read(&chat).await;
    let db = app.stop().await;
    let app: TestApp = spawn_app_on(db, |_| {}).await;
    let after = app.read(&chat).await;
    assert_eq!(before, after);
    // And the conversation carries on where it was.
    let replies = app.say(&chat, json!({"action": "talk_to_human"})).await;
    assert_eq!(replies.len(), 2, "the handover and the place in the queue");
    app.finish().await;
}

on_both_engines!(engine: a_restarted_service_still_has_every_conversation);

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_full_sync() {
    let app = spawn_app(Backend::Sqlite).await;
    app.start_chat("sv").await;
    let url = app.db.url.clone();
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let mode: String = sqlx::query("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get(0);
    assert_eq!(mode, "wal");
    drop(conn);
    // `synchronous` is per connection: ask the service's own settings through a fresh store.
    let store = felsok::storage::Store::connect(&url, 1).await.unwrap();
    assert_eq!(
        store.sqlite_synchronous().await.unwrap(),
        Some(2),
        "2 = FULL"
    );
    store.close().await;
    app.finish().await;
}
