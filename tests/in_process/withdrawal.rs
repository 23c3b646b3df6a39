//! The rest of the way out over the real service: the right of withdrawal (ångerrätt)
//! recognised in every state and answered first with the form, the two-step withdrawal with
//! its receipt, the agent's confirmation with the dates reaching the customer, cancelling for
//! someone else, and asking whether a cancellation has arrived.

use crate::cancellation::{action_kinds, chat_in, State};
use crate::common::{action_ids, error_code, get_json, spawn_app, Backend, Chat, TestApp};
use felsok::knowledge::sales_language::sales_phrases;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

/// Phrasings written apart from the code that reads them (tests/data), Swedish and English.
fn phrasings() -> Vec<(&'static str, String)> {
    let text = include_str!("../data/withdrawal_phrasings.txt");
    text.lines()
        .filter_map(|line| {
            line.strip_prefix("sv: ")
                .map(|t| ("sv", t.to_owned()))
                .or_else(|| line.strip_prefix("en: ").map(|t| ("en", t.to_owned())))
        })
        .collect()
}

/// Every phrasing, in every state: the first message of the answer explains the right and
/// offers the withdrawal form, and nothing in the answer sells.
#[tokio::test]
async fn withdrawal_is_answered_first_in_every_state() {
    let app = spawn_app(Backend::Sqlite).await;
    every_phrasing_answered_first(&app, |_| STATES.to_vec()).await;
    app.finish().await;
}

/// The same on PostgreSQL, each phrasing in one state in turn: every phrasing and every
/// state on the second engine, at a quarter of the cost.
#[tokio::test]
async fn withdrawal_is_answered_first_in_every_state_on_postgres() {
    let app = spawn_app(Backend::Postgres).await;
    every_phrasing_answered_first(&app, |i| vec![STATES[i % STATES.len()]]).await;
    app.finish().await;
}

const STATES: [State; 4] = [
    State::Fresh,
    State::MidGuide,
    State::Queued,
    State::WithAgent,
];

async fn every_phrasing_answered_first(app: &TestApp, states_of: impl Fn(usize) -> Vec<State>) {
    let all = phrasings();
    assert!(all.len() >= 60, "{} phrasings", all.len());
    let (mut failures, mut tried) = (Vec::new(), 0);
    for (i, (locale, text)) in all.iter().enumerate() {
        for state in states_of(i) {
            tried += 1;
            let chat = chat_in(app, locale, state).await;
            let replies = app.say(&chat, json!({ "text": text })).await;
            let Some(first) = replies.first() else {
                failures.push(format!("{state:?} {text:?}: no answer"));
                continue;
            };
            if action_kinds(first).first().map(String::as_str) != Some("withdrawal") {
                failures.push(format!("{state:?} {text:?}: first message {first}"));
                continue;
            }
            let said = first["text"].as_str().unwrap();
            let explains = if *locale == "sv" {
                said.contains("14 dagar") && said.contains("ångerrätt")
            } else {
                said.contains("14 days") && said.contains("right of withdrawal")
            };
            if !explains {
                failures.push(format!("{state:?} {text:?}: {said}"));
            }
            for reply in &replies {
                let said = reply["text"].as_str().unwrap();
                assert_eq!(sales_phrases(said), Vec::<String>::new(), "{said}");
            }
        }
    }
    let recall = 1.0 - failures.len() as f64 / f64::from(tried);
    assert!(failures.is_empty(), "recall {recall:.3}: {failures:#?}");
}

/// "Ångrar" about a cancellation, or about a step, is no withdrawal.
#[tokio::test]
async fn taking_back_a_cancellation_is_not_a_withdrawal() {
    let app = spawn_app(Backend::Sqlite).await;
    for (locale, text) in [
        ("sv", "jag ångrar min uppsägning, kan jag ta tillbaka den?"),
        ("en", "I want to withdraw my cancellation"),
        ("sv", "jag vill säga upp mitt bredband"),
    ] {
        let chat = app.start_chat(locale).await;
        let replies = app.say(&chat, json!({ "text": text })).await;
        let kinds: Vec<String> = replies.iter().flat_map(action_kinds).collect();
        assert!(
            !kinds.contains(&"withdrawal".to_owned()),
            "{text}: {replies:#?}"
        );
    }
    app.finish().await;
}

/// Counted from today in Sweden, as the service counts: between 23:00 and midnight UTC the
/// UTC date is already yesterday there.
fn days_ago(days: i64) -> time::Date {
    felsok::timestamp::Timestamp::now().swedish_date() - time::Duration::days(days)
}

/// The day the contract was made, said with the wish or after it, gives the last day; a day
/// long past is said honestly and the written cancellation is offered beside the form.
#[tokio::test]
async fn the_last_day_is_worked_out_and_a_late_one_is_said_honestly() {
    let app = spawn_app(Backend::Sqlite).await;
    let chat = app.start_chat("sv").await;
    let first = app
        .say(
            &chat,
            json!({"text": "jag vill ångra avtalet jag tecknade"}),
        )
        .await;
    let asked = first[0]["text"].as_str().unwrap();
    assert!(asked.contains("vilken dag"), "{asked}");
    assert_eq!(action_ids(&first[0])[0], "withdrawal");

    let answer = app.say(&chat, json!({"text": "för tre dagar sedan"})).await;
    let told = answer[0]["text"].as_str().unwrap();
    let last = felsok::domain::last_withdrawal_day(days_ago(3));
    let month = felsok::timestamp::SWEDISH_MONTHS[usize::from(u8::from(last.month())) - 1];
    assert!(
        told.contains(&format!("{} {month}", last.day())) && told.contains("sista dagen"),
        "{told}"
    );
    assert!(
        !told.contains("ångerrätt:"),
        "the right is not explained twice: {told}"
    );
    assert_eq!(action_ids(&answer[0])[0], "withdrawal");

    let late = app.start_chat("en").await;
    let replies = app
        .say(
            &late,
            json!({"text": "I changed my mind about the contract I signed two months ago"}),
        )
        .await;
    let said = replies[0]["text"].as_str().unwrap();
    assert!(
        said.contains("ended on") && said.contains("Send the form anyway"),
        "{said}"
    );
    assert_eq!(
        action_ids(&replies[0])[..2],
        ["withdrawal", "written_cancellation"]
    );
    app.finish().await;
}

fn form() -> Value {
    json!({
        "full_name": "Anna Svensson",
        "contract": "Bredband 250/100",
        "contract_date": days_ago(2).to_string(),
        "email": "anna@example.se",
        "comment": "Säljaren ringde i tisdags."
    })
}

async fn post_json(app: &TestApp, chat: &Chat, path: &str, body: &Value) -> Response {
    app.client
        .post(app.url(&format!("/api/v1/conversations/{}/{path}", chat.id)))
        .bearer_auth(&chat.token)
        .json(body)
        .send()
        .await
        .expect("request")
}

async fn agent_post(app: &TestApp, agent: &str, path: &str, body: Value) -> Response {
    app.client
        .post(app.url(path))
        .bearer_auth(agent)
        .json(&body)
        .send()
        .await
        .expect("request")
}

/// Review, confirm, receipt, the handoff in the cancellation queue, and the agent's
/// confirmation with the dates reaching the customer; a disputed one tells the reason.
async fn a_withdrawal_is_confirmed_in_two_steps_and_its_end_reaches_the_customer(app: &TestApp) {
    let chat = app.start_chat("sv").await;
    let review = post_json(app, &chat, "withdrawal/review", &form()).await;
    assert_eq!(review.status(), StatusCode::OK);
    let review: Value = review.json().await.unwrap();
    let last_day = felsok::domain::iso_date(felsok::domain::last_withdrawal_day(days_ago(2)));
    assert_eq!(review["last_day"], last_day.as_str());
    assert!(review["review"]
        .as_str()
        .unwrap()
        .contains("Bredband 250/100"));
    let store = felsok::storage::Store::connect(&app.db.url, 1)
        .await
        .unwrap();
    assert!(store.cancellations_of(&chat.id).await.unwrap().is_empty());

    let sent = post_json(app, &chat, "withdrawal", &form()).await;
    assert_eq!(sent.status(), StatusCode::CREATED);
    let sent: Value = sent.json().await.unwrap();
    let reference = sent["reference"].as_str().unwrap().to_owned();
    assert!(reference.starts_with("ÅN-"), "{reference}");
    let receipt = sent["receipt"].as_str().unwrap();
    for part in [
        reference.as_str(),
        "Jag ångrar härmed avtalet",
        "Bredband 250/100",
        "Anna Svensson",
        &last_day,
        "svensk tid",
    ] {
        assert!(receipt.contains(part), "{part:?} missing from:\n{receipt}");
    }
    assert_eq!(sent["last_day"], last_day.as_str());
    let again: Value = post_json(app, &chat, "withdrawal", &form())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["reference"], sent["reference"]);

    let stored = store.cancellations_of(&chat.id).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].kind.as_str(), "withdrawal");
    let handoff_id = stored[0].handoff_id.clone();
    let handoffs = store.handoffs_of(&chat.id).await.unwrap();
    assert_eq!(handoffs.len(), 1);
    assert_eq!(
        (handoffs[0].queue.as_str(), handoffs[0].reason.as_str()),
        ("cancellation", "withdrawal")
    );
    store.close().await;
    let file = app
        .client
        .get(app.url(&format!(
            "/api/v1/conversations/{}/cancellations/{reference}/receipt",
            chat.id
        )))
        .bearer_auth(&chat.token)
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.text().await.unwrap(), receipt);

    let agent = app
        .staff_token(felsok::auth::StaffRole::Agent, "Maria")
        .await;
    let packet_url = app.url(&format!("/api/v1/agent/handoffs/{handoff_id}"));
    let packet = get_json(&app.client, &packet_url, &agent).await;
    assert_eq!(packet["cancellation"]["kind"], "withdrawal");
    assert_eq!(packet["cancellation"]["last_day"], last_day.as_str());
    assert!(
        packet["summary"].as_str().unwrap().contains("ångerrätt"),
        "{}",
        packet["summary"]
    );
    let banner = packet["banner"].as_str().unwrap();
    assert!(
        banner.contains("ångrat avtalet") && banner.contains(reference.as_str()),
        "{banner}"
    );
    let claim = agent_post(
        app,
        &agent,
        &format!("/api/v1/agent/handoffs/{handoff_id}/claim"),
        json!({}),
    )
    .await;
    assert_eq!(claim.status(), StatusCode::OK);
    let resolve = format!("/api/v1/agent/handoffs/{handoff_id}/resolve");
    for (body, code) in [
        (
            json!({"outcome": "cancellation_confirmed"}),
            "invalid_outcome",
        ),
        (
            json!({"outcome": "withdrawal_confirmed", "service_ends_on": "2027-01-04"}),
            "date_required",
        ),
        (json!({"outcome": "withdrawal_disputed"}), "note_required"),
    ] {
        let refused = agent_post(app, &agent, &resolve, body).await;
        assert_eq!(
            error_code(refused, StatusCode::UNPROCESSABLE_ENTITY).await,
            code
        );
    }
    let done = agent_post(
        app,
        &agent,
        &resolve,
        json!({"outcome": "withdrawal_confirmed", "service_ends_on": "2027-01-04",
               "last_invoice_on": "2027-01-15"}),
    )
    .await;
    assert_eq!(done.status(), StatusCode::OK);
    let view = app.read(&chat).await;
    let told = view["messages"].as_array().unwrap().last().unwrap()["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        told.contains(&reference)
            && told.contains("måndag 4 januari")
            && told.contains("fredag 15 januari"),
        "{told}"
    );

    // Asked afterwards, the bot tells what became of it, from the records.
    let asked = app
        .say(
            &chat,
            json!({"text": "har ni tagit emot att jag ångrat avtalet?"}),
        )
        .await;
    let status = asked[0]["text"].as_str().unwrap();
    assert!(
        status.contains(&reference) && status.contains("4 januari"),
        "{status}"
    );
}

/// A bad form names every field and stores nothing.
async fn a_bad_withdrawal_names_every_field_and_stores_nothing(app: &TestApp) {
    let chat = app.start_chat("sv").await;
    let tomorrow = (time::OffsetDateTime::now_utc().date() + time::Duration::days(2)).to_string();
    let response = post_json(
        app,
        &chat,
        "withdrawal",
        &json!({"contract": "", "contract_date": tomorrow, "email": "nej"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["full_name", "contract", "contract_date", "email"]);
    let store = felsok::storage::Store::connect(&app.db.url, 1)
        .await
        .unwrap();
    assert!(store.cancellations_of(&chat.id).await.unwrap().is_empty());
    assert!(store.handoffs_of(&chat.id).await.unwrap().is_empty());
    store.close().await;
}

/// For someone who has died: a kind answer, the form opened for someone else, and the
/// holder and relation reaching the receipt and the agent.
async fn a_cancellation_for_someone_else_names_the_holder(app: &TestApp) {
    let chat = app.start_chat("sv").await;
    let replies = app
        .say(
            &chat,
            json!({"text": "Min pappa har gått bort och jag behöver säga upp hans bredband"}),
        )
        .await;
    assert_eq!(action_ids(&replies[0])[0], "on_behalf_cancellation");
    assert_eq!(action_kinds(&replies[0])[0], "written_cancellation");
    let said = replies[0]["text"].as_str().unwrap();
    assert!(
        said.contains("beklagar") && said.contains("skicka inga dokument"),
        "{said}"
    );
    // A client that sends the button back hears what the form asks, not the condolence again.
    let again = app
        .say(&chat, json!({"action": "on_behalf_cancellation"}))
        .await;
    let said = again[0]["text"].as_str().unwrap();
    assert!(
        said.contains("kontoinnehavarens namn") && !said.contains("beklagar"),
        "{said}"
    );

    let mut body = json!({
        "service": "Bredband", "full_name": "Eva Ek", "holder_name": "Karl Ek",
        "relation": "estate"
    });
    let sent = post_json(app, &chat, "cancellation", &body).await;
    assert_eq!(sent.status(), StatusCode::CREATED);
    let sent: Value = sent.json().await.unwrap();
    let receipt = sent["receipt"].as_str().unwrap();
    assert!(
        receipt.contains("Kontoinnehavare: Karl Ek") && receipt.contains("dödsboet"),
        "{receipt}"
    );
    body["relation"] = json!("cousin");
    let refused = post_json(app, &chat, "cancellation/review", &body).await;
    assert_eq!(
        error_code(refused, StatusCode::UNPROCESSABLE_ENTITY).await,
        "invalid_relation"
    );
    let store = felsok::storage::Store::connect(&app.db.url, 1)
        .await
        .unwrap();
    let stored = store.cancellations_of(&chat.id).await.unwrap();
    assert_eq!(stored[0].holder_name.as_deref(), Some("Karl Ek"));
    assert_eq!(stored[0].relation.as_deref(), Some("estate"));
    store.close().await;
}

/// "Has my cancellation arrived?": found from this chat, or by reference from another one
/// without what it is about; nothing found offers the written way now, as a record.
async fn asking_whether_a_cancellation_arrived_is_answered_from_the_records(app: &TestApp) {
    let chat = app.start_chat("sv").await;
    let sent: Value = post_json(
        app,
        &chat,
        "cancellation",
        &json!({"service": "Mobilabonnemang", "full_name": "Per Persson"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let reference = sent["reference"].as_str().unwrap().to_owned();
    let replies = app
        .say(&chat, json!({"text": "har min uppsägning kommit fram?"}))
        .await;
    let said = replies[0]["text"].as_str().unwrap();
    assert!(
        said.contains(&reference) && said.contains("kom fram") && said.contains("Mobilabonnemang"),
        "{said}"
    );
    assert!(!action_ids(&replies[0]).contains(&"written_cancellation".to_owned()));

    let elsewhere = app.start_chat("sv").await;
    let by_reference = app
        .say(
            &elsewhere,
            json!({"text": format!("hej, har ni fått {}?", reference.to_lowercase())}),
        )
        .await;
    // From another chat a reference tells what became of the request, not what it is about:
    // whoever typed it may not be the customer.
    let said = by_reference[0]["text"].as_str().unwrap();
    assert!(
        said.contains(&reference) && said.contains("kom fram"),
        "{said}"
    );
    assert!(!said.contains("Mobilabonnemang"), "{said}");

    let lost = app.start_chat("sv").await;
    let replies = app
        .say(
            &lost,
            json!({"text": "jag sa upp per telefon förra månaden, har uppsägningen kommit in?"}),
        )
        .await;
    let said = replies[0]["text"].as_str().unwrap();
    assert!(said.contains("hittar ingen uppsägning"), "{said}");
    assert_eq!(action_ids(&replies[0])[0], "written_cancellation");
}

on_both_engines!(
    a_withdrawal_is_confirmed_in_two_steps_and_its_end_reaches_the_customer,
    a_bad_withdrawal_names_every_field_and_stores_nothing,
    a_cancellation_for_someone_else_names_the_holder,
    asking_whether_a_cancellation_arrived_is_answered_from_the_records,
);
