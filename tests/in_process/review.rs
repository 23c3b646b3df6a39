//! The editors' review inbox: the messages the bot handled badly reach it masked, grouped by
//! meaning and filterable; an editor's verdict takes them out; erased customers vanish.

use crate::common::{error_code, get_json, spawn_app, Backend, Chat, TestApp};
use felsok::auth::StaffRole;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn inbox(app: &TestApp, editor: &str, query: &str) -> Value {
    get_json(
        &app.client,
        &app.url(&format!("/api/v1/review{query}")),
        editor,
    )
    .await
}

/// Every group's texts, biggest group first.
fn texts(inbox: &Value) -> Vec<Vec<String>> {
    inbox["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            g["messages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["text"].as_str().unwrap().to_owned())
                .collect()
        })
        .collect()
}

fn group_with<'a>(inbox: &'a Value, text: &str) -> &'a Value {
    inbox["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["messages"].to_string().contains(text))
        .unwrap_or_else(|| panic!("no group holds {text:?}: {inbox}"))
}

async fn said_in_a_new_chat(app: &TestApp, customer: Value, texts: &[&str]) -> Chat {
    let chat = app
        .start_chat_with(json!({"locale": "sv", "customer": customer}))
        .await;
    for text in texts {
        app.say(&chat, json!({ "text": text })).await;
    }
    chat
}

async fn what_the_bot_failed_reaches_the_inbox_grouped_and_leaves_it_with_a_verdict(app: &TestApp) {
    let editor = app.staff_token(StaffRole::Editor, "Eva Editor").await;
    let agent = app.staff_token(StaffRole::Agent, "Ali Agent").await;
    // The same unfamiliar problem in other words, from two customers.
    said_in_a_new_chat(app, json!({}), &["min fax fungerar inte längre"]).await;
    said_in_a_new_chat(
        app,
        json!({"customer_number": "777 001"}),
        &["faxen skickar inga sidor"],
    )
    .await;
    said_in_a_new_chat(
        app,
        json!({}),
        &["Kan du ge mig ett recept på kanelbullar?"],
    )
    .await;
    // Understood, and a guide that did not help.
    let guided = said_in_a_new_chat(app, json!({}), &["routern blinkar rött"]).await;
    let mut handed_over = false;
    for _ in 0..8 {
        let replies = app.say(&guided, json!({"action": "step_failed"})).await;
        if replies.iter().any(|m| m["role"] == "system") {
            handed_over = true;
            break;
        }
    }
    assert!(handed_over, "the guide ends with a person");
    // Understood at once and helped: nothing to review.
    said_in_a_new_chat(app, json!({}), &["Hej!"]).await;

    let all = inbox(app, &editor, "").await;
    let groups = texts(&all);
    let fax = group_with(&all, "min fax fungerar inte längre");
    assert_eq!(
        fax["size"], 2,
        "the two fax messages say the same: {groups:?}"
    );
    assert!(
        !fax["messages"].to_string().contains("kanelbullar"),
        "{groups:?}"
    );
    assert!(!all.to_string().contains("Hej!"), "{groups:?}");
    let guide = group_with(&all, "routern blinkar rött");
    assert_eq!(guide["kinds"][0]["name"], "steps_exhausted", "{guide}");
    let guide_id = guide["guides"][0]["name"].as_str().unwrap().to_owned();
    assert!(guide_id.starts_with("router"), "{guide}");
    assert_eq!(guide["messages"][0]["intent"], "broadband_down", "{guide}");

    // Filters narrow; every bad one is named at once.
    let exhausted = inbox(app, &editor, "?kind=steps_exhausted").await;
    assert_eq!(texts(&exhausted), vec![vec!["routern blinkar rött"]]);
    let by_guide = inbox(app, &editor, &format!("?guide={guide_id}")).await;
    assert_eq!(texts(&by_guide), texts(&exhausted));
    let intent = inbox(app, &editor, "?intent=broadband_down&lang=sv").await;
    assert_eq!(texts(&intent), texts(&exhausted));
    assert_eq!(inbox(app, &editor, "?lang=en").await["groups"], json!([]));
    let today = felsok::timestamp::Timestamp::now().swedish_date();
    let today = felsok::domain::iso_date(today);
    let dated = inbox(app, &editor, &format!("?from={today}&to={today}")).await;
    assert_eq!(dated["items"], all["items"]);
    let before = inbox(app, &editor, "?to=2026-01-01").await;
    assert_eq!(before["groups"], json!([]));
    let response = app
        .client
        .get(app.url("/api/v1/review?kind=misread&from=igår"))
        .bearer_auth(&editor)
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(response, StatusCode::UNPROCESSABLE_ENTITY).await,
        "invalid_fields"
    );

    // Agents neither read nor judge it.
    let response = app
        .client
        .get(app.url("/api/v1/review"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // A whole group dismissed at once leaves the open inbox, and only once.
    let items = fax["item_ids"].clone();
    let response = app
        .post_staff("/api/v1/review/dismiss", &agent, json!({"item_ids": items}))
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = app
        .post_staff(
            "/api/v1/review/dismiss",
            &editor,
            json!({"item_ids": items}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"handled": 2})
    );
    let again = app
        .post_staff(
            "/api/v1/review/dismiss",
            &editor,
            json!({"item_ids": items}),
        )
        .await;
    assert_eq!(again.json::<Value>().await.unwrap(), json!({"handled": 0}));
    let open = inbox(app, &editor, "").await;
    assert!(!open.to_string().contains("fax"), "{open}");
    let dismissed = inbox(app, &editor, "?status=dismissed").await;
    assert_eq!(dismissed["groups"][0]["size"], 2, "{dismissed}");
    let response = app
        .post_staff("/api/v1/review/dismiss", &editor, json!({"item_ids": []}))
        .await;
    assert_eq!(
        error_code(response, StatusCode::UNPROCESSABLE_ENTITY).await,
        "invalid_items"
    );

    // An erased customer vanishes from it, whatever its verdict.
    let admin = app.staff_token(StaffRole::Admin, "Ada Admin").await;
    let erased = app
        .post_staff(
            "/api/v1/admin/customers/erase",
            &admin,
            json!({"customer_number": "777001"}),
        )
        .await;
    assert_eq!(erased.status(), StatusCode::OK);
    let dismissed = inbox(app, &editor, "?status=dismissed").await;
    assert_eq!(dismissed["groups"][0]["size"], 1, "{dismissed}");
    assert!(
        !dismissed.to_string().contains("faxen skickar"),
        "{dismissed}"
    );
}

on_both_engines!(what_the_bot_failed_reaches_the_inbox_grouped_and_leaves_it_with_a_verdict);

/// The ids of the one open item about `text`.
async fn items_about(app: &TestApp, editor: &str, text: &str) -> Value {
    let open = inbox(app, editor, "").await;
    let group = group_with(&open, text);
    let message = group["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["text"] == text)
        .unwrap();
    message["item_ids"].clone()
}

async fn teach(app: &TestApp, editor: &str, body: Value) -> reqwest::Response {
    app.post_staff("/api/v1/review/teach", editor, body).await
}

async fn teaching_takes_one_action_and_keeps_the_author(app: &TestApp) {
    let editor = app.staff_token(StaffRole::Editor, "Eva Editor").await;
    said_in_a_new_chat(app, json!({}), &["min fax fungerar inte längre"]).await;
    said_in_a_new_chat(app, json!({}), &["routern blinkar rött sen i morse"]).await;
    let english = app.start_chat("en").await;
    app.say(&english, json!({"text": "blorp fnask wobble"}))
        .await;

    // Refused whole when the lesson is unclear, and nothing is taught.
    let fax = items_about(app, &editor, "min fax fungerar inte längre").await;
    for (body, code) in [
        (json!({"item_ids": fax}), "lesson_missing"),
        (
            json!({"item_ids": fax, "intent": "voip_landline", "guide": "router-lights-sv"}),
            "lesson_ambiguous",
        ),
        (
            json!({"item_ids": fax, "intent": "fax_problem"}),
            "unknown_intent",
        ),
    ] {
        let response = teach(app, &editor, body).await;
        assert_eq!(
            error_code(response, StatusCode::UNPROCESSABLE_ENTITY).await,
            code
        );
    }
    let response = teach(
        app,
        &editor,
        json!({"item_ids": fax, "guide": "no-such-guide-sv"}),
    )
    .await;
    assert_eq!(
        error_code(response, StatusCode::NOT_FOUND).await,
        "guide_not_found"
    );

    // An intent lesson is kept, versioned, with its author, for the next head.
    let response = teach(
        app,
        &editor,
        json!({"item_ids": fax, "intent": "voip_landline"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"handled": 1, "guides": []})
    );
    let taught = get_json(&app.client, &app.url("/api/v1/review/taught"), &editor).await;
    assert_eq!(
        taught["examples"][0]["text"],
        "min fax fungerar inte längre"
    );
    assert_eq!(taught["examples"][0]["intent"], "voip_landline");
    assert_eq!(taught["examples"][0]["author"], "Eva Editor");
    assert_eq!(taught["version"], taught["examples"][0]["seq"]);
    let open = inbox(app, &editor, "").await;
    assert!(!open.to_string().contains("min fax"), "{open}");
    let done = inbox(app, &editor, "?status=taught").await;
    assert!(done.to_string().contains("min fax"), "{done}");

    // A guide lesson is a new version of the guide, live at once; a message in the other
    // language goes to the translation.
    let router = items_about(app, &editor, "routern blinkar rött sen i morse").await;
    let blorp = items_about(app, &editor, "blorp fnask wobble").await;
    let both: Vec<Value> = [router, blorp]
        .iter()
        .flat_map(|ids| ids.as_array().unwrap().clone())
        .collect();
    let response = teach(
        app,
        &editor,
        json!({"item_ids": both, "guide": "router-lights-sv"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let saved: Value = response.json().await.unwrap();
    assert_eq!(saved["handled"], 2, "{saved}");
    let ids: Vec<&str> = saved["guides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["router-lights-sv", "router-lights-en"], "{saved}");
    let guide = get_json(
        &app.client,
        &app.url("/api/v1/guides/router-lights-sv"),
        &editor,
    )
    .await;
    assert!(
        guide["source"]
            .as_str()
            .unwrap()
            .contains("  - \"routern blinkar rött sen i morse\""),
        "{guide}"
    );
    let history = get_json(
        &app.client,
        &app.url("/api/v1/guides/router-lights-en/history"),
        &editor,
    )
    .await;
    assert!(history.to_string().contains("Eva Editor"), "{history}");
    // Taught once: the same items again change nothing.
    let again = teach(
        app,
        &editor,
        json!({"item_ids": fax, "intent": "voip_landline"}),
    )
    .await;
    assert_eq!(again.json::<Value>().await.unwrap()["handled"], 0);
}

on_both_engines!(teaching_takes_one_action_and_keeps_the_author);
