//! The cancellation lane over the real service: the written path comes first in every state,
//! a submitted cancellation is stored once with its receipt and handoff, bad forms store
//! nothing, secrets are masked, and the e-mail copy goes through a real SMTP conversation.

use std::sync::{Arc, Mutex};

use crate::common::{
    action_ids, company_profile, error_code, spawn_app, spawn_app_on, Backend, Chat, TestApp,
    TestDatabase,
};
use felsok::knowledge::sales_language::sales_phrases;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use sqlx::Connection;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// Two months ahead: in the future and within the three years a form may look ahead.
fn end_date() -> String {
    let day = time::OffsetDateTime::now_utc().date() + time::Duration::days(60);
    day.to_string()
}

fn form() -> Value {
    json!({
        "service": "Bredband 250/100",
        "full_name": "Anna Svensson",
        "customer_number": "123456",
        "email": "anna@example.se",
        "end_date": end_date(),
        "comment": "Vi flyttar ihop och behåller hans abonnemang."
    })
}

async fn submit(app: &TestApp, id: &str, token: &str, body: &Value) -> Response {
    app.client
        .post(app.url(&format!("/api/v1/conversations/{id}/cancellation")))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request")
}

async fn review(app: &TestApp, chat: &Chat, body: &Value) -> Response {
    app.client
        .post(app.url(&format!(
            "/api/v1/conversations/{}/cancellation/review",
            chat.id
        )))
        .bearer_auth(&chat.token)
        .json(body)
        .send()
        .await
        .expect("request")
}

async fn download_receipt(app: &TestApp, chat: &Chat, token: &str, reference: &str) -> Response {
    app.client
        .get(app.url(&format!(
            "/api/v1/conversations/{}/cancellations/{reference}/receipt",
            chat.id
        )))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
}

async fn a_written_cancellation_is_received_once_with_a_receipt_and_a_handoff(app: &TestApp) {
    let chat = app.start_chat("sv").await;
    let replies = app
        .say(&chat, json!({"text": "Jag vill säga upp mitt bredband"}))
        .await;
    assert_eq!(action_ids(&replies[0])[0], "written_cancellation");

    // Two steps: first the review, which stores nothing ...
    let checked = review(app, &chat, &form()).await;
    assert_eq!(checked.status(), StatusCode::OK);
    let checked: Value = checked.json().await.unwrap();
    let summary = checked["review"].as_str().unwrap();
    assert!(summary.contains("Bredband 250/100") && summary.contains("Anna Svensson"));
    assert!(summary.contains(&end_date()), "{summary}");
    let store = app_store(app).await;
    assert!(store.cancellations_of(&chat.id).await.unwrap().is_empty());

    // ... then the submit, which stores it all before answering.
    let response = submit(app, &chat.id, &chat.token, &form()).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let first: Value = response.json().await.unwrap();
    let reference = first["reference"].as_str().unwrap().to_owned();
    assert!(
        reference.starts_with("SU-") && reference.len() == 16,
        "{reference}"
    );
    let receipt = first["receipt"].as_str().unwrap();
    for part in [
        reference.as_str(),
        "Bredband 250/100",
        "Anna Svensson",
        "123456",
        "anna@example.se",
        &end_date(),
        "Vi flyttar ihop",
        "högst en månad",
        "svensk tid",
    ] {
        assert!(receipt.contains(part), "{part:?} missing from:\n{receipt}");
    }
    assert_eq!(sales_phrases(receipt), Vec::<String>::new());
    assert_eq!(first["message"]["role"], "system");
    assert_eq!(first["message"]["text"], receipt);

    // Sending the same form again stores nothing new and returns the first receipt.
    let again = submit(app, &chat.id, &chat.token, &form()).await;
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["reference"], first["reference"]);
    assert_eq!(again["receipt"], first["receipt"]);
    assert_eq!(again["received_at"], first["received_at"]);

    let stored = store.cancellations_of(&chat.id).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].receipt, receipt);
    let handoffs = store.handoffs_of(&chat.id).await.unwrap();
    let cancellation: Vec<_> = handoffs
        .iter()
        .filter(|h| h.queue.as_str() == "cancellation")
        .collect();
    assert_eq!(cancellation.len(), 1, "{handoffs:?}");
    assert_eq!(cancellation[0].reason.as_str(), "written_cancellation");
    assert_eq!(cancellation[0].status.as_str(), "queued");
    assert_eq!(cancellation[0].id, stored[0].handoff_id);
    store.close().await;

    // The receipt is in the conversation, in the transcript and downloadable on its own.
    let view = app.read(&chat).await;
    let receipts: Vec<&Value> = view["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "system" && m["text"] == receipt)
        .collect();
    assert_eq!(receipts.len(), 1);
    let transcript = app
        .client
        .get(app.url(&format!("/api/v1/conversations/{}/transcript", chat.id)))
        .bearer_auth(&chat.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(transcript.contains(&reference) && transcript.contains("högst en månad"));
    let file = download_receipt(app, &chat, &chat.token, &reference).await;
    assert_eq!(file.status(), StatusCode::OK);
    let disposition = file.headers()["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment;") && disposition.contains(&reference));
    assert_eq!(file.text().await.unwrap(), receipt);

    // A different request (another subscription) is a new cancellation.
    let mut mobile = form();
    mobile["service"] = json!("Mobilabonnemang 070-123 45 67");
    let second = submit(app, &chat.id, &chat.token, &mobile).await;
    assert_eq!(second.status(), StatusCode::CREATED);
    let second: Value = second.json().await.unwrap();
    assert_ne!(second["reference"], first["reference"]);
}

async fn app_store(app: &TestApp) -> felsok::storage::Store {
    felsok::storage::Store::connect(&app.db.url, 1)
        .await
        .expect("store")
}

async fn english_receipts_are_in_english_and_only_a_name_and_service_are_needed(app: &TestApp) {
    let chat = app.start_chat("en").await;
    let body = json!({"service": "Mobile plan", "full_name": "Sam Taylor"});
    let response = submit(app, &chat.id, &chat.token, &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let answer: Value = response.json().await.unwrap();
    let receipt = answer["receipt"].as_str().unwrap();
    assert!(
        receipt.starts_with("Receipt for your written cancellation"),
        "{receipt}"
    );
    assert!(
        receipt.contains("as soon as the notice period allows"),
        "{receipt}"
    );
    assert!(receipt.contains("at most one month"), "{receipt}");
    assert!(!receipt.contains("E-mail:"), "no empty fields: {receipt}");
}

async fn bad_forms_name_every_field_and_store_nothing(app: &TestApp) {
    let chat = app.start_chat("sv").await;
    let before = app.read(&chat).await["messages"].as_array().unwrap().len();
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (json!({"full_name": "Anna Svensson"}), vec!["service"]),
        (
            json!({"service": "Bredband", "full_name": "   "}),
            vec!["full_name"],
        ),
        (
            json!({"service": "", "full_name": ""}),
            vec!["service", "full_name"],
        ),
        (
            json!({"service": "Bredband", "full_name": "Anna", "end_date": "2020-01-01"}),
            vec!["end_date"],
        ),
        (
            json!({"service": "Bredband", "full_name": "Anna", "end_date": "31/1 nästa år"}),
            vec!["end_date"],
        ),
        (
            json!({"service": "<b>Bredband</b>", "full_name": "<script>x</script>"}),
            vec!["service", "full_name"],
        ),
        (
            json!({"service": "Bredband", "full_name": "Anna", "comment": "x".repeat(2001)}),
            vec!["comment"],
        ),
        (
            json!({"service": "B".repeat(201), "full_name": "Anna", "email": "inte en adress"}),
            vec!["service", "email"],
        ),
    ];
    for (body, fields) in cases {
        for response in [
            review(app, &chat, &body).await,
            submit(app, &chat.id, &chat.token, &body).await,
        ] {
            assert_eq!(
                response.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}"
            );
            let error: Value = response.json().await.unwrap();
            let named: Vec<&str> = error["error"]["fields"]
                .as_array()
                .unwrap_or_else(|| panic!("fields listed for {body}: {error}"))
                .iter()
                .map(|f| f["field"].as_str().unwrap())
                .collect();
            assert_eq!(named, fields, "{body}");
        }
    }
    // Unknown fields and the wrong shape are refused too.
    let odd = submit(
        app,
        &chat.id,
        &chat.token,
        &json!({"service": "B", "bankid": "1"}),
    )
    .await;
    assert_eq!(odd.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let store = app_store(app).await;
    assert!(store.cancellations_of(&chat.id).await.unwrap().is_empty());
    assert!(store.handoffs_of(&chat.id).await.unwrap().is_empty());
    store.close().await;
    let after = app.read(&chat).await["messages"].as_array().unwrap().len();
    assert_eq!(before, after, "nothing stored");
}

async fn another_conversations_token_gets_404(app: &TestApp) {
    let mine = app.start_chat("sv").await;
    let theirs = app.start_chat("sv").await;
    let response = submit(app, &mine.id, &theirs.token, &form()).await;
    assert_eq!(
        error_code(response, StatusCode::NOT_FOUND).await,
        "conversation_not_found"
    );
    // The token is checked before the form: a stranger learns nothing from the validation.
    let response = submit(app, &mine.id, &theirs.token, &json!({"service": ""})).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = submit(app, "no-such-conversation", &mine.token, &form()).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    let created: Value = submit(app, &mine.id, &mine.token, &form())
        .await
        .json()
        .await
        .unwrap();
    let reference = created["reference"].as_str().unwrap();
    let wrong = download_receipt(app, &mine, &theirs.token, reference).await;
    assert_eq!(wrong.status(), StatusCode::NOT_FOUND);
    let unknown = download_receipt(app, &mine, &mine.token, "SU-000000-000000").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let missing = app
        .client
        .post(app.url(&format!("/api/v1/conversations/{}/cancellation", mine.id)))
        .json(&form())
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
}

on_both_engines!(
    a_written_cancellation_is_received_once_with_a_receipt_and_a_handoff,
    english_receipts_are_in_english_and_only_a_name_and_service_are_needed,
    bad_forms_name_every_field_and_store_nothing,
    another_conversations_token_gets_404,
);

/// Where the conversation is when the customer says they want to cancel.
#[derive(Debug, Clone, Copy)]
pub(crate) enum State {
    Fresh,
    MidGuide,
    Queued,
    WithAgent,
}

const SWEDISH: &[&str] = &[
    "Jag vill säga upp mitt abonnemang",
    "hur sager jag upp bredbandet",
    "vill avsluta mitt mobilabonnemang",
    "säg upp tv-paketet tack",
    "jag flyttar utomlands och behöver avsluta allt",
    "min pappa har gått bort och jag behöver säga upp hans abonnemang",
    "kan jag säga upp skriftligt? vill inte ringa",
    "uppsägning av bredband",
    "ja vill inte va kund hos er längre, avsluta allt",
    "hur gör jag för att avsluta mitt avtal med er",
    "orkar inte mer, vill bara säga upp alltihop",
    "SÄG UPP MITT ABONNEMANG NU",
    "jag vill säga upp min fasta telefon",
];

const ENGLISH: &[&str] = &[
    "I want to cancel my subscription",
    "how do i cancell my broadband",
    "please terminate my contract",
    "I'm moving abroad and need to end my plan",
    "stop my mobile subscription, I don't want it anymore",
    "can I cancel in writing instead of calling",
    "i want to stop being your customer",
    "my mother passed away, how do I close her account",
];

/// The kinds of a message's buttons, in order.
pub(crate) fn action_kinds(message: &Value) -> Vec<String> {
    message["actions"]
        .as_array()
        .map(|actions| {
            actions
                .iter()
                .map(|a| a["kind"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Puts a new conversation in `state` and returns it.
pub(crate) async fn chat_in(app: &TestApp, locale: &str, state: State) -> Chat {
    let chat = app.start_chat(locale).await;
    match state {
        State::Fresh => {}
        State::MidGuide => {
            let fault = if locale == "sv" {
                "internet funkar inte alls, routern blinkar rött"
            } else {
                "my internet is down and the router light is red"
            };
            let replies = app.say(&chat, json!({"text": fault})).await;
            assert!(
                replies.iter().any(|m| m["guide_step"].is_object()),
                "a guide should be open: {replies:#?}"
            );
        }
        State::Queued | State::WithAgent => {
            app.say(&chat, json!({"action": "talk_to_human"})).await;
            assert_eq!(app.read(&chat).await["status"], "queued");
            if matches!(state, State::WithAgent) {
                // The agent inbox comes with the handoff work; until then the status is set
                // the way a claim will set it.
                sqlx::any::install_default_drivers();
                let mut conn = sqlx::AnyConnection::connect(&app.db.url).await.unwrap();
                sqlx::query("UPDATE conversations SET status = 'agent' WHERE id = $1")
                    .bind(&chat.id)
                    .execute(&mut conn)
                    .await
                    .unwrap();
                conn.close().await.unwrap();
                assert_eq!(app.read(&chat).await["status"], "agent");
            }
        }
    }
    chat
}

/// Every phrasing, in every state: the first message of the answer offers the written path
/// and nothing in the answer sells.
#[tokio::test]
async fn the_written_path_comes_first_in_every_state() {
    let app = spawn_app(Backend::Sqlite).await;
    let mut failures = Vec::new();
    for state in [
        State::Fresh,
        State::MidGuide,
        State::Queued,
        State::WithAgent,
    ] {
        for (locale, phrasings) in [("sv", SWEDISH), ("en", ENGLISH)] {
            for text in phrasings {
                let chat = chat_in(&app, locale, state).await;
                let replies = app.say(&chat, json!({ "text": text })).await;
                let Some(first) = replies.first() else {
                    failures.push(format!("{state:?} {text:?}: no answer"));
                    continue;
                };
                // By kind: for an estate the button opens the same form at its part for
                // someone else's subscription.
                let ids = action_kinds(first);
                if ids.first().map(String::as_str) != Some("written_cancellation") {
                    failures.push(format!("{state:?} {text:?}: first message {first}"));
                    continue;
                }
                let role = if matches!(state, State::Queued | State::WithAgent) {
                    "system"
                } else {
                    "bot"
                };
                assert_eq!(first["role"], role, "{state:?} {text:?}");
                let plain = first["text"].as_str().unwrap();
                let says_writing = plain.contains("skriftligt") || plain.contains("in writing");
                assert!(says_writing, "{state:?} {text:?}: {plain}");
                if matches!(state, State::MidGuide) {
                    assert_eq!(
                        ids,
                        [
                            "written_cancellation",
                            "talk_to_human",
                            "continue_troubleshooting"
                        ],
                        "only after the written path, the way back to the guide"
                    );
                }
                for reply in &replies {
                    let said = reply["text"].as_str().unwrap();
                    assert_eq!(sales_phrases(said), Vec::<String>::new(), "{said}");
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    app.finish().await;
}

async fn passwords_and_card_numbers_are_masked_before_they_are_stored(app: &TestApp) {
    let chat = app.start_chat("sv").await;
    let replies = app
        .say(
            &chat,
            json!({"text": "Jag kommer inte in i mejlen, mitt lösenord är Sommar2024! hjälp"}),
        )
        .await;
    let notice = replies.last().unwrap()["text"].as_str().unwrap().to_owned();
    assert!(notice.contains("dolt"), "{notice}");
    app.say(
        &chat,
        json!({"text": "Kortet 4111 1111 1111 1111 drogs två gånger på fakturan"}),
    )
    .await;
    // A wish to cancel still gets the written path first; the notice comes after it.
    let replies = app
        .say(
            &chat,
            json!({"text": "jag vill säga upp allt, pin-koden är 4321"}),
        )
        .await;
    assert_eq!(action_ids(&replies[0])[0], "written_cancellation");
    assert!(replies.last().unwrap()["text"]
        .as_str()
        .unwrap()
        .contains("dolt"));

    let view = app.read(&chat).await;
    let customer: Vec<&str> = view["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "customer")
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        customer,
        [
            "Jag kommer inte in i mejlen, mitt lösenord är •••• hjälp",
            "Kortet •••• drogs två gånger på fakturan",
            "jag vill säga upp allt, pin-koden är ••••",
        ]
    );
    // Ids and timestamps are left out: a UUID or the microseconds of a time can hold "4111".
    let ids_and_times = regex::Regex::new(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{4}-\d\d-\d\dT[0-9:.]+Z?",
    )
    .unwrap();
    let everything = ids_and_times
        .replace_all(&view.to_string(), "_")
        .into_owned();
    for secret in ["Sommar2024", "4111", "4321"] {
        assert!(!everything.contains(secret), "{secret} was stored");
    }
    // An ordinary message about a password gets no notice.
    let replies = app
        .say(
            &chat,
            json!({"text": "jag har glömt mitt lösenord till mejlen"}),
        )
        .await;
    assert!(replies
        .iter()
        .all(|m| !m["text"].as_str().unwrap().contains("dolt")));
}

on_both_engines!(passwords_and_card_numbers_are_masked_before_they_are_stored);

/// Asked for a person, the bot hands over and says which other ways exist, as configured.
#[tokio::test]
async fn asking_for_a_person_gets_the_configured_phone_and_hours() {
    let db = TestDatabase::create(Backend::Sqlite).await;
    let profile = company_profile(&[
        ("phone: null", "phone: 0771-40 40 40"),
        ("  sv: null", "  sv: vardagar 8–20"),
    ]);
    let app = spawn_app_on(db, |settings| {
        settings.company_profile = Some(profile.path.clone());
    })
    .await;
    let chat = app.start_chat("sv").await;
    let replies = app
        .say(
            &chat,
            json!({"text": "vad har ni för telefonnummer? vill prata med en människa"}),
        )
        .await;
    let text = replies[0]["text"].as_str().unwrap();
    assert!(
        text.contains("0771-40 40 40") && text.contains("vardagar 8–20"),
        "{text}"
    );
    assert_eq!(app.read(&chat).await["status"], "queued");
    app.finish().await;

    // Without configuration nothing is invented, and there is still a person.
    let app = spawn_app(Backend::Sqlite).await;
    let chat = app.start_chat("en").await;
    let replies = app.say(&chat, json!({"action": "talk_to_human"})).await;
    let text = replies[0]["text"].as_str().unwrap();
    assert!(
        text.contains("colleague") && !text.contains("call"),
        "{text}"
    );
    app.finish().await;
}

/// A bare SMTP server that records each mail it is given, or refuses every one.
struct SmtpReceiver {
    addr: std::net::SocketAddr,
    mails: Arc<Mutex<Vec<String>>>,
}

impl SmtpReceiver {
    async fn start(accept: bool) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let store = mails.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    write.write_all(b"220 test ESMTP\r\n").await.unwrap();
                    let mut data: Option<String> = None;
                    let mut envelope = String::new();
                    while let Ok(Some(line)) = lines.next_line().await {
                        if let Some(body) = data.as_mut() {
                            if line == "." {
                                store.lock().unwrap().push(format!("{envelope}{body}"));
                                data = None;
                                write.write_all(b"250 queued\r\n").await.unwrap();
                            } else {
                                body.push_str(&line);
                                body.push('\n');
                            }
                            continue;
                        }
                        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                        let reply: &[u8] = match verb.as_str() {
                            "EHLO" | "HELO" => b"250-test\r\n250 8BITMIME\r\n",
                            "MAIL" if !accept => b"451 try again later\r\n",
                            "MAIL" | "RCPT" => {
                                envelope.push_str(&line);
                                envelope.push('\n');
                                b"250 ok\r\n"
                            }
                            "DATA" => {
                                data = Some(String::new());
                                b"354 go ahead\r\n"
                            }
                            "QUIT" => {
                                write.write_all(b"221 bye\r\n").await.ok();
                                break;
                            }
                            _ => b"250 ok\r\n",
                        };
                        write.write_all(reply).await.unwrap();
                    }
                });
            }
        });
        Self { addr, mails }
    }
}

/// Quoted-printable, undone: soft line breaks joined and `=XX` decoded.
fn unquote(text: &str) -> String {
    let joined = text.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

async fn wait_for_mail_status(
    app: &TestApp,
    chat: &Chat,
    status: &str,
) -> felsok::storage::OutboxMail {
    let store = app_store(app).await;
    for _ in 0..600 {
        let mail = store.mail_of(&chat.id).await.unwrap();
        if let Some(m) = mail.iter().find(|m| m.status.as_str() == status) {
            store.close().await;
            return m.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no mail reached {status}");
}

#[tokio::test]
async fn the_receipt_is_mailed_to_the_customer_when_smtp_is_configured() {
    let receiver = SmtpReceiver::start(true).await;
    let db = TestDatabase::create(Backend::Sqlite).await;
    let url = format!("smtp://{}", receiver.addr);
    let app = spawn_app_on(db, |settings| {
        settings.smtp_url = Some(url);
        settings.mail_from = "Felsök kundtjänst <kundtjanst@example.se>".into();
    })
    .await;
    let chat = app.start_chat("sv").await;
    let answer: Value = submit(&app, &chat.id, &chat.token, &form())
        .await
        .json()
        .await
        .unwrap();
    let reference = answer["reference"].as_str().unwrap();
    let sent = wait_for_mail_status(&app, &chat, "sent").await;
    assert_eq!(sent.recipient, "anna@example.se");
    assert_eq!(sent.attempts, 1);
    let mails = receiver.mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    let mail = unquote(&mails[0]);
    assert!(mail.contains("RCPT TO:<anna@example.se>"), "{mail}");
    assert!(mail.contains("kundtjanst@example.se"), "{mail}");
    assert!(mail.contains(reference), "{mail}");
    assert!(
        mail.contains("bortse från det här"),
        "Swedish intact: {mail}"
    );
    // Anyone can type any address into the form, so nothing its sender wrote is mailed.
    for written in ["Anna Svensson", "Bredband 250/100", "Vi flyttar ihop"] {
        assert!(!mail.contains(written), "{written:?} mailed: {mail}");
    }
    // A resubmission sends no second mail.
    submit(&app, &chat.id, &chat.token, &form()).await;
    assert_eq!(
        app_store(&app).await.mail_of(&chat.id).await.unwrap().len(),
        1
    );
    app.finish().await;
}

#[tokio::test]
async fn a_refusing_mail_server_delays_the_copy_but_never_the_receipt() {
    let receiver = SmtpReceiver::start(false).await;
    let db = TestDatabase::create(Backend::Postgres).await;
    let url = format!("smtp://{}", receiver.addr);
    let app = spawn_app_on(db, |settings| settings.smtp_url = Some(url)).await;
    let chat = app.start_chat("sv").await;
    let response = submit(&app, &chat.id, &chat.token, &form()).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let store = app_store(&app).await;
    let mut waited = 0;
    let mail = loop {
        let mail = store.mail_of(&chat.id).await.unwrap();
        if mail.first().is_some_and(|m| m.last_error.is_some()) {
            break mail[0].clone();
        }
        waited += 1;
        assert!(waited < 600, "the first attempt never ended");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    store.close().await;
    assert_eq!(mail.status.as_str(), "pending", "it will be retried");
    assert_eq!(mail.attempts, 1);
    assert!(mail.last_error.unwrap().contains("451"));
    assert!(mail.next_attempt_at > felsok::timestamp::Timestamp::now());
    assert!(receiver.mails.lock().unwrap().is_empty());
    app.finish().await;
}
