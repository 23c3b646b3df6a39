//! The knowledge base over HTTP: editors' saves, deletions, history and statistics, search,
//! outage notices, and replicas following each other, on SQLite and PostgreSQL.

use std::time::{Duration, Instant};

use crate::common::{error_code, spawn_app, spawn_app_on, Backend, TestApp};
use felsok::auth::StaffRole;
use reqwest::StatusCode;
use serde_json::{json, Value};

const ROUTER_RESTART: &str = include_str!("../../knowledge/guides/router-restart-sv.md");

impl TestApp {
    async fn get_json(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn put_guide(&self, id: &str, token: Option<&str>, source: &str) -> reqwest::Response {
        let mut request = self
            .client
            .put(self.url(&format!("/api/v1/guides/{id}")))
            .header("content-type", "text/markdown; charset=utf-8")
            .body(source.to_owned());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request")
    }

    async fn delete_path(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .delete(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }
}

/// The first bot reply to a Swedish customer whose internet is down.
async fn first_answer_to_a_fault(app: &TestApp) -> Value {
    let chat = app.start_chat("sv").await;
    let replies = app
        .say(
            &chat,
            json!({ "text": "internet funkar inte alls, routern blinkar rött" }),
        )
        .await;
    replies[0].clone()
}

async fn a_step_message_carries_its_parts_beside_the_same_text(app: &TestApp) {
    let chat = app.start_chat("sv").await;
    let replies = app
        .say(
            &chat,
            json!({ "text": "internet funkar inte alls, routern blinkar rött" }),
        )
        .await;
    let step = &replies[0]["guide_step"];
    let parts = &step["parts"];
    assert_eq!(parts["heading"], "Steg 1 av 4: Dra ur routerns strömsladd");
    assert!(parts["instruction"]
        .as_str()
        .unwrap()
        .starts_with("Dra ut strömsladden ur routern"));
    assert_eq!(parts["warning"]["label"], "Obs!");
    assert!(parts["warning"]["text"]
        .as_str()
        .unwrap()
        .starts_with("Tryck inte på knappen märkt Reset."));
    assert_eq!(parts["expected"]["label"], "Så ser du att det fungerade:");
    let text = replies[0]["text"].as_str().unwrap();
    for part in [
        &parts["heading"],
        &parts["instruction"],
        &parts["expected"]["text"],
    ] {
        assert!(text.contains(part.as_str().unwrap()), "{text}");
    }

    // The stored copy, read back, carries the same parts.
    let conversation = app.read(&chat).await;
    let stored = conversation["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == replies[0]["id"])
        .expect("the step message is stored");
    assert_eq!(stored["guide_step"], *step);
}

async fn an_editors_change_is_used_in_the_next_chat_and_kept_in_history(app: &TestApp) {
    let editor = app.staff_token(StaffRole::Editor, "Eva Editor").await;
    let before = first_answer_to_a_fault(app).await;
    assert_eq!(before["guide_step"]["guide_id"], "router-restart-sv");
    assert_eq!(before["guide_step"]["title"], "Dra ur routerns strömsladd");

    let changed = ROUTER_RESTART.replace(
        "## Dra ur routerns strömsladd",
        "## Stäng av routern med strömbrytaren",
    );
    let response = app
        .put_guide("router-restart-sv", Some(&editor), &changed)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let saved: Value = response.json().await.unwrap();
    assert_eq!(saved["version"], 2);
    assert_eq!(
        saved["steps"][0]["title"],
        "Stäng av routern med strömbrytaren"
    );

    let after = first_answer_to_a_fault(app).await;
    assert_eq!(
        after["guide_step"]["title"],
        "Stäng av routern med strömbrytaren"
    );
    let (_, found) = app
        .get_json("/api/v1/guides/search?q=str%C3%B6mbrytaren&lang=sv", None)
        .await;
    assert!(
        found["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "router-restart-sv"),
        "{found}"
    );

    let (status, history) = app
        .get_json("/api/v1/guides/router-restart-sv/history", Some(&editor))
        .await;
    assert_eq!(status, StatusCode::OK);
    let versions = history["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["version"], 2);
    assert_eq!(versions[0]["author"], "Eva Editor");
    let (_, first) = app
        .get_json("/api/v1/guides/router-restart-sv/versions/1", Some(&editor))
        .await;
    assert_eq!(first["source"], ROUTER_RESTART);

    // A new guide is created with 201 and found at once.
    let new = ROUTER_RESTART
        .replace("id: router-restart-sv", "id: router-restart-kort-sv")
        .replace(
            "title: Starta om routern",
            "title: Snabb omstart av routern",
        );
    let response = app
        .put_guide("router-restart-kort-sv", Some(&editor), &new)
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let (status, _) = app
        .get_json("/api/v1/guides/router-restart-kort-sv", None)
        .await;
    assert_eq!(status, StatusCode::OK);
}

async fn a_deleted_guide_leaves_search_and_chats_but_keeps_its_history(app: &TestApp) {
    let editor = app.staff_token(StaffRole::Editor, "Eva Editor").await;
    let response = app
        .delete_path("/api/v1/guides/router-restart-sv", &editor)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, _) = app.get_json("/api/v1/guides/router-restart-sv", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, found) = app
        .get_json("/api/v1/guides/search?q=starta+om+routern&lang=sv", None)
        .await;
    assert!(found["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["id"] != "router-restart-sv"));
    let answer = first_answer_to_a_fault(app).await;
    assert_ne!(answer["guide_step"]["guide_id"], "router-restart-sv");
    let (_, history) = app
        .get_json("/api/v1/guides/router-restart-sv/history", Some(&editor))
        .await;
    assert_eq!(history["versions"][0]["deleted"], true);
    let again = app
        .delete_path("/api/v1/guides/router-restart-sv", &editor)
        .await;
    assert_eq!(
        error_code(again, StatusCode::NOT_FOUND).await,
        "guide_not_found"
    );
}

async fn changing_guides_takes_an_editor(app: &TestApp) {
    let agent = app.staff_token(StaffRole::Agent, "Ali Agent").await;
    let changed = ROUTER_RESTART.replace("Starta om routern", "Omstart");
    let none = app.put_guide("router-restart-sv", None, &changed).await;
    assert_eq!(
        error_code(none, StatusCode::UNAUTHORIZED).await,
        "missing_token"
    );
    let wrong = app
        .put_guide("router-restart-sv", Some("not-a-real-token"), &changed)
        .await;
    assert_eq!(
        error_code(wrong, StatusCode::UNAUTHORIZED).await,
        "invalid_token"
    );
    let agent_put = app
        .put_guide("router-restart-sv", Some(&agent), &changed)
        .await;
    assert_eq!(
        error_code(agent_put, StatusCode::FORBIDDEN).await,
        "forbidden"
    );
    let agent_delete = app
        .delete_path("/api/v1/guides/router-restart-sv", &agent)
        .await;
    assert_eq!(
        error_code(agent_delete, StatusCode::FORBIDDEN).await,
        "forbidden"
    );
    let (_, guide) = app.get_json("/api/v1/guides/router-restart-sv", None).await;
    assert_eq!(guide["version"], 1, "nothing was saved");
    let admin = app.staff_token(StaffRole::Admin, "Ada Admin").await;
    let ok = app
        .put_guide("router-restart-sv", Some(&admin), &changed)
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
}

async fn invalid_guides_get_every_problem_and_nothing_is_saved(app: &TestApp) {
    let editor = app.staff_token(StaffRole::Editor, "Eva Editor").await;
    let broken = ROUTER_RESTART
        .replace("intents: [broadband_down", "intents: [weather, broadband_down")
        .replace("on_failure: handoff:technical", "on_failure: handoff:sales")
        .replace(
            "Låt routern starta i lugn och ro. Det tar oftast två–tre minuter, ibland upp till fem.\n\
             Titta sedan på lampan märkt Internet (eller @). Försök inte surfa förrän den har slutat blinka.\n",
            "",
        );
    let response = app
        .put_guide("router-restart-sv", Some(&editor), &broken)
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_guide");
    let problems: Vec<String> = body["error"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["message"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        problems.iter().any(|p| p.contains("weather")),
        "{problems:?}"
    );
    assert!(problems.iter().any(|p| p.contains("sales")), "{problems:?}");
    assert!(
        problems.iter().any(|p| p.contains("no instruction")),
        "{problems:?}"
    );
    assert!(body["error"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["line"].is_u64()));

    let cases = [
        ("router-restart-sv", "no front matter at all".to_owned()),
        (
            "router-restart-sv",
            ROUTER_RESTART.replace("title: Starta om routern\n", ""),
        ),
        (
            "router-restart-sv",
            ROUTER_RESTART.replace("---\n\n## Dra", "\n## Dra"),
        ),
        ("router-restart-en", ROUTER_RESTART.to_owned()),
        (
            "router-restart-sv",
            ROUTER_RESTART.replace("on_failure: next", "on_failure: guide:no-such-guide-sv"),
        ),
        (
            "router-restart-sv",
            format!("{ROUTER_RESTART}\n{}", "Lång text. ".repeat(7000)),
        ),
        ("Router Restart", ROUTER_RESTART.to_owned()),
    ];
    for (id, source) in cases {
        let response = app.put_guide(id, Some(&editor), &source).await;
        assert_eq!(
            error_code(response, StatusCode::UNPROCESSABLE_ENTITY).await,
            "invalid_guide",
            "{id}: {:.60}",
            source
        );
    }
    let not_markdown = app
        .client
        .put(app.url("/api/v1/guides/router-restart-sv"))
        .bearer_auth(&editor)
        .json(&json!({ "source": ROUTER_RESTART }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(not_markdown, StatusCode::UNSUPPORTED_MEDIA_TYPE).await,
        "unsupported_media_type"
    );
    let (_, guide) = app.get_json("/api/v1/guides/router-restart-sv", None).await;
    assert_eq!(guide["version"], 1);
    assert_eq!(guide["source"], ROUTER_RESTART);
    let (status, _) = app.get_json("/api/v1/guides/router-restart-en", None).await;
    assert_eq!(status, StatusCode::OK);
}

async fn search_answers_whatever_is_typed(app: &TestApp) {
    let (status, found) = app
        .get_json(
            "/api/v1/guides/search?q=routern+blinkar+r%C3%B6tt&lang=sv",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = found["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(ids[..3].contains(&"router-restart-sv"), "{ids:?}");
    let long = "wifi ".repeat(2000);
    for q in [
        "",
        "%22",
        "title:(AND%20OR",
        "*%3F~%5E%5B%5D%7B%7D!-%2B",
        long.as_str(),
    ] {
        let (status, body) = app
            .get_json(&format!("/api/v1/guides/search?q={q}"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{q:.30}");
        assert!(body["results"].is_array());
    }
    let bad = app
        .client
        .get(app.url("/api/v1/guides/search?q=x&lang=de"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, list) = app.get_json("/api/v1/guides?lang=en", None).await;
    let guides = list["guides"].as_array().unwrap();
    assert!(guides.len() >= 30);
    assert!(guides.iter().all(|g| g["language"] == "en"));
}

async fn step_statistics_count_what_customers_answered(app: &TestApp) {
    let editor = app.staff_token(StaffRole::Editor, "Eva Editor").await;
    let chat = app.start_chat("sv").await;
    let first = app
        .say(
            &chat,
            json!({ "text": "internet funkar inte alls, routern blinkar rött" }),
        )
        .await;
    assert_eq!(first[0]["guide_step"]["guide_id"], "router-restart-sv");
    app.say(&chat, json!({ "action": "step_failed" })).await;
    app.say(&chat, json!({ "action": "step_worked" })).await;
    let (status, stats) = app
        .get_json("/api/v1/guides/router-restart-sv/stats", Some(&editor))
        .await;
    assert_eq!(status, StatusCode::OK);
    let steps = stats["steps"].as_array().unwrap();
    assert_eq!(steps[0]["shown"], 1);
    assert_eq!(steps[0]["failed"], 1);
    assert_eq!(steps[1]["shown"], 1);
    assert_eq!(steps[1]["worked"], 1);
    assert_eq!(steps[2]["shown"], 0);
    assert_eq!(steps[0]["title"], "Dra ur routerns strömsladd");
    // A step answer with no guide open is answered kindly, not an error.
    let stray = app.say(&chat, json!({ "action": "step_failed" })).await;
    assert!(stray[0]["guide_step"].is_null());
}

async fn a_known_outage_is_told_before_any_restart(app: &TestApp) {
    let editor = app.staff_token(StaffRole::Editor, "Eva Editor").await;
    let created = app
        .client
        .post(app.url("/api/v1/outages"))
        .bearer_auth(&editor)
        .json(&json!({
            "service": "broadband",
            "postcodes": ["903"],
            "message": {
                "sv": "En fiberkabel har grävts av vid Ersboda.",
                "en": "A fibre cable was cut near Ersboda."
            },
            "expected_end": "2099-01-01T12:00:00+01:00"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let outage: Value = created.json().await.unwrap();

    // Postcode asked for, then the notice before any step.
    let chat = app.start_chat("sv").await;
    let asked = app
        .say(
            &chat,
            json!({ "text": "internet funkar inte alls, routern blinkar rött" }),
        )
        .await;
    assert!(asked[0]["text"].as_str().unwrap().contains("postnummer"));
    assert!(asked[0]["guide_step"].is_null());
    let told = app.say(&chat, json!({ "text": "903 31" })).await;
    let text = told[0]["text"].as_str().unwrap();
    assert!(
        text.contains("Ersboda") && text.contains("903 31"),
        "{text}"
    );
    assert!(told[0]["guide_step"].is_null());
    let anyway = app
        .say(&chat, json!({ "action": "troubleshoot_anyway" }))
        .await;
    assert_eq!(anyway[0]["guide_step"]["step"], 1);

    // The postcode from the customer's details: the notice comes first, unasked.
    let response = app
        .create(json!({ "locale": "en", "customer": { "postcode": "903 40" } }))
        .await;
    let body: Value = response.json().await.unwrap();
    let chat = crate::common::Chat {
        id: body["conversation_id"].as_str().unwrap().to_owned(),
        token: body["token"].as_str().unwrap().to_owned(),
        greeting: body["messages"].clone(),
    };
    let told = app
        .say(
            &chat,
            json!({ "text": "my broadband has stopped working completely" }),
        )
        .await;
    assert!(told[0]["text"].as_str().unwrap().contains("fibre cable"));

    // Elsewhere the guide starts straight away.
    let response = app
        .create(json!({ "locale": "sv", "customer": { "postcode": "41301" } }))
        .await;
    let body: Value = response.json().await.unwrap();
    let chat = crate::common::Chat {
        id: body["conversation_id"].as_str().unwrap().to_owned(),
        token: body["token"].as_str().unwrap().to_owned(),
        greeting: body["messages"].clone(),
    };
    let first = app
        .say(
            &chat,
            json!({ "text": "internet funkar inte alls, routern blinkar rött" }),
        )
        .await;
    assert_eq!(first[0]["guide_step"]["step"], 1);

    let (_, listed) = app.get_json("/api/v1/outages", None).await;
    assert_eq!(listed["outages"].as_array().unwrap().len(), 1);
    for bad in [
        json!({ "service": "weather", "postcodes": ["903"], "message": { "sv": "x", "en": "x" } }),
        json!({ "service": "tv", "postcodes": ["9a"], "message": { "sv": "x", "en": "x" } }),
        json!({ "service": "tv", "postcodes": ["903"], "message": { "sv": "", "en": "x" } }),
        json!({ "service": "tv", "postcodes": ["903"], "message": { "sv": "x", "en": "x" },
                "expected_end": "tomorrow" }),
    ] {
        let response = app
            .client
            .post(app.url("/api/v1/outages"))
            .bearer_auth(&editor)
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let id = outage["id"].as_str().unwrap();
    let ended = app
        .delete_path(&format!("/api/v1/outages/{id}"), &editor)
        .await;
    assert_eq!(ended.status(), StatusCode::NO_CONTENT);
    let (_, listed) = app.get_json("/api/v1/outages", None).await;
    assert!(listed["outages"].as_array().unwrap().is_empty());
}

on_both_engines!(
    a_step_message_carries_its_parts_beside_the_same_text,
    an_editors_change_is_used_in_the_next_chat_and_kept_in_history,
    a_deleted_guide_leaves_search_and_chats_but_keeps_its_history,
    changing_guides_takes_an_editor,
    invalid_guides_get_every_problem_and_nothing_is_saved,
    search_answers_whatever_is_typed,
    step_statistics_count_what_customers_answered,
    a_known_outage_is_told_before_any_restart,
);

/// Two replicas on one PostgreSQL database: a save on one is used by the other without a
/// restart. The deadline is generous on purpose; the bench reports the real delay.
#[tokio::test]
async fn a_save_on_one_replica_reaches_the_other() {
    let first = spawn_app(Backend::Postgres).await;
    let second = spawn_app_on(first.db.share(), |_| {}).await;
    let editor = first.staff_token(StaffRole::Editor, "Eva Editor").await;
    let changed = ROUTER_RESTART.replace("title: Starta om routern", "title: Starta om din router");
    let response = first
        .put_guide("router-restart-sv", Some(&editor), &changed)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, guide) = second
            .get_json("/api/v1/guides/router-restart-sv", None)
            .await;
        if guide["title"] == "Starta om din router" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the second replica never saw the save"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    second.stop().await;
    first.finish().await;
}
