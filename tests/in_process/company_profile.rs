//! The company profile over the real service: guides name its facts, customers read them as
//! the profile sets them and never a placeholder or a name, and saves that would publish a
//! placeholder or an unknown name are refused.

use crate::common::{
    classifier, company_profile, spawn_app, spawn_app_on, Backend, TestApp, TestDatabase,
};
use felsok::auth::StaffRole;
use felsok::config::ServeSettings;
use felsok::startup::Application;
use reqwest::StatusCode;
use serde_json::{json, Value};

const MY_PAGES: &str = "https://www.operatoren.se/mina-sidor";
const EMAIL_SETTINGS: &str = include_str!("../../knowledge/guides/email-settings-sv.md");

/// The first step shown to a Swedish customer who misses a TV channel: "Kontrollera vilka
/// kanaler som ingår i ditt paket", whose link is `my_pages`.
async fn missing_channel_step(app: &TestApp) -> Value {
    let chat = app.start_chat("sv").await;
    let replies = app
        .say(
            &chat,
            json!({"text": "TV3 har försvunnit, när jag slår 3 hoppar den direkt till nästa kanal"}),
        )
        .await;
    let reply = replies
        .iter()
        .find(|r| !r["guide_step"].is_null())
        .unwrap_or_else(|| panic!("a step is shown: {replies:#?}"))
        .clone();
    assert_eq!(reply["guide_step"]["guide_id"], "tv-missing-channels-sv");
    assert_eq!(reply["guide_step"]["step"], 1);
    reply
}

/// Every text of a step message a customer could read: the message and each of its parts.
fn readable(reply: &Value) -> Vec<String> {
    let parts = &reply["guide_step"]["parts"];
    let mut texts = vec![reply["text"].as_str().unwrap().to_owned()];
    for part in [&parts["instruction"], &parts["heading"]] {
        texts.extend(part.as_str().map(str::to_owned));
    }
    for part in ["warning", "expected", "link"] {
        texts.extend(parts[part]["text"].as_str().map(str::to_owned));
    }
    texts
}

async fn guide_steps(app: &TestApp, id: &str) -> Vec<Value> {
    let response = app
        .client
        .get(app.url(&format!("/api/v1/guides/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let guide: Value = response.json().await.unwrap();
    guide["steps"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_step_card_carries_the_link_the_profile_sets() {
    let profile = company_profile(&[
        ("  my_pages: null", &format!("  my_pages: {MY_PAGES}")),
        (
            "  incoming_mail_server: null",
            "  incoming_mail_server: imap.operatoren.se",
        ),
    ]);
    let db = TestDatabase::create(Backend::Sqlite).await;
    let app = spawn_app_on(db, |settings| {
        settings.company_profile = Some(profile.path.clone());
    })
    .await;
    let reply = missing_channel_step(&app).await;
    let link = &reply["guide_step"]["parts"]["link"];
    assert_eq!(link["label"], "Läs mer:");
    assert_eq!(link["text"], MY_PAGES);
    assert!(
        reply["text"].as_str().unwrap().ends_with(MY_PAGES),
        "{reply:#}"
    );
    for text in readable(&reply) {
        assert!(!text.contains('{'), "{text}");
    }

    // A detail is written into the step's text; the one left unset takes its line along.
    let steps = guide_steps(&app, "email-settings-sv").await;
    let incoming = steps[1]["instruction"].as_str().unwrap();
    assert!(
        incoming.contains("- Servern heter imap.operatoren.se"),
        "{incoming}"
    );
    let outgoing = steps[2]["instruction"].as_str().unwrap();
    assert!(
        !outgoing.contains("Servern heter") && outgoing.contains("- Porten är 587"),
        "{outgoing}"
    );
    app.finish().await;
}

#[tokio::test]
async fn with_the_shipped_profile_a_step_has_no_link_and_no_name_in_braces() {
    let app = spawn_app(Backend::Sqlite).await;
    let reply = missing_channel_step(&app).await;
    let parts = &reply["guide_step"]["parts"];
    assert!(parts.get("link").is_none(), "{parts:#}");
    assert!(parts["instruction"]
        .as_str()
        .unwrap()
        .starts_with("Logga in på Mina sidor"));
    for text in readable(&reply) {
        assert!(!text.contains('{') && !text.contains("example"), "{text}");
    }
    // A guide read over the API shows its steps as customers see them, too.
    let steps = guide_steps(&app, "email-settings-sv").await;
    for step in &steps {
        for field in ["instruction", "warning", "expected"] {
            if let Some(text) = step[field].as_str() {
                assert!(!text.contains('{'), "{text}");
            }
        }
    }
    let incoming = steps[1]["instruction"].as_str().unwrap();
    assert!(
        incoming.starts_with("Välj IMAP") && !incoming.contains("Servern heter"),
        "{incoming}"
    );
    app.finish().await;
}

#[tokio::test]
async fn a_save_with_a_placeholder_address_or_an_unknown_name_is_refused_with_its_code() {
    let app = spawn_app(Backend::Sqlite).await;
    let editor = app.staff_token(StaffRole::Editor, "Eva Editor").await;
    let save = |source: String| {
        let request = app
            .client
            .put(app.url("/api/v1/guides/email-settings-sv"))
            .bearer_auth(&editor)
            .header("content-type", "text/markdown")
            .body(source);
        async move { request.send().await.unwrap() }
    };
    for (from, to, code, line) in [
        (
            "- Servern heter {incoming_mail_server}",
            "- Servern heter mail.example.se",
            "placeholder_address",
            36,
        ),
        (
            "on_failure: handoff:technical",
            "on_failure: handoff:technical\nlink: https://www.example.se/e-post",
            "placeholder_address",
            58,
        ),
        (
            "- Servern heter {incoming_mail_server}",
            "- Servern heter {imap_server}",
            "unknown_company_fact",
            36,
        ),
    ] {
        assert!(EMAIL_SETTINGS.contains(from), "{from}");
        let response = save(EMAIL_SETTINGS.replacen(from, to, 1)).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{to}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_guide");
        let problems = body["error"]["problems"].as_array().unwrap();
        assert_eq!(problems.len(), 1, "{body:#}");
        assert_eq!(problems[0]["code"], code, "{body:#}");
        assert_eq!(problems[0]["line"], line, "{body:#}");
    }
    // The preview says the same, naming what it found.
    let response = app
        .client
        .post(app.url("/api/v1/guides/validate"))
        .bearer_auth(&editor)
        .json(&json!({
            "source": EMAIL_SETTINGS.replace("{outgoing_mail_server}", "smtp.example.se"),
            "id": "email-settings-sv",
        }))
        .send()
        .await
        .unwrap();
    let preview: Value = response.json().await.unwrap();
    assert_eq!(preview["valid"], false);
    assert_eq!(preview["problems"][0]["code"], "placeholder_address");
    assert_eq!(
        preview["problems"][0]["values"]["address"],
        "smtp.example.se"
    );
    // Nothing was saved.
    let steps = guide_steps(&app, "email-settings-sv").await;
    assert!(!steps.iter().any(|s| s.to_string().contains("example")));
    app.finish().await;
}

#[tokio::test]
async fn a_company_profile_that_is_named_but_missing_or_wrong_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDatabase::create(Backend::Sqlite).await;
    let mut settings = ServeSettings::for_database(db.url.clone());
    let missing = dir.path().join("company.yaml");
    settings.company_profile = Some(missing.clone());
    let classifier = tokio::task::spawn_blocking(classifier).await.unwrap();
    let error = Application::build_with(&settings, classifier.clone())
        .await
        .err()
        .expect("no start without the profile");
    let said = format!("{error:#}");
    assert!(
        said.contains("company profile") && said.contains("does not exist"),
        "{said}"
    );
    std::fs::write(
        &missing,
        "links:\n  my_pages: https://www.example.se/mina-sidor\n",
    )
    .unwrap();
    let error = Application::build_with(&settings, classifier)
        .await
        .err()
        .expect("no start with a placeholder");
    assert!(format!("{error:#}").contains("placeholder"), "{error:#}");
}

/// An operator who takes a fact out of the profile (here `my_pages`, which the TV guide links
/// to) and restarts: the guides saved before still reach customers, without the link, rather
/// than leaving the chats.
#[tokio::test]
async fn a_fact_taken_out_of_the_profile_leaves_the_guides_that_name_it_in_the_chats() {
    let db = TestDatabase::create(Backend::Sqlite).await;
    let app = spawn_app_on(db, |_| {}).await;
    let db = app.stop().await;
    let profile =
        company_profile(&[("  my_pages: null", "  # my_pages taken out by the operator")]);
    let app = spawn_app_on(db, |settings| {
        settings.company_profile = Some(profile.path.clone());
    })
    .await;
    let reply = missing_channel_step(&app).await;
    assert!(reply["guide_step"]["parts"]["link"].is_null(), "{reply:#}");
    for text in readable(&reply) {
        assert!(!text.contains('{') && !text.contains("my_pages"), "{text}");
    }
    app.finish().await;
}
