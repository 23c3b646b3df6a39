//! One simulated customer: opens conversations and talks the way real ones do (a problem
//! walked through a guide, a billing question, a wish to cancel in writing, a request for a
//! person), in Swedish or English, retrying through crashes with the same `client_message_id`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

/// What one conversation was acknowledged, for checking after the run.
#[derive(Debug, Default, Clone)]
pub struct ConversationLog {
    pub id: String,
    pub token: String,
    /// Posts answered 2xx: each stored exactly one customer message.
    pub acknowledged: usize,
    /// Posts given up on without an answer: each may or may not have been stored.
    pub uncertain: usize,
    /// The written cancellation's reference, once acknowledged.
    pub cancellation: Option<String>,
    /// A wish to cancel whose first answer did not offer the written path first.
    pub cancellation_not_first: bool,
}

/// Counters shared by every customer.
#[derive(Debug, Default)]
pub struct Tally {
    pub failed_attempts: AtomicUsize,
}

/// Where customers send requests: one base URL per replica.
pub struct Target {
    pub bases: Vec<String>,
    pub client: reqwest::Client,
    /// No new conversation or message starts after this moment.
    pub stop_at: Instant,
    /// Retries of an unanswered request go on until this moment (past `stop_at`, so a crash
    /// near the end is still ridden out).
    pub give_up_at: Instant,
    pub tally: Arc<Tally>,
}

/// One answered request.
struct Answered {
    status: reqwest::StatusCode,
    body: Value,
    latency: Duration,
}

enum Call<'a> {
    Create(Value),
    Post {
        log: &'a ConversationLog,
        path: &'static str,
        body: Value,
    },
}

impl Target {
    /// Sends until a replica answers with something other than a 5xx, trying the replicas in
    /// turn; `None` once the time to give up has come.
    async fn send(&self, call: &Call<'_>, start_replica: usize) -> Option<Answered> {
        let mut attempt = 0usize;
        loop {
            let base = &self.bases[(start_replica + attempt) % self.bases.len()];
            let request = match call {
                Call::Create(body) => self
                    .client
                    .post(format!("{base}/api/v1/conversations"))
                    .json(body),
                Call::Post { log, path, body } => self
                    .client
                    .post(format!("{base}/api/v1/conversations/{}/{path}", log.id))
                    .bearer_auth(&log.token)
                    .json(body),
            };
            let started = Instant::now();
            match request.timeout(Duration::from_secs(30)).send().await {
                Ok(response) if !response.status().is_server_error() => {
                    let status = response.status();
                    let body = response.json().await.unwrap_or(Value::Null);
                    return Some(Answered {
                        status,
                        body,
                        latency: started.elapsed(),
                    });
                }
                _ => {
                    self.tally.failed_attempts.fetch_add(1, Ordering::Relaxed);
                }
            }
            if Instant::now() >= self.give_up_at {
                return None;
            }
            attempt += 1;
            tokio::time::sleep(Duration::from_millis(100 * attempt.min(10) as u64)).await;
        }
    }
}

const SV_PROBLEMS: &[&str] = &[
    "internet funkar inte sen i morse",
    "routern blinkar rött, vad gör jag",
    "wifi:t är jättesegt på kvällarna",
    "tv:n säger ingen signal",
    "nätet e nere igen!!",
    "mobilen har ingen täckning hemma",
];
const EN_PROBLEMS: &[&str] = &[
    "my internet stopped working this morning",
    "the router light is red",
    "wifi keeps dropping in the evenings",
    "the tv box says no signal",
];
const SV_BILLING: &[&str] = &[
    "varför är fakturan så hög den här månaden",
    "hur ändrar jag till autogiro",
];
const EN_BILLING: &[&str] = &[
    "why is my bill higher this month",
    "how do I pay by direct debit",
];
const SV_CANCEL: &[&str] = &[
    "jag vill säga upp mitt abonnemang",
    "hur avslutar jag avtalet?",
    "vill inte vara kund längre",
];
const EN_CANCEL: &[&str] = &[
    "I want to cancel my subscription",
    "how do I end my contract",
];
const SV_PERSON: &[&str] = &[
    "kan jag få prata med en människa",
    "jag vill prata med någon på riktigt",
];
const EN_PERSON: &[&str] = &[
    "can I talk to a real person",
    "I'd like to speak to an agent",
];

/// A customer's whole run: conversation after conversation until the run stops.
pub async fn run(
    target: Arc<Target>,
    number: usize,
    seed: u64,
    latencies: Arc<std::sync::Mutex<Vec<Duration>>>,
) -> Vec<ConversationLog> {
    let mut rng = StdRng::seed_from_u64(seed ^ (number as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut logs = Vec::new();
    let mut record = |latency: Duration| {
        latencies
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(latency);
    };
    while Instant::now() < target.stop_at {
        let swedish = rng.gen_bool(0.7);
        let replica = rng.gen_range(0..target.bases.len());
        let create = Call::Create(json!({"locale": if swedish { "sv" } else { "en" }}));
        let Some(created) = target.send(&create, replica).await else {
            break;
        };
        if created.status != reqwest::StatusCode::CREATED {
            continue;
        }
        record(created.latency);
        let mut log = ConversationLog {
            id: created.body["conversation_id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            token: created.body["token"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            ..ConversationLog::default()
        };
        let pick = |rng: &mut StdRng, sv: &[&'static str], en: &[&'static str]| -> &'static str {
            let list = if swedish { sv } else { en };
            list.choose(rng).copied().unwrap_or_default()
        };
        let script = rng.gen_range(0..8);
        let opening = match script {
            0..=3 => pick(&mut rng, SV_PROBLEMS, EN_PROBLEMS),
            4 | 5 => pick(&mut rng, SV_BILLING, EN_BILLING),
            6 => pick(&mut rng, SV_CANCEL, EN_CANCEL),
            _ => pick(&mut rng, SV_PERSON, EN_PERSON),
        };
        let mut last = say(
            &target,
            &mut log,
            json!({ "text": opening }),
            replica,
            &mut record,
        )
        .await;
        match script {
            0..=3 => {
                // Walk the guide: mostly "that didn't help", sometimes "that worked".
                for _ in 0..3 {
                    let Some(messages) = &last else { break };
                    let actions = action_ids(messages);
                    let choice = if rng.gen_bool(0.3) && actions.iter().any(|a| a == "step_worked")
                    {
                        "step_worked"
                    } else if actions.iter().any(|a| a == "step_failed") {
                        "step_failed"
                    } else {
                        break;
                    };
                    last = say(
                        &target,
                        &mut log,
                        json!({ "action": choice }),
                        replica,
                        &mut record,
                    )
                    .await;
                    if choice == "step_worked" {
                        break;
                    }
                }
            }
            4 | 5 => {
                let thanks = if swedish {
                    "tack för hjälpen"
                } else {
                    "thanks for the help"
                };
                say(
                    &target,
                    &mut log,
                    json!({ "text": thanks }),
                    replica,
                    &mut record,
                )
                .await;
            }
            6 => {
                let offered_first = last.as_ref().and_then(|m| m.first()).is_some_and(|first| {
                    action_ids(std::slice::from_ref(first))
                        .first()
                        .map(String::as_str)
                        == Some("written_cancellation")
                });
                log.cancellation_not_first = last.is_some() && !offered_first;
                let form = json!({
                    "service": "Bredband 250/100",
                    "full_name": format!("Kund {number}"),
                    "customer_number": format!("{}", 100_000 + number),
                });
                let call = Call::Post {
                    log: &log,
                    path: "cancellation",
                    body: form,
                };
                if let Some(answer) = target.send(&call, replica).await {
                    if answer.status == reqwest::StatusCode::CREATED {
                        record(answer.latency);
                        log.cancellation = answer.body["reference"].as_str().map(str::to_owned);
                    }
                }
            }
            _ => {
                say(
                    &target,
                    &mut log,
                    json!({ "action": "talk_to_human" }),
                    replica,
                    &mut record,
                )
                .await;
            }
        }
        logs.push(log);
    }
    logs
}

/// Posts one message with a fresh `client_message_id`; returns the answer's messages.
async fn say(
    target: &Target,
    log: &mut ConversationLog,
    mut body: Value,
    replica: usize,
    record: &mut impl FnMut(Duration),
) -> Option<Vec<Value>> {
    body["client_message_id"] = json!(uuid::Uuid::new_v4().to_string());
    let call = Call::Post {
        log,
        path: "messages",
        body,
    };
    match target.send(&call, replica).await {
        Some(answer) if answer.status.is_success() => {
            record(answer.latency);
            log.acknowledged += 1;
            answer.body["messages"].as_array().cloned()
        }
        Some(_) => None,
        None => {
            log.uncertain += 1;
            None
        }
    }
}

fn action_ids(messages: &[Value]) -> Vec<String> {
    messages
        .last()
        .and_then(|m| m["actions"].as_array())
        .map(|actions| {
            actions
                .iter()
                .filter_map(|a| a["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
