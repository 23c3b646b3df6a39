//! The three pages in a real headless Chromium against the real service: a customer walks a
//! guide and reaches a person, an agent answers live, a customer cancels in writing, an
//! editor changes a step that the next chat shows; keyboard only; both languages; markup in
//! names, messages and guides stays text; axe-core finds no serious accessibility problem.
//! Screenshots of every page land in `target/screenshots/`.

use crate::common::browser::{
    assert_accessible, at_least, click, fill, first_load_bytes, page_text, paste, screenshot,
    visible, with_text, Browser,
};
use crate::common::{get_json, spawn_app, Backend, TestApp};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use felsok::auth::StaffRole;
use serde_json::{json, Value};

const ROUTER_PROBLEM: &str = "Routern blinkar rött och internet fungerar inte";
const XSS_IMG: &str = "<img src=x onerror=\"window.__xss=1\">";
const XSS_SCRIPT: &str = "<script>window.__xss=1</script>";

/// Clicks the last element matching `css` (the newest message's button, say).
async fn click_last(client: &Client, css: &str) {
    let all = at_least(client, css, 1).await;
    all.last().expect("one").click().await.expect("click");
}

/// Opens the chat in `client` and waits for the greeting.
async fn open_chat(client: &Client, app: &TestApp) {
    client.goto(&app.url("/")).await.expect("open chat");
    visible(client, "#messages .message[data-role='bot']").await;
}

/// Types `text` into the chat's box and presses its send button.
async fn send(client: &Client, text: &str) {
    fill(client, "#message-input", text).await;
    click(client, "#send").await;
}

async fn sign_in(client: &Client, app: &TestApp, page: &str, token: &str) {
    client.goto(&app.url(page)).await.expect("open page");
    fill(client, "#token-input", token).await;
    click(client, "#signin-form button[type='submit']").await;
    visible(client, "#signout").await;
    // The token is in an HttpOnly cookie only: no script on this origin (the chat's
    // included) can read it from storage or from document.cookie.
    let readable = attribute(
        client,
        "return JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage), \
         document.cookie]);",
    )
    .await;
    assert!(
        !readable.as_str().unwrap_or_default().contains(token),
        "the staff token is readable by scripts: {readable}"
    );
}

async fn attribute(client: &Client, script: &str) -> Value {
    client.execute(script, vec![]).await.expect("script runs")
}

/// Nothing that arrived as text became markup: no injected element, no script ran.
async fn assert_inert(client: &Client, what: &str) {
    let injected = client
        .find_all(Locator::Css(
            "img[src='x'], #messages script, #transcript script",
        ))
        .await
        .expect("query");
    assert!(
        injected.is_empty(),
        "{what}: markup from data became elements"
    );
    let ran = attribute(client, "return window.__xss === undefined").await;
    assert_eq!(ran, json!(true), "{what}: a script from data ran");
}

async fn first_handoff(app: &TestApp, agent: &str) -> Value {
    let client = reqwest::Client::new();
    let list = get_json(&client, &app.url("/api/v1/agent/handoffs"), agent).await;
    let id = list["handoffs"][0]["id"].as_str().expect("a handoff");
    get_json(
        &client,
        &app.url(&format!("/api/v1/agent/handoffs/{id}")),
        agent,
    )
    .await
}

/// Waits until the first handoff has `status` (the page's action went through).
async fn status_becomes(app: &TestApp, agent: &str, status: &str) {
    for _ in 0..300 {
        if first_handoff(app, agent).await["status"] == status {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the handoff never became {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_walks_a_guide_asks_for_a_person_and_sees_the_agent_reply_live() {
    let app = spawn_app(Backend::Sqlite).await;
    let agent_token = app.staff_token(StaffRole::Agent, "Anna Lind").await;
    let browser = Browser::start().await;

    let customer = browser.open().await;
    open_chat(&customer, &app).await;
    assert_accessible(&customer, "chat on arrival").await;
    send(&customer, ROUTER_PROBLEM).await;
    with_text(&customer, ".step-card", "Dra ur routerns strömsladd").await;
    click_last(
        &customer,
        ".step-card button[data-action-kind='step_failed']",
    )
    .await;
    with_text(
        &customer,
        ".step-card",
        "Vänta tills lampan för internet lyser fast",
    )
    .await;
    assert_accessible(&customer, "chat with step cards").await;
    screenshot(&customer, "chat-steps-sv").await;
    click_last(
        &customer,
        ".step-card button[data-action-kind='step_skipped']",
    )
    .await;
    with_text(&customer, ".step-card", "Tryck fast kabeln").await;
    click(&customer, "#talk-to-human").await;
    visible(&customer, "#queue-status").await;

    // What the agent gets is the whole case: both steps with their outcomes.
    let handoff = first_handoff(&app, &agent_token).await;
    let outcomes: Vec<&str> = handoff["steps_tried"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes[..2], ["failed", "skipped"], "{handoff:#}");

    let agent = browser.open().await;
    sign_in(&agent, &app, "/agent", &agent_token).await;
    click(&agent, ".handoff-item").await;
    with_text(&agent, "#steps-tried", "Dra ur routerns strömsladd").await;
    at_least(&agent, "#steps-tried li[data-outcome='failed']", 1).await;
    at_least(&agent, "#steps-tried li[data-outcome='skipped']", 1).await;
    with_text(
        &agent,
        "#transcript .message[data-role='customer']",
        ROUTER_PROBLEM,
    )
    .await;
    click(&agent, "#claim").await;
    let reply =
        "Hej! Jag heter Anna och tittar på din router nu. Ser du fortfarande ett rött sken?";
    fill(&agent, "#reply-input", reply).await;
    click(&agent, "#reply-form button[type='submit']").await;
    assert_accessible(&agent, "agent inbox with a claimed handoff").await;
    screenshot(&agent, "agent-handoff-sv").await;

    // Live, without a reload; and still there after one.
    with_text(&customer, ".message[data-role='agent']", "Jag heter Anna").await;
    screenshot(&customer, "chat-agent-reply-sv").await;
    customer.refresh().await.unwrap();
    with_text(&customer, ".message[data-role='agent']", "Jag heter Anna").await;
    with_text(&customer, ".message[data-role='customer']", ROUTER_PROBLEM).await;

    // A message from the customer reaches the agent's open handoff live too.
    fill(
        &customer,
        "#message-input",
        "Ja, den lyser fortfarande rött.",
    )
    .await;
    customer
        .active_element()
        .await
        .unwrap()
        .send_keys(&Key::Enter)
        .await
        .unwrap();
    with_text(
        &agent,
        "#transcript .message[data-role='customer']",
        "lyser fortfarande",
    )
    .await;

    click(&agent, "#lang-switch").await;
    with_text(&agent, "#handoff-view", "Anna").await;
    assert_eq!(
        attribute(&agent, "return document.documentElement.lang").await,
        json!("en")
    );
    assert_accessible(&agent, "agent inbox in English").await;
    screenshot(&agent, "agent-handoff-en").await;

    // Handed back, the case waits in its queue again; claimed anew, it can be closed.
    click(&agent, "#hand-back").await;
    status_becomes(&app, &agent_token, "queued").await;
    click(&agent, "#claim:enabled").await;
    status_becomes(&app, &agent_token, "claimed").await;
    // The server may have it claimed a moment before the page has the answer and opens the note.
    fill(
        &agent,
        "#resolve-note:enabled",
        "Bytt router skickas, kunden informerad.",
    )
    .await;
    click(&agent, "#resolve-form button[type='submit']:enabled").await;
    status_becomes(&app, &agent_token, "resolved").await;
    browser.close().await;
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_cancels_in_writing_and_gets_the_receipt() {
    let app = spawn_app(Backend::Sqlite).await;
    let browser = Browser::start().await;
    let customer = browser.open().await;
    open_chat(&customer, &app).await;
    send(&customer, "Jag vill säga upp mitt bredband").await;

    // The very first answer offers the written path.
    with_text(&customer, ".message[data-role='customer']", "säga upp").await;
    let offer = visible(
        &customer,
        ".message[data-role='bot']:last-child button[data-action-kind='written_cancellation']",
    )
    .await;
    offer.click().await.unwrap();
    visible(&customer, "#cancellation-form").await;
    fill(
        &customer,
        "#cancellation-form [name='service']",
        "Bredband 250/100",
    )
    .await;
    fill(
        &customer,
        "#cancellation-form [name='full_name']",
        "Eva Andersson",
    )
    .await;
    fill(
        &customer,
        "#cancellation-form [name='email']",
        "eva@example.se",
    )
    .await;
    assert_accessible(&customer, "cancellation form").await;
    screenshot(&customer, "chat-cancellation-form-sv").await;
    click(&customer, "#cancellation-form button[type='submit']").await;
    with_text(&customer, "#cancellation-review", "Eva Andersson").await;
    screenshot(&customer, "chat-cancellation-review-sv").await;
    click(&customer, "#cancellation-confirm").await;
    let receipt = with_text(&customer, "#cancellation-receipt", "SU-").await;
    let text = receipt.text().await.unwrap();
    let reference = text
        .split_whitespace()
        .find(|w| w.starts_with("SU-"))
        .expect("the reference")
        .trim_matches(|c: char| !c.is_ascii_alphanumeric());
    assert_accessible(&customer, "cancellation receipt").await;
    screenshot(&customer, "chat-cancellation-receipt-sv").await;

    // Stored, under the reference the customer was shown.
    let agent = app.staff_token(StaffRole::Agent, "Anna Lind").await;
    let handoff = first_handoff(&app, &agent).await;
    assert_eq!(
        handoff["cancellation"]["reference"], reference,
        "{handoff:#}"
    );
    browser.close().await;
    app.finish().await;
}

/// Sets a date field as its date picker would: typing into one follows the browser's locale.
async fn set_date(client: &Client, css: &str, day: &str) {
    visible(client, css).await;
    let set = client
        .execute(
            "const input = document.querySelector(arguments[0]);
             input.value = arguments[1];
             input.dispatchEvent(new Event('input', {bubbles: true}));
             input.dispatchEvent(new Event('change', {bubbles: true}));
             return input.value;",
            vec![json!(css), json!(day)],
        )
        .await
        .expect("script runs");
    assert_eq!(set, json!(day), "{css} did not take {day}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_withdraws_from_a_contract_and_an_agent_accepts_it() {
    let app = spawn_app(Backend::Sqlite).await;
    let agent_token = app.staff_token(StaffRole::Agent, "Anna Lind").await;
    let browser = Browser::start().await;
    let customer = browser.open().await;
    open_chat(&customer, &app).await;

    // The way out is in the header from the start: nobody has to ask the bot for it first.
    with_text(&customer, "#open-withdrawal", "Ångra avtal").await;
    click(&customer, "#open-withdrawal").await;
    visible(&customer, "#withdrawal-form").await;
    let today = time::OffsetDateTime::now_utc().date();
    let made_on = (today - time::Duration::days(3)).to_string();
    fill(
        &customer,
        "#withdrawal-form [name='full_name']",
        "Eva Andersson",
    )
    .await;
    fill(
        &customer,
        "#withdrawal-form [name='contract']",
        "Bredband 250/100",
    )
    .await;
    set_date(
        &customer,
        "#withdrawal-form [name='contract_date']",
        &made_on,
    )
    .await;
    fill(
        &customer,
        "#withdrawal-form [name='email']",
        "eva@example.se",
    )
    .await;
    assert_accessible(&customer, "withdrawal form").await;
    screenshot(&customer, "chat-withdrawal-form-sv").await;
    click(&customer, "#withdrawal-form button[type='submit']").await;
    with_text(&customer, "#withdrawal-review", "Eva Andersson").await;
    let last_day = visible(&customer, "#withdrawal-review .withdrawal-last-day").await;
    let last_day = last_day.attr("datetime").await.unwrap().unwrap_or_default();
    assert!(
        last_day.as_str() > made_on.as_str(),
        "last day {last_day:?}"
    );
    screenshot(&customer, "chat-withdrawal-review-sv").await;
    click(&customer, "#withdrawal-confirm").await;
    let reference = with_text(&customer, "#withdrawal-receipt .receipt-reference", "ÅN-")
        .await
        .text()
        .await
        .unwrap();
    assert!(reference.starts_with("ÅN-"), "{reference}");
    assert_accessible(&customer, "withdrawal receipt").await;
    screenshot(&customer, "chat-withdrawal-receipt-sv").await;

    // Back in the chat, the receipt is there too, with a button to save it.
    click(&customer, "#withdrawal-receipt button[data-close]").await;
    with_text(&customer, ".message[data-role='system']", &reference).await;
    visible(
        &customer,
        ".message[data-role='system'] .message-tools button",
    )
    .await;

    // Stored as a withdrawal, under the reference the customer was shown.
    let handoff = first_handoff(&app, &agent_token).await;
    assert_eq!(handoff["reason"], "withdrawal", "{handoff:#}");
    assert_eq!(handoff["cancellation"]["kind"], "withdrawal", "{handoff:#}");
    assert_eq!(
        handoff["cancellation"]["reference"], reference,
        "{handoff:#}"
    );

    // The agent sees what it is and when the contract was made, and accepting it asks for
    // the day the service ends and the last invoice, which the customer is told.
    let agent = browser.open().await;
    sign_in(&agent, &app, "/agent", &agent_token).await;
    click(&agent, ".handoff-item").await;
    with_text(&agent, "#handoff-context", "Ångrat avtal (ångerrätt)").await;
    with_text(&agent, "#handoff-context", &made_on).await;
    click(&agent, "#claim").await;
    with_text(&agent, "#resolve-outcome", "Ångern är godkänd").await;
    let ends_on = (today + time::Duration::days(2)).to_string();
    let last_invoice_on = (today + time::Duration::days(20)).to_string();
    set_date(&agent, "#resolve-service-ends", &ends_on).await;
    set_date(&agent, "#resolve-last-invoice", &last_invoice_on).await;
    assert_accessible(&agent, "agent resolving a withdrawal").await;
    attribute(
        &agent,
        "document.getElementById('resolve-form').scrollIntoView({block: 'center'});",
    )
    .await;
    screenshot(&agent, "agent-withdrawal-sv").await;
    click(&agent, "#resolve-form button[type='submit']:enabled").await;
    status_becomes(&app, &agent_token, "resolved").await;
    let handoff = first_handoff(&app, &agent_token).await;
    assert_eq!(handoff["outcome"], "withdrawal_confirmed", "{handoff:#}");
    assert_eq!(
        handoff["cancellation"]["service_ends_on"], ends_on,
        "{handoff:#}"
    );
    with_text(&customer, ".message", "Tjänsten upphör").await;
    browser.close().await;
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_editor_changes_a_step_and_the_next_chat_shows_it() {
    let app = spawn_app(Backend::Sqlite).await;
    let editor_token = app.staff_token(StaffRole::Editor, "Maja Berg").await;
    let browser = Browser::start().await;
    let editor = browser.open().await;
    sign_in(&editor, &app, "/editor", &editor_token).await;
    fill(&editor, "#guide-search", "starta om routern").await;
    // Clicked once the search's answer is drawn: before, the list can change under the click.
    click(
        &editor,
        "#guide-list[data-query='starta om routern'] .guide-item[data-guide-id='router-restart-sv']",
    )
    .await;
    with_text(
        &editor,
        "#guide-preview .preview-step",
        "Dra ur routerns strömsladd",
    )
    .await;
    assert_accessible(&editor, "editor with a guide open").await;

    let old = "Vänta 30 sekunder innan du sätter tillbaka sladden.";
    let new = "Vänta en hel minut innan du sätter tillbaka sladden.";
    let source = visible(&editor, "#guide-source").await;
    let text = source.prop("value").await.unwrap().unwrap();
    assert!(text.contains(old), "{text}");
    // Select all and type the new source, as a person pasting would.
    paste(&editor, &source, &text.replace(old, new)).await;
    with_text(
        &editor,
        "#guide-preview .preview-step",
        "Vänta en hel minut",
    )
    .await;
    click(&editor, "#save-guide").await;
    at_least(&editor, "#history li", 2).await;
    screenshot(&editor, "editor-guide-sv").await;

    // A broken source is refused with its problems shown, and nothing is saved.
    source.send_keys(&(Key::Control + "a")).await.unwrap();
    source.send_keys("Bara text utan rubriker").await.unwrap();
    click(&editor, "#save-guide").await;
    at_least(&editor, "#validation-problems li", 1).await;
    assert_accessible(&editor, "editor showing validation problems").await;
    screenshot(&editor, "editor-invalid-sv").await;

    click(&editor, "#lang-switch").await;
    assert_eq!(
        attribute(&editor, "return document.documentElement.lang").await,
        json!("en")
    );
    assert_accessible(&editor, "editor in English").await;
    screenshot(&editor, "editor-guide-en").await;

    let customer = browser.open().await;
    open_chat(&customer, &app).await;
    send(&customer, ROUTER_PROBLEM).await;
    with_text(&customer, ".step-card", "Vänta en hel minut").await;
    browser.close().await;
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_editor_reviews_what_the_bot_failed_and_teaches_it_in_both_languages() {
    let app = spawn_app(Backend::Sqlite).await;
    let editor_token = app.staff_token(StaffRole::Editor, "Maja Berg").await;
    for text in [
        "min fax fungerar inte längre",
        "faxen skickar inga sidor",
        "Kan du ge mig ett recept på kanelbullar?",
    ] {
        let chat = app.start_chat("sv").await;
        app.say(&chat, json!({ "text": text })).await;
    }
    let browser = Browser::start().await;
    let editor = browser.open().await;
    sign_in(&editor, &app, "/editor", &editor_token).await;
    let fax = with_text(&editor, "#review-groups .review-group", "faxen skickar").await;
    let size = fax.attr("data-size").await.unwrap();
    assert_eq!(size.as_deref(), Some("2"));
    with_text(&editor, "#review-status", "3 meddelanden i 2 grupper").await;
    assert_accessible(&editor, "editor's review inbox").await;
    attribute(
        &editor,
        "document.getElementById('review').scrollIntoView(); return 1;",
    )
    .await;
    screenshot(&editor, "editor-review-sv").await;

    // A guide to add to must be chosen first: nothing is sent until it is.
    fax.find(Locator::Css("button.teach-guide"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    with_text(&editor, "#review-status", "Välj först vilken guide").await;

    // Taught as landline problems in one action: the group leaves the inbox.
    let select = fax
        .find(Locator::Css("select[id^='teach-intent']"))
        .await
        .unwrap();
    select
        .select_by_value("voip_landline")
        .await
        .expect("the intent is offered");
    fax.find(Locator::Css("button.teach-intent"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    with_text(&editor, "#review-status", "2 meddelanden blev exempel").await;
    with_text(&editor, "#review-status", "1 meddelande i 1 grupp").await;
    let taught = get_json(
        &app.client,
        &app.url("/api/v1/review/taught"),
        &editor_token,
    )
    .await;
    assert_eq!(taught["examples"].as_array().unwrap().len(), 2, "{taught}");
    assert_eq!(taught["examples"][0]["author"], "Maja Berg");

    click(&editor, "#lang-switch").await;
    with_text(
        &editor,
        "#review-groups .review-group button.dismiss",
        "Dismiss",
    )
    .await;
    assert_accessible(&editor, "editor's review inbox in English").await;
    attribute(
        &editor,
        "document.getElementById('review').scrollIntoView(); return 1;",
    )
    .await;
    screenshot(&editor, "editor-review-en").await;
    click(&editor, "#review-groups .review-group button.dismiss").await;
    with_text(&editor, "#review-status", "Nothing to review here").await;
    browser.close().await;
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_works_from_the_keyboard_alone() {
    let app = spawn_app(Backend::Sqlite).await;
    let browser = Browser::start().await;
    let customer = browser.open().await;
    open_chat(&customer, &app).await;

    tab_to(
        &customer,
        "return document.activeElement.id === 'message-input'",
    )
    .await;
    let input = customer.active_element().await.unwrap();
    input.send_keys(ROUTER_PROBLEM).await.unwrap();
    input.send_keys(&Key::Enter).await.unwrap();
    with_text(&customer, ".step-card", "Dra ur routerns strömsladd").await;

    tab_to(
        &customer,
        "return document.activeElement.dataset.actionKind === 'step_failed'",
    )
    .await;
    let button = customer.active_element().await.unwrap();
    button.send_keys(&Key::Enter).await.unwrap();
    with_text(
        &customer,
        ".step-card",
        "Vänta tills lampan för internet lyser fast",
    )
    .await;

    tab_to(
        &customer,
        "return document.activeElement.id === 'talk-to-human'",
    )
    .await;
    let button = customer.active_element().await.unwrap();
    button.send_keys(" ").await.unwrap();
    visible(&customer, "#queue-status").await;
    browser.close().await;
    app.finish().await;
}

/// Presses Tab until `reached` (a script answering true or false) holds.
async fn tab_to(client: &Client, reached: &str) {
    for _ in 0..60 {
        if attribute(client, reached).await == json!(true) {
            return;
        }
        client
            .active_element()
            .await
            .unwrap()
            .send_keys(&Key::Tab)
            .await
            .unwrap();
    }
    panic!(
        "Tab never reached what {reached} checks; the page says:\n{}",
        page_text(client).await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_speaks_english_when_switched() {
    let app = spawn_app(Backend::Sqlite).await;
    let browser = Browser::start().await;
    let customer = browser.open().await;
    open_chat(&customer, &app).await;
    let swedish = visible(&customer, "#talk-to-human")
        .await
        .text()
        .await
        .unwrap();
    click(&customer, "#lang-switch").await;
    assert_eq!(
        attribute(&customer, "return document.documentElement.lang").await,
        json!("en")
    );
    let english = visible(&customer, "#talk-to-human")
        .await
        .text()
        .await
        .unwrap();
    assert_ne!(swedish, english);
    send(
        &customer,
        "The router light is red and the internet is down",
    )
    .await;
    // Whichever guide the message finds, its step is written in English.
    with_text(&customer, ".step-card", "Step 1 of").await;
    assert_accessible(&customer, "chat in English").await;
    screenshot(&customer, "chat-steps-en").await;

    // A reload keeps the language and the conversation.
    customer.refresh().await.unwrap();
    with_text(&customer, ".step-card", "Step 1 of").await;
    assert_eq!(
        attribute(&customer, "return document.documentElement.lang").await,
        json!("en")
    );

    // And a phone-sized window still has everything.
    let phone = browser.open_sized(390, 844).await;
    open_chat(&phone, &app).await;
    visible(&phone, "#talk-to-human").await;
    visible(&phone, "#save-transcript").await;
    visible(&phone, "#open-cancellation").await;
    visible(&phone, "#open-withdrawal").await;
    screenshot(&phone, "chat-phone-sv").await;
    browser.close().await;
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markup_in_names_messages_and_guides_stays_text() {
    let app = spawn_app(Backend::Sqlite).await;
    let agent_token = app.staff_token(StaffRole::Agent, "Anna Lind").await;
    let editor_token = app.staff_token(StaffRole::Editor, "Maja Berg").await;
    let browser = Browser::start().await;

    let customer = browser.open().await;
    open_chat(&customer, &app).await;
    send(&customer, &format!("Hej {XSS_IMG} {XSS_SCRIPT}")).await;
    with_text(&customer, ".message[data-role='customer']", "<img src=x").await;
    assert_inert(&customer, "chat").await;

    // Names cannot hold < or > (the API refuses them); entities and quotes must still show
    // as typed, and a message with markup reaches the agent as text.
    let name = "Sven O'Brien &amp; \"Co\"";
    let created: Value = app
        .create(json!({"locale": "sv", "customer": {"name": name}}))
        .await
        .json()
        .await
        .unwrap();
    let chat = crate::common::Chat {
        id: created["conversation_id"].as_str().unwrap().to_owned(),
        token: created["token"].as_str().unwrap().to_owned(),
        greeting: created["messages"].clone(),
    };
    app.say(
        &chat,
        json!({"text": format!("Fakturan är fel {XSS_IMG} {XSS_SCRIPT}")}),
    )
    .await;
    app.say(&chat, json!({"text": "Jag vill prata med en människa"}))
        .await;
    let agent = browser.open().await;
    sign_in(&agent, &app, "/agent", &agent_token).await;
    with_text(&agent, "#handoff-list", "&amp;").await;
    click(&agent, ".handoff-item").await;
    with_text(&agent, "#handoff-context", name).await;
    with_text(&agent, "#transcript", "<img src=x").await;
    with_text(&agent, "#transcript", "<script>").await;
    assert_inert(&agent, "agent inbox").await;

    // Guides may not hold markup: the editor's preview shows it as text, and saving refuses.
    let editor = browser.open().await;
    sign_in(&editor, &app, "/editor", &editor_token).await;
    click(&editor, ".guide-item[data-guide-id='router-restart-sv']").await;
    let source = visible(&editor, "#guide-source").await;
    let text = source.prop("value").await.unwrap().unwrap();
    let text = text.replace(
        "Vänta 30 sekunder innan du sätter tillbaka sladden.",
        &format!("Vänta 30 sekunder {XSS_IMG} {XSS_SCRIPT}"),
    );
    paste(&editor, &source, &text).await;
    with_text(&editor, "#guide-preview", "<script>").await;
    with_text(&editor, "#guide-preview", "<img src=x").await;
    click(&editor, "#save-guide").await;
    at_least(&editor, "#validation-problems li", 1).await;
    assert_inert(&editor, "editor").await;
    browser.close().await;
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_widget_opens_the_chat_on_another_site() {
    let app = spawn_app(Backend::Sqlite).await;
    let browser = Browser::start().await;
    // The company's own site: another origin, with nothing of ours but the script tag.
    let page = format!(
        "<!doctype html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>Operatören</title>\
         </head><body><h1>Operatören</h1><p>Välkommen!</p>\
         <script src=\"{}\" defer></script></body></html>",
        app.url("/widget.js")
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let site_url = format!("http://{}/", listener.local_addr().unwrap());
    let site_router = axum::Router::new().route(
        "/",
        axum::routing::get(move || async move { axum::response::Html(page) }),
    );
    tokio::spawn(async move { axum::serve(listener, site_router).await });
    let site = browser.open().await;
    site.goto(&site_url).await.unwrap();
    click(&site, "#felsok-launcher").await;
    visible(&site, "#felsok-frame").await;
    site.find(Locator::Css("#felsok-frame"))
        .await
        .unwrap()
        .enter_frame()
        .await
        .unwrap();
    visible(&site, "#messages .message[data-role='bot']").await;
    send(&site, ROUTER_PROBLEM).await;
    with_text(&site, ".step-card", "Dra ur routerns strömsladd").await;
    site.enter_parent_frame().await.unwrap();
    screenshot(&site, "widget-sv").await;
    browser.close().await;
    app.finish().await;
}

/// First-load weight of each page, as Chromium fetched it; written next to the screenshots
/// and held under a budget, so that no page grows a framework unnoticed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_loads_light() {
    const BUDGET: u64 = 120 * 1024;
    let app = spawn_app(Backend::Sqlite).await;
    let browser = Browser::start().await;
    let mut report = String::from("| page | first load (bytes, as transferred) |\n|---|---:|\n");
    for (page, ready) in [
        ("/", "#messages .message"),
        ("/agent", "#signin-form"),
        ("/editor", "#signin-form"),
    ] {
        let client = browser.open().await;
        client.goto(&app.url(page)).await.unwrap();
        visible(&client, ready).await;
        let bytes = first_load_bytes(&client).await;
        assert!(bytes > 0, "{page}: the browser reported no transfer");
        assert!(bytes < BUDGET, "{page} loads {bytes} bytes, over {BUDGET}");
        if page != "/" {
            assert_accessible(&client, &format!("{page} sign-in")).await;
            screenshot(&client, &format!("{}-signin-sv", &page[1..])).await;
        }
        report.push_str(&format!("| `{page}` | {bytes} |\n"));
    }
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/target/screenshots");
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(format!("{dir}/first-load.md"), report).unwrap();
    browser.close().await;
    app.finish().await;
}
