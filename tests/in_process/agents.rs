//! The agents' side over the real service: a written cancellation waits in the cancellation
//! queue with its facts and a banner, can only be resolved (with an outcome the customer is
//! told), claims never double up, and the team's numbers never count a cancellation as solved.

use crate::common::{error_code, spawn_app, Backend, Chat, TestApp};
use felsok::auth::StaffRole;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

async fn get(app: &TestApp, path: &str, token: &str) -> Response {
    app.client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
}

async fn ok_json(response: Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn handoffs(app: &TestApp, agent: &str, query: &str) -> Vec<Value> {
    let body = ok_json(get(app, &format!("/api/v1/agent/handoffs{query}"), agent).await).await;
    body["handoffs"].as_array().unwrap().clone()
}

fn one_for<'a>(list: &'a [Value], chat: &Chat) -> &'a Value {
    let mine: Vec<&Value> = list
        .iter()
        .filter(|h| h["conversation_id"] == chat.id.as_str())
        .collect();
    assert_eq!(mine.len(), 1, "{list:?}");
    mine[0]
}

async fn cancel_in_writing(app: &TestApp, chat: &Chat) -> String {
    let response = app
        .post_staff(
            &format!("/api/v1/conversations/{}/cancellation", chat.id),
            &chat.token,
            json!({
                "service": "Bredband 250/100",
                "full_name": "Anna Svensson",
                "customer_number": "123456",
                "email": "anna@example.se"
            }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    body["reference"].as_str().unwrap().to_owned()
}

async fn a_written_cancellation_waits_in_its_queue_and_can_only_be_resolved(app: &TestApp) {
    let agent = app.staff_token(StaffRole::Agent, "Maria").await;
    let chat = app.start_chat("sv").await;
    app.say(&chat, json!({"text": "jag vill säga upp mitt bredband"}))
        .await;
    let reference = cancel_in_writing(app, &chat).await;

    let queued = handoffs(app, &agent, "?queue=cancellation&status=queued").await;
    let listed = one_for(&queued, &chat);
    assert!(
        listed.get("transcript").is_none(),
        "lists carry no transcript"
    );
    let id = listed["id"].as_str().unwrap().to_owned();
    assert!(
        handoffs(app, &agent, "?queue=technical")
            .await
            .iter()
            .all(|h| h["conversation_id"] != chat.id.as_str()),
        "not in another queue"
    );

    let packet = ok_json(get(app, &format!("/api/v1/agent/handoffs/{id}"), &agent).await).await;
    assert_eq!(packet["queue"], "cancellation");
    assert_eq!(packet["reason"], "written_cancellation");
    assert_eq!(packet["status"], "queued");
    assert_eq!(packet["language"], "sv");
    assert_eq!(packet["cancellation"]["reference"], reference.as_str());
    assert_eq!(packet["cancellation"]["service"], "Bredband 250/100");
    assert_eq!(packet["customer"]["name"], "Anna Svensson");
    assert_eq!(packet["customer"]["customer_number"], "123456");
    let banner = packet["banner"].as_str().unwrap();
    assert!(banner.contains(&reference) && banner.contains("inga erbjudanden"));
    let summary = packet["summary"].as_str().unwrap();
    assert!(summary.starts_with("Skriftlig uppsägning"), "{summary}");
    assert!(
        summary.contains("jag vill säga upp mitt bredband"),
        "{summary}"
    );
    let transcript = packet["transcript"].as_array().unwrap();
    assert!(transcript
        .iter()
        .any(|m| m["text"].as_str().unwrap().contains(&reference)));
    let english =
        ok_json(get(app, &format!("/api/v1/agent/handoffs/{id}?lang=en"), &agent).await).await;
    assert!(english["summary"]
        .as_str()
        .unwrap()
        .starts_with("Written cancellation"));

    // There is no way to delete it.
    let delete = app
        .client
        .delete(app.url(&format!("/api/v1/agent/handoffs/{id}")))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), StatusCode::METHOD_NOT_ALLOWED);

    // It must be claimed first, and then resolved with what happened.
    let early = app
        .post_staff(
            &format!("/api/v1/agent/handoffs/{id}/resolve"),
            &agent,
            json!({"outcome": "cancellation_confirmed"}),
        )
        .await;
    assert_eq!(error_code(early, StatusCode::CONFLICT).await, "not_claimed");
    let claimed = ok_json(
        app.post_staff(
            &format!("/api/v1/agent/handoffs/{id}/claim"),
            &agent,
            json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(claimed["status"], "claimed");
    assert_eq!(claimed["claimed_by"], "Maria");
    for (body, code) in [
        (json!({}), "outcome_required"),
        (json!({"outcome": "handled"}), "invalid_outcome"),
        (
            json!({"outcome": "cancellation_withdrawn"}),
            "note_required",
        ),
        // The customer is told when it ends: the agent must say.
        (
            json!({"outcome": "cancellation_confirmed", "last_invoice_on": "2027-02-15"}),
            "date_required",
        ),
        (
            json!({"outcome": "cancellation_confirmed", "service_ends_on": "31/1",
                   "last_invoice_on": "2027-02-15"}),
            "invalid_date",
        ),
        (
            json!({"outcome": "withdrawal_confirmed", "service_ends_on": "2027-01-31",
                   "last_invoice_on": "2027-02-15"}),
            "invalid_outcome",
        ),
    ] {
        let refused = app
            .post_staff(
                &format!("/api/v1/agent/handoffs/{id}/resolve"),
                &agent,
                body,
            )
            .await;
        assert_eq!(
            error_code(refused, StatusCode::UNPROCESSABLE_ENTITY).await,
            code
        );
    }
    let resolved = ok_json(
        app.post_staff(
            &format!("/api/v1/agent/handoffs/{id}/resolve"),
            &agent,
            json!({"outcome": "cancellation_confirmed", "note": "Kollat bindningstid 2027-01-31.",
                   "service_ends_on": "2027-01-31", "last_invoice_on": "2027-02-15"}),
        )
        .await,
    )
    .await;
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["outcome"], "cancellation_confirmed");
    assert_eq!(resolved["note"], "Kollat bindningstid 2027-01-31.");
    assert_eq!(resolved["cancellation"]["service_ends_on"], "2027-01-31");
    assert_eq!(resolved["cancellation"]["last_invoice_on"], "2027-02-15");

    // The customer is told, in their chat, and the internal note stays internal.
    let conversation = app.read(&chat).await;
    let last = conversation["messages"].as_array().unwrap().last().unwrap();
    assert_eq!(last["role"], "system");
    let told = last["text"].as_str().unwrap();
    assert!(
        told.contains(&reference) && told.contains("bekräftad"),
        "{told}"
    );
    // The dates, as a customer reads them; the internal note stays internal.
    assert!(
        told.contains("söndag 31 januari") && told.contains("måndag 15 februari"),
        "{told}"
    );
    assert!(!told.contains("bindningstid") && !told.contains("2027-01-31"));

    let again = app
        .post_staff(
            &format!("/api/v1/agent/handoffs/{id}/claim"),
            &agent,
            json!({}),
        )
        .await;
    assert_eq!(
        error_code(again, StatusCode::CONFLICT).await,
        "already_resolved"
    );
}

async fn an_agent_takes_over_answers_and_hands_back(app: &TestApp) {
    let agent = app.staff_token(StaffRole::Agent, "Maria").await;
    let other = app.staff_token(StaffRole::Agent, "Jonas").await;
    let chat = app.start_chat("sv").await;
    app.say(
        &chat,
        json!({"text": "internet funkar inte alls, routern blinkar rött"}),
    )
    .await;
    app.say(&chat, json!({"action": "step_failed"})).await;
    app.say(&chat, json!({"action": "talk_to_human"})).await;
    let queued = handoffs(app, &agent, "?status=queued").await;
    let listed = one_for(&queued, &chat);
    assert_eq!(listed["queue"], "technical");
    let id = listed["id"].as_str().unwrap().to_owned();
    assert_eq!(listed["steps_tried"][0]["outcome"], "failed");
    let summary = listed["summary"].as_str().unwrap();
    assert!(summary.contains("hjälpte inte"), "{summary}");
    assert!(summary.contains("vill prata med en person"), "{summary}");
    assert!(listed.get("banner").is_none());

    // Messages before a claim are refused; then two agents claim at once and one wins.
    let early = app
        .post_staff(
            &format!("/api/v1/agent/handoffs/{id}/messages"),
            &agent,
            json!({"text": "Hej!"}),
        )
        .await;
    assert_eq!(error_code(early, StatusCode::CONFLICT).await, "not_claimed");
    let claim = |token: String| {
        let url = app.url(&format!("/api/v1/agent/handoffs/{id}/claim"));
        let client = app.client.clone();
        async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({}))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let (a, b) = tokio::join!(claim(agent.clone()), claim(other.clone()));
    let mut statuses = [a, b];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let winner = if a == StatusCode::OK { &agent } else { &other };
    let loser = if a == StatusCode::OK { &other } else { &agent };

    let conversation = app.read(&chat).await;
    assert_eq!(conversation["status"], "agent");
    let joined = conversation["messages"].as_array().unwrap().last().unwrap();
    assert!(joined["text"].as_str().unwrap().contains("har tagit över"));

    let sent = app
        .post_staff(
            &format!("/api/v1/agent/handoffs/{id}/messages"),
            winner,
            json!({"text": "Hej! Jag ser att omstarten inte hjälpte. Jag kollar linjen nu."}),
        )
        .await;
    assert_eq!(sent.status(), StatusCode::CREATED);
    let not_theirs = app
        .post_staff(
            &format!("/api/v1/agent/handoffs/{id}/messages"),
            loser,
            json!({"text": "Hej"}),
        )
        .await;
    assert_eq!(
        error_code(not_theirs, StatusCode::CONFLICT).await,
        "held_by_another_agent"
    );

    // A wish to cancel while the agent holds the chat: the written path first, and a banner.
    let replies = app
        .say(
            &chat,
            json!({"text": "jag orkar inte mer, vill avsluta avtalet"}),
        )
        .await;
    assert_eq!(replies[0]["role"], "system");
    assert_eq!(replies[0]["actions"][0]["id"], "written_cancellation");
    let packet = ok_json(get(app, &format!("/api/v1/agent/handoffs/{id}"), winner).await).await;
    assert!(packet["banner"].as_str().unwrap().contains("vill säga upp"));
    let transcript = packet["transcript"].as_array().unwrap();
    assert!(transcript.iter().any(|m| m["role"] == "agent"));

    let resolved = ok_json(
        app.post_staff(
            &format!("/api/v1/agent/handoffs/{id}/resolve"),
            winner,
            json!({"note": "Linjen återställd."}),
        )
        .await,
    )
    .await;
    assert_eq!(resolved["outcome"], "handled");
    assert_eq!(app.read(&chat).await["status"], "bot");
}

async fn a_handoff_moves_to_another_queue_with_its_context(app: &TestApp) {
    let agent = app.staff_token(StaffRole::Agent, "Maria").await;
    let other = app.staff_token(StaffRole::Agent, "Jonas").await;
    let chat = app.start_chat("sv").await;
    app.say(
        &chat,
        json!({"text": "varför är fakturan så hög den här månaden?"}),
    )
    .await;
    app.say(&chat, json!({"action": "talk_to_human"})).await;
    let id = one_for(&handoffs(app, &agent, "?status=queued").await, &chat)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = |what: &str| format!("/api/v1/agent/handoffs/{id}/{what}");
    ok_json(app.post_staff(&url("claim"), &agent, json!({})).await).await;

    let stranger = app
        .post_staff(&url("move"), &other, json!({"queue": "technical"}))
        .await;
    assert_eq!(
        error_code(stranger, StatusCode::CONFLICT).await,
        "held_by_another_agent"
    );
    for (queue, code) in [
        ("sales", "unknown_queue"),
        ("cancellation", "cancellation_stays"),
    ] {
        let refused = app
            .post_staff(&url("move"), &agent, json!({ "queue": queue }))
            .await;
        assert_eq!(
            error_code(refused, StatusCode::UNPROCESSABLE_ENTITY).await,
            code
        );
    }
    let target = if one_for(&handoffs(app, &agent, "").await, &chat)["queue"] == "billing" {
        "general"
    } else {
        "billing"
    };
    let moved = ok_json(
        app.post_staff(&url("move"), &agent, json!({ "queue": target }))
            .await,
    )
    .await;
    assert_eq!(moved["queue"], target);
    assert_eq!(moved["status"], "queued");
    assert!(moved.get("claimed_by").is_none());
    assert!(moved["summary"]
        .as_str()
        .unwrap()
        .contains("fakturan så hög"));
    let conversation = app.read(&chat).await;
    assert_eq!(conversation["status"], "queued");
    let told = conversation["messages"].as_array().unwrap().last().unwrap();
    assert!(told["text"]
        .as_str()
        .unwrap()
        .contains("behöver inte berätta något igen"));
    // Now anyone in the new queue may take it.
    ok_json(app.post_staff(&url("claim"), &other, json!({})).await).await;

    // A written cancellation is processed where it is, not passed on.
    let reference_chat = app.start_chat("sv").await;
    cancel_in_writing(app, &reference_chat).await;
    let cancellation = one_for(
        &handoffs(app, &agent, "?queue=cancellation").await,
        &reference_chat,
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let refused = app
        .post_staff(
            &format!("/api/v1/agent/handoffs/{cancellation}/move"),
            &agent,
            json!({"queue": "general"}),
        )
        .await;
    assert_eq!(
        error_code(refused, StatusCode::UNPROCESSABLE_ENTITY).await,
        "cancellation_stays"
    );
}

async fn an_agent_who_cannot_finish_hands_the_case_back_to_its_queue(app: &TestApp) {
    let agent = app.staff_token(StaffRole::Agent, "Maria").await;
    let other = app.staff_token(StaffRole::Agent, "Jonas").await;
    let chat = app.start_chat("sv").await;
    app.say(&chat, json!({"text": "mitt wifi är väldigt långsamt"}))
        .await;
    app.say(&chat, json!({"action": "talk_to_human"})).await;
    let id = one_for(&handoffs(app, &agent, "?status=queued").await, &chat)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = |what: &str| format!("/api/v1/agent/handoffs/{id}/{what}");
    let queued = ok_json(get(app, &format!("/api/v1/agent/handoffs/{id}"), &agent).await).await;

    let unclaimed = app.post_staff(&url("release"), &agent, json!({})).await;
    assert_eq!(
        error_code(unclaimed, StatusCode::CONFLICT).await,
        "not_claimed"
    );
    ok_json(app.post_staff(&url("claim"), &agent, json!({})).await).await;
    let stranger = app.post_staff(&url("release"), &other, json!({})).await;
    assert_eq!(
        error_code(stranger, StatusCode::CONFLICT).await,
        "held_by_another_agent"
    );

    let released = ok_json(app.post_staff(&url("release"), &agent, json!({})).await).await;
    assert_eq!(released["status"], "queued");
    assert_eq!(released["queue"], queued["queue"]);
    assert!(released.get("claimed_by").is_none(), "{released}");
    let conversation = app.read(&chat).await;
    assert_eq!(conversation["status"], "queued");
    let told = conversation["messages"].as_array().unwrap().last().unwrap();
    assert!(told["text"]
        .as_str()
        .unwrap()
        .contains("nästa lediga kollega"));
    ok_json(app.post_staff(&url("claim"), &other, json!({})).await).await;
}

async fn waiting_customers_see_their_place_and_an_honest_estimate(app: &TestApp) {
    let agent = app.staff_token(StaffRole::Agent, "Maria").await;
    let queue_up = |chat: Chat| async move {
        app.say(&chat, json!({"action": "topic:billing"})).await;
        let replies = app.say(&chat, json!({"action": "talk_to_human"})).await;
        let place = replies.last().unwrap()["text"].as_str().unwrap().to_owned();
        (chat, place)
    };
    let (first, place) = queue_up(app.start_chat("sv").await).await;
    assert!(place.starts_with("Du är först i kön."), "{place}");
    let (second, place) = queue_up(app.start_chat("sv").await).await;
    assert!(place.starts_with("Du är nummer 2 i kön."), "{place}");
    assert!(
        place.contains("Vi kan inte säga"),
        "no history, no estimate: {place}"
    );
    assert_eq!(app.read(&second).await["waiting"]["position"], 2);

    let claim = |chat: Chat| {
        let agent = agent.clone();
        async move {
            let id = one_for(&handoffs(app, &agent, "?status=queued").await, &chat)["id"]
                .as_str()
                .unwrap()
                .to_owned();
            ok_json(
                app.post_staff(
                    &format!("/api/v1/agent/handoffs/{id}/claim"),
                    &agent,
                    json!({}),
                )
                .await,
            )
            .await;
        }
    };
    claim(first).await;
    assert_eq!(app.read(&second).await["waiting"]["position"], 1);
    claim(second).await;
    // With three recent claims there is history to estimate from (here: under a minute).
    let (third, _) = queue_up(app.start_chat("en").await).await;
    claim(third).await;
    let (fourth, place) = queue_up(app.start_chat("en").await).await;
    assert_eq!(
        place,
        "You are first in the queue. Lately it has taken about a minute for a colleague to reply."
    );
    let waiting = &app.read(&fourth).await["waiting"];
    assert_eq!(waiting["queue"], "billing");
    assert_eq!(waiting["estimated_wait_minutes"], 1);
}

async fn frustration_brings_a_person_at_once_but_never_before_the_written_path(app: &TestApp) {
    let agent = app.staff_token(StaffRole::Agent, "Maria").await;
    let chat = app.start_chat("sv").await;
    app.say(&chat, json!({"text": "mitt wifi är jättekonstigt"}))
        .await;
    let replies = app
        .say(&chat, json!({"text": "du förstår inte vad jag menar!!"}))
        .await;
    let first = replies[0]["text"].as_str().unwrap();
    assert!(first.starts_with("Förlåt"), "{first}");
    assert!(first.contains("kopplar dig vidare"), "{first}");
    assert_eq!(app.read(&chat).await["status"], "queued");
    let listed = one_for(&handoffs(app, &agent, "?status=queued").await, &chat).clone();
    assert_eq!(listed["reason"], "frustration");
    assert!(listed["summary"]
        .as_str()
        .unwrap()
        .contains("mitt wifi är jättekonstigt"));

    let angry = app.start_chat("sv").await;
    let replies = app
        .say(
            &angry,
            json!({"text": "du fattar ingenting, jag vill säga upp mig"}),
        )
        .await;
    assert_eq!(replies[0]["actions"][0]["id"], "written_cancellation");
}

async fn only_agents_reach_the_inbox(app: &TestApp) {
    let chat = app.start_chat("sv").await;
    let customer = get(app, "/api/v1/agent/handoffs", &chat.token).await;
    assert_eq!(customer.status(), StatusCode::UNAUTHORIZED);
    let editor = app.staff_token(StaffRole::Editor, "Eva").await;
    let editor_try = get(app, "/api/v1/agent/handoffs", &editor).await;
    assert_eq!(editor_try.status(), StatusCode::FORBIDDEN);
    let agent = app.staff_token(StaffRole::Agent, "Maria").await;
    let unknown = get(app, "/api/v1/agent/handoffs?queue=sales", &agent).await;
    assert_eq!(
        error_code(unknown, StatusCode::UNPROCESSABLE_ENTITY).await,
        "unknown_queue"
    );
    let missing = get(app, "/api/v1/agent/handoffs/no-such-handoff", &agent).await;
    assert_eq!(
        error_code(missing, StatusCode::NOT_FOUND).await,
        "handoff_not_found"
    );
    let stats_as_agent = get(app, "/api/v1/stats", &agent).await;
    assert_eq!(stats_as_agent.status(), StatusCode::FORBIDDEN);

    // A revoked token stops working at once.
    let store = felsok::storage::Store::connect(&app.db.url, 1)
        .await
        .unwrap();
    let maria = store
        .staff_tokens()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == "Maria")
        .unwrap();
    let now = felsok::timestamp::Timestamp::now();
    assert!(store.revoke_staff_token(&maria.id, now).await.unwrap());
    store.close().await;
    let revoked = get(app, "/api/v1/agent/handoffs", &agent).await;
    assert_eq!(revoked.status(), StatusCode::UNAUTHORIZED);
}

async fn a_cancellation_is_never_counted_as_solved_by_the_bot(app: &TestApp) {
    let admin = app.staff_token(StaffRole::Admin, "Ada").await;
    let agent = app.staff_token(StaffRole::Agent, "Maria").await;
    let solved = app.start_chat("sv").await;
    let cancelled = app.start_chat("sv").await;
    for chat in [&solved, &cancelled] {
        app.say(
            chat,
            json!({"text": "internet funkar inte alls, routern blinkar rött"}),
        )
        .await;
        app.say(chat, json!({"action": "step_worked"})).await;
    }
    cancel_in_writing(app, &cancelled).await;
    let id = one_for(
        &handoffs(app, &agent, "?queue=cancellation").await,
        &cancelled,
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post_staff(
        &format!("/api/v1/agent/handoffs/{id}/claim"),
        &agent,
        json!({}),
    )
    .await;

    let stats = ok_json(get(app, "/api/v1/stats", &admin).await).await;
    assert_eq!(stats["conversations"], 2);
    assert_eq!(stats["resolved_by_customer_confirmation"], 1, "{stats}");
    assert_eq!(stats["cancellations_received"], 1);
    assert_eq!(
        stats["handed_off_by_queue"]["cancellation"]["written_cancellation"],
        1
    );
    assert_eq!(stats["handoffs_by_status"]["claimed"], 1);
    assert!(stats["median_wait_seconds"].as_f64().unwrap() >= 0.0);
}

on_both_engines!(
    a_written_cancellation_waits_in_its_queue_and_can_only_be_resolved,
    an_agent_takes_over_answers_and_hands_back,
    a_handoff_moves_to_another_queue_with_its_context,
    an_agent_who_cannot_finish_hands_the_case_back_to_its_queue,
    waiting_customers_see_their_place_and_an_honest_estimate,
    frustration_brings_a_person_at_once_but_never_before_the_written_path,
    only_agents_reach_the_inbox,
    a_cancellation_is_never_counted_as_solved_by_the_bot,
);
