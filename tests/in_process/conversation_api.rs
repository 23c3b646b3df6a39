//! The customer conversation API of the contract, on SQLite and PostgreSQL.

use crate::common::{action_ids, error_code, spawn_app, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn action_kinds(message: &Value) -> Vec<String> {
    message["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_new_conversation_greets_in_swedish_by_default(app: &TestApp) {
    let response = app
        .client
        .post(app.url("/api/v1/conversations"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    assert!(body["token"].as_str().unwrap().len() >= 43);
    let greeting = &body["messages"][0];
    assert_eq!(greeting["role"], "bot");
    assert!(greeting["text"].as_str().unwrap().starts_with("Hej!"));
    assert!(greeting["created_at"].as_str().unwrap().ends_with('Z'));
    let kinds = action_kinds(greeting);
    assert!(kinds.contains(&"written_cancellation".to_owned()));
    assert!(kinds.contains(&"talk_to_human".to_owned()));
}

async fn an_english_conversation_is_answered_in_english(app: &TestApp) {
    let chat = app.start_chat("en-GB").await;
    assert!(chat.greeting[0]["text"]
        .as_str()
        .unwrap()
        .starts_with("Hi!"));
    let replies = app.say(&chat, json!({"text": "asdf qwerty"})).await;
    let text = replies[0]["text"].as_str().unwrap();
    assert!(
        text.starts_with("Sorry") || text.starts_with("I'm afraid"),
        "{text}"
    );
    let view = app.read(&chat).await;
    assert_eq!(view["locale"], "en");
}

async fn text_the_bot_cannot_place_gets_an_apology_and_topic_buttons(app: &TestApp) {
    let chat = app.start_chat("sv").await;
    let replies = app
        .say(&chat, json!({"text": "Vem vann fotbolls-VM 1958?"}))
        .await;
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0]["role"], "bot");
    let text = replies[0]["text"].as_str().unwrap();
    assert!(
        text.starts_with("Förlåt") || text.starts_with("Det kan jag tyvärr inte"),
        "{text}"
    );
    let ids = action_ids(&replies[0]);
    for id in [
        "topic:broadband",
        "topic:tv",
        "topic:mobile",
        "topic:billing",
    ] {
        assert!(ids.contains(&id.to_owned()), "{id} missing from {ids:?}");
    }
    let again = app
        .say(
            &chat,
            json!({"text": "Kan du ge mig ett recept på kanelbullar?"}),
        )
        .await;
    assert_eq!(action_ids(&again[0])[0], "talk_to_human");
}

async fn topic_buttons_lead_to_a_question_about_that_topic(app: &TestApp) {
    let chat = app.start_chat("sv").await;
    let replies = app.say(&chat, json!({"action": "topic:tv"})).await;
    assert!(replies[0]["text"].as_str().unwrap().contains("tv"));
    let replies = app
        .say(&chat, json!({"action": "written_cancellation"}))
        .await;
    assert_eq!(action_kinds(&replies[0])[0], "written_cancellation");
    assert!(replies[0]["text"]
        .as_str()
        .unwrap()
        .contains("säga upp ditt abonnemang skriftligt"));
}

async fn asking_for_a_person_queues_the_conversation_and_waiting_messages_are_heard(app: &TestApp) {
    let chat = app.start_chat("sv").await;
    app.say(&chat, json!({"action": "topic:billing"})).await;
    let replies = app.say(&chat, json!({"action": "talk_to_human"})).await;
    assert_eq!(replies.len(), 2);
    assert!(replies[0]["text"].as_str().unwrap().contains("kollega"));
    // The place in the queue, and no made-up estimate without history to go on.
    assert_eq!(replies[1]["role"], "system");
    let place = replies[1]["text"].as_str().unwrap();
    assert!(place.starts_with("Du är först i kön."), "{place}");
    assert!(
        place.contains("Vi kan inte säga hur lång väntetiden är"),
        "{place}"
    );
    let view = app.read(&chat).await;
    assert_eq!(view["status"], "queued");
    assert_eq!(view["waiting"]["position"], 1);
    assert!(view["waiting"].get("estimated_wait_minutes").is_none());
    // A message while waiting is heard with a short notice and the place in the queue; the
    // bot starts nothing of its own over the queue.
    let replies = app
        .say(&chat, json!({"text": "Hallå, är det någon där?"}))
        .await;
    assert_eq!(replies.len(), 2, "{replies:#?}");
    assert!(
        replies.iter().all(|r| r["role"] == "system"),
        "{replies:#?}"
    );
    assert!(replies.iter().all(|r| r["guide_step"].is_null()));
    let place = replies[1]["text"].as_str().unwrap();
    assert!(place.starts_with("Du är först i kön."), "{place}");
    let view = app.read(&chat).await;
    assert_eq!(view["status"], "queued");
    let customer = view["messages"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|m| m["role"] == "customer")
        .unwrap()
        .clone();
    assert_eq!(customer["text"], "Hallå, är det någon där?");
}

async fn reading_returns_every_message_in_order(app: &TestApp) {
    let chat = app.start_chat("sv").await;
    app.say(&chat, json!({"text": "Första"})).await;
    app.say(&chat, json!({"action": "topic:mobile"})).await;
    let view = app.read(&chat).await;
    assert_eq!(view["conversation_id"], chat.id.as_str());
    assert_eq!(view["status"], "bot");
    let roles: Vec<&str> = view["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["bot", "customer", "bot", "customer", "bot"]);
    assert_eq!(view["messages"][1]["text"], "Första");
    assert_eq!(view["messages"][3]["text"], "Mobil");
}

async fn the_transcript_downloads_as_text_and_json(app: &TestApp) {
    let chat = app.start_chat("sv").await;
    app.say(&chat, json!({"text": "Routern blinkar rött <b>hjälp</b>"}))
        .await;
    let url = app.url(&format!("/api/v1/conversations/{}/transcript", chat.id));
    let text = app
        .client
        .get(&url)
        .bearer_auth(&chat.token)
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), StatusCode::OK);
    let disposition = text.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment;"));
    assert!(disposition.contains(".txt"));
    assert!(text.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let body = text.text().await.unwrap();
    assert!(body.contains("Routern blinkar rött <b>hjälp</b>"));
    assert!(body.contains(&chat.id));

    let json_response = app
        .client
        .get(format!("{url}?format=json"))
        .bearer_auth(&chat.token)
        .send()
        .await
        .unwrap();
    assert!(json_response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains(".json"));
    let transcript: Value = json_response.json().await.unwrap();
    assert_eq!(transcript["messages"].as_array().unwrap().len(), 3);

    let bad = app
        .client
        .get(format!("{url}?format=xml"))
        .bearer_auth(&chat.token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(bad, StatusCode::BAD_REQUEST).await,
        "bad_request"
    );
}

async fn a_retry_with_the_same_client_message_id_returns_the_first_answer(app: &TestApp) {
    let chat = app.start_chat("sv").await;
    let body = json!({"text": "hej hej", "client_message_id": "retry-1"});
    let first = app.say(&chat, body.clone()).await;
    let second = app.say(&chat, body).await;
    assert_eq!(first, second);
    let view = app.read(&chat).await;
    assert_eq!(view["messages"].as_array().unwrap().len(), 3);
}

async fn concurrent_retries_store_the_message_once(app: &TestApp) {
    let chat = app.start_chat("sv").await;
    let body = json!({"text": "samtidigt", "client_message_id": "same-key"});
    let answers = futures::future::join_all((0..6).map(|_| app.say(&chat, body.clone()))).await;
    for answer in &answers {
        assert_eq!(answer, &answers[0]);
    }
    let view = app.read(&chat).await;
    let customer_messages = view["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "customer")
        .count();
    assert_eq!(customer_messages, 1);
}

async fn concurrent_messages_without_keys_are_all_kept_in_order(app: &TestApp) {
    let chat = app.start_chat("sv").await;
    let posts = (0..8).map(|i| app.say(&chat, json!({"text": format!("meddelande {i}")})));
    futures::future::join_all(posts).await;
    let view = app.read(&chat).await;
    let messages = view["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1 + 8 * 2);
    // Every customer message is directly followed by its answer.
    for pair in messages[1..].chunks(2) {
        assert_eq!(pair[0]["role"], "customer");
        assert_eq!(pair[1]["role"], "bot");
    }
}

async fn another_conversations_token_gets_404_and_no_token_gets_401(app: &TestApp) {
    let mine = app.start_chat("sv").await;
    let theirs = app.start_chat("sv").await;
    let response = app
        .post_as(&mine.id, &theirs.token, json!({"text": "hej"}))
        .await;
    assert_eq!(
        error_code(response, StatusCode::NOT_FOUND).await,
        "conversation_not_found"
    );
    for path in ["", "/transcript"] {
        let response = app
            .client
            .get(app.url(&format!("/api/v1/conversations/{}{path}", mine.id)))
            .bearer_auth(&theirs.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let response = app
            .client
            .get(app.url(&format!("/api/v1/conversations/{}{path}", mine.id)))
            .send()
            .await
            .unwrap();
        assert_eq!(
            error_code(response, StatusCode::UNAUTHORIZED).await,
            "missing_token"
        );
    }
    let unknown = app
        .post_as(
            "00000000-0000-0000-0000-000000000000",
            &mine.token,
            json!({"text": "hej"}),
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let garbage = app
        .post_as("not-an-id-at-all", &mine.token, json!({"text": "hej"}))
        .await;
    assert_eq!(garbage.status(), StatusCode::NOT_FOUND);
    // Nothing was stored in my conversation by the failed attempt.
    assert_eq!(
        app.read(&mine).await["messages"].as_array().unwrap().len(),
        1
    );
}

async fn bad_message_bodies_get_a_clear_4xx_and_nothing_is_stored(app: &TestApp) {
    let chat = app.start_chat("sv").await;
    let cases = [
        (
            json!({"text": ""}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty_text",
        ),
        (
            json!({"text": "   \n "}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty_text",
        ),
        (
            json!({"text": "x".repeat(4001)}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "text_too_long",
        ),
        (
            json!({"text": "a\u{0}b"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_text",
        ),
        (
            json!({"text": 5}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            json!({"txt": "hej"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            json!({}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "text_or_action",
        ),
        (
            json!({"text": "hej", "action": "talk_to_human"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "text_or_action",
        ),
        (
            json!({"action": "sell_upgrade"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_action",
        ),
        (
            json!({"text": "hej", "client_message_id": ""}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_client_message_id",
        ),
        (
            json!([1, 2]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
    ];
    for (body, status, code) in cases {
        let response = app.post(&chat, body.clone()).await;
        assert_eq!(error_code(response, status).await, code, "body {body}");
    }
    let url = app.url(&format!("/api/v1/conversations/{}/messages", chat.id));
    let raw = |bytes: Vec<u8>, content_type: &'static str| {
        app.client
            .post(&url)
            .bearer_auth(&chat.token)
            .header("content-type", content_type)
            .body(bytes)
            .send()
    };
    let malformed = raw(b"{\"text\": ".to_vec(), "application/json")
        .await
        .unwrap();
    assert_eq!(
        error_code(malformed, StatusCode::BAD_REQUEST).await,
        "malformed_json"
    );
    let not_utf8 = raw(b"{\"text\": \"\xff\xfe\"}".to_vec(), "application/json")
        .await
        .unwrap();
    assert_eq!(
        error_code(not_utf8, StatusCode::BAD_REQUEST).await,
        "malformed_json"
    );
    let wrong_type = raw(b"text=hej".to_vec(), "application/x-www-form-urlencoded")
        .await
        .unwrap();
    assert_eq!(
        error_code(wrong_type, StatusCode::UNSUPPORTED_MEDIA_TYPE).await,
        "unsupported_media_type"
    );
    let huge = format!("{{\"text\": \"{}\"}}", "a".repeat(200 * 1024));
    let too_large = raw(huge.into_bytes(), "application/json").await.unwrap();
    assert_eq!(
        error_code(too_large, StatusCode::PAYLOAD_TOO_LARGE).await,
        "payload_too_large"
    );
    // The longest allowed message is fine.
    app.say(&chat, json!({"text": "ö".repeat(4000)})).await;
    let view = app.read(&chat).await;
    assert_eq!(view["messages"].as_array().unwrap().len(), 3);
}

on_both_engines!(
    a_new_conversation_greets_in_swedish_by_default,
    an_english_conversation_is_answered_in_english,
    text_the_bot_cannot_place_gets_an_apology_and_topic_buttons,
    topic_buttons_lead_to_a_question_about_that_topic,
    asking_for_a_person_queues_the_conversation_and_waiting_messages_are_heard,
    reading_returns_every_message_in_order,
    the_transcript_downloads_as_text_and_json,
    a_retry_with_the_same_client_message_id_returns_the_first_answer,
    concurrent_retries_store_the_message_once,
    concurrent_messages_without_keys_are_all_kept_in_order,
    another_conversations_token_gets_404_and_no_token_gets_401,
    bad_message_bodies_get_a_clear_4xx_and_nothing_is_stored,
);
