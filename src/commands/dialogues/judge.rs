//! How each `expect` key is judged on the customer-visible answer of one turn: the messages
//! the POST returned (the customer's own words left out), the conversation's status after
//! it, and the newest handoff packet an agent would open. Keys about wording use the keyword
//! sets of [`super::keywords`].

use serde_json::Value;

use super::keywords::{
    acknowledges_frustration, any, asks_for_postcode, request_terms, CONDOLENCE, ENGLISH_NAMED,
    PLURAL, QUEUE_PLACE, SWEDISH_NAMED, THANKS,
};
use super::script::Expect;
use crate::classifier::language;
use crate::dialogue::Replies;
use crate::domain::Locale;

/// One judged expectation.
#[derive(Debug, Clone)]
pub struct Check {
    pub key: &'static str,
    pub expected: String,
    pub got: String,
    pub passed: bool,
}

impl Check {
    fn new(
        key: &'static str,
        expected: impl Into<String>,
        got: impl Into<String>,
        ok: bool,
    ) -> Self {
        Self {
            key,
            expected: expected.into(),
            got: got.into(),
            passed: ok,
        }
    }
}

/// What the customer saw after one turn.
pub struct Answer<'a> {
    pub messages: &'a [Value],
    /// Why the turn's request failed, when it did: every check of the turn fails with it.
    pub error: Option<&'a str>,
    /// `bot`, `queued`, `agent` or `closed`, read after the turn.
    pub status: &'a str,
    /// The newest handoff packet of the conversation, if there is one.
    pub handoff: Option<&'a Value>,
    /// The guide whose step was shown last before this turn.
    pub previous_guide: Option<&'a str>,
    /// That step, from 1: step 1 shown again for a question about it is no new guide.
    pub previous_step: Option<u64>,
}

impl Answer<'_> {
    fn replies(&self) -> impl Iterator<Item = &Value> {
        self.messages.iter().filter(|m| m["role"] != "customer")
    }

    /// The answer's texts, joined by blank lines.
    pub fn text(&self) -> String {
        let texts: Vec<&str> = self.replies().filter_map(|m| m["text"].as_str()).collect();
        texts.join("\n\n")
    }

    /// The last step shown in the answer.
    pub fn shown(&self) -> Option<&Value> {
        self.replies()
            .filter(|m| !m["guide_step"].is_null())
            .last()
            .map(|m| &m["guide_step"])
    }

    fn action_kinds(message: &Value) -> Vec<&str> {
        message["actions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a["kind"].as_str())
            .collect()
    }

    fn all_action_kinds(&self) -> Vec<&str> {
        self.replies().flat_map(Self::action_kinds).collect()
    }

    /// A guide step of another guide than the one open before, or any guide's first step.
    pub fn new_guide(&self) -> Option<String> {
        self.replies().map(|m| &m["guide_step"]).find_map(|g| {
            let id = g["guide_id"].as_str()?;
            let restarted = g["step"] == 1 && self.previous_step != Some(1);
            let fresh = restarted || self.previous_guide != Some(id);
            fresh.then(|| format!("{id} step {}", g["step"]))
        })
    }

    /// The guide ended because a step worked: no step shown, and the "glad it works" line.
    pub fn guide_done(&self) -> bool {
        let text = self.text();
        self.shown().is_none()
            && [Locale::Sv, Locale::En]
                .into_iter()
                .any(|l| text.contains(Replies.glad_it_works(l)))
    }

    pub fn waiting_for_person(&self) -> bool {
        matches!(self.status, "queued" | "agent")
    }
}

/// Up to `max` characters of `text` on one line.
pub fn clip(text: &str, max: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line,
    }
}

fn describe_step(shown: Option<&Value>) -> String {
    shown.map_or_else(
        || "no guide step".to_owned(),
        |g| {
            format!(
                "{} step {}",
                g["guide_id"].as_str().unwrap_or("?"),
                g["step"]
            )
        },
    )
}

/// Every check of `expect` except `secrets` (judged after the dialogue), in the README's order.
pub fn judge(expect: &Expect, answer: &Answer) -> Vec<Check> {
    let text = answer.text();
    let lower = text.to_lowercase();
    let said = || format!("{:?}", clip(&text, 160));
    let shown = answer.shown();
    let handoff_queue = answer.handoff.and_then(|h| h["queue"].as_str());
    let handoff_state = || {
        format!(
            "status {}, newest handoff {}",
            answer.status,
            answer.handoff.map_or("none".to_owned(), |h| format!(
                "{} ({})",
                h["queue"].as_str().unwrap_or("?"),
                h["reason"].as_str().unwrap_or("?")
            ))
        )
    };
    let first_kinds = answer
        .replies()
        .next()
        .map(Answer::action_kinds)
        .unwrap_or_default();
    let first_is = |kind: &str| first_kinds.first() == Some(&kind);
    let mut checks = Vec::new();
    if let Some(guide) = &expect.guide {
        let got = shown.and_then(|g| g["guide_id"].as_str());
        checks.push(Check::new(
            "guide",
            guide.as_str(),
            describe_step(shown),
            got == Some(guide.as_str()),
        ));
    }
    if let Some(step) = expect.step {
        let ok = shown.is_some_and(|g| g["step"] == step);
        checks.push(Check::new(
            "step",
            step.to_string(),
            describe_step(shown),
            ok,
        ));
    }
    if expect.no_new_guide {
        let started = answer.new_guide();
        let got = started.clone().unwrap_or_else(|| "no new guide".to_owned());
        checks.push(Check::new(
            "no_new_guide",
            "no new guide",
            got,
            started.is_none(),
        ));
    }
    if expect.done {
        let got = format!("{}; {}", describe_step(shown), said());
        checks.push(Check::new(
            "done",
            "guide ended: it works",
            got,
            answer.guide_done(),
        ));
    }
    if let Some(queue) = &expect.handoff {
        let ok = answer.waiting_for_person() && handoff_queue == Some(queue.as_str());
        checks.push(Check::new("handoff", queue.as_str(), handoff_state(), ok));
    }
    if let Some(reason) = &expect.reason {
        let got = answer.handoff.and_then(|h| h["reason"].as_str());
        let ok = answer.waiting_for_person() && got == Some(reason.as_str());
        checks.push(Check::new("reason", reason.as_str(), handoff_state(), ok));
    }
    if expect.no_handoff {
        let ok = answer.status == "bot";
        checks.push(Check::new("no_handoff", "status bot", handoff_state(), ok));
    }
    if let Some(wanted) = &expect.summary_mentions {
        let summary = answer
            .handoff
            .and_then(|h| h["summary"].as_str())
            .unwrap_or_default();
        let summary_lower = summary.to_lowercase();
        let missing: Vec<&str> = wanted
            .iter()
            .filter(|w| !summary_lower.contains(&w.to_lowercase()))
            .map(String::as_str)
            .collect();
        let got = match answer.handoff {
            None => "no handoff".to_owned(),
            Some(_) if missing.is_empty() => "all mentioned".to_owned(),
            Some(_) => format!("missing {missing:?} in {:?}", clip(summary, 160)),
        };
        checks.push(Check::new(
            "summary_mentions",
            format!("{wanted:?}"),
            got,
            answer.handoff.is_some() && missing.is_empty(),
        ));
    }
    if let Some(unwanted) = &expect.summary_omits {
        let summary = answer
            .handoff
            .and_then(|h| h["summary"].as_str())
            .unwrap_or_default();
        let summary_lower = summary.to_lowercase();
        let present: Vec<&str> = unwanted
            .iter()
            .filter(|w| summary_lower.contains(&w.to_lowercase()))
            .map(String::as_str)
            .collect();
        let got = match answer.handoff {
            None => "no handoff".to_owned(),
            Some(_) if present.is_empty() => "none of them".to_owned(),
            Some(_) => format!("{present:?} in {:?}", clip(summary, 160)),
        };
        checks.push(Check::new(
            "summary_omits",
            format!("{unwanted:?}"),
            got,
            answer.handoff.is_some() && present.is_empty(),
        ));
    }
    let kinds_got = || format!("first message's actions {first_kinds:?}; {}", said());
    if expect.cancellation_first {
        checks.push(Check::new(
            "cancellation_first",
            "written_cancellation first",
            kinds_got(),
            first_is("written_cancellation"),
        ));
    }
    if expect.no_cancellation_offer {
        let offered = answer.all_action_kinds().contains(&"written_cancellation");
        checks.push(Check::new(
            "no_cancellation_offer",
            "no written_cancellation",
            if offered {
                "written_cancellation offered".to_owned()
            } else {
                "none".to_owned()
            },
            !offered,
        ));
    }
    if expect.withdrawal_first {
        checks.push(Check::new(
            "withdrawal_first",
            "withdrawal first",
            kinds_got(),
            first_is("withdrawal"),
        ));
    }
    let worded = |key, expected: &str, ok| Check::new(key, expected, said(), ok);
    if expect.acknowledges_frustration {
        let ok = acknowledges_frustration(&text);
        checks.push(worded(
            "acknowledges_frustration",
            "frustration acknowledged",
            ok,
        ));
    }
    if expect.offers_person {
        let kinds = answer.all_action_kinds();
        let ok = answer.waiting_for_person()
            || kinds.contains(&"talk_to_human")
            || kinds.contains(&"request_callback");
        let got = format!("status {}, actions {kinds:?}", answer.status);
        checks.push(Check::new("offers_person", "a person offered", got, ok));
    }
    if expect.no_thanks {
        checks.push(worded("no_thanks", "no thanks", !any(&lower, THANKS)));
    }
    for detail in expect.not_asked.iter().flatten() {
        let ok = detail == "postcode" && !asks_for_postcode(&text);
        checks.push(worded("not_asked", &format!("{detail} not asked"), ok));
    }
    let languages_named = any(&lower, SWEDISH_NAMED) && any(&lower, ENGLISH_NAMED);
    if let Some(kind) = &expect.request {
        let ok = match kind.as_str() {
            "languages" => languages_named,
            other => request_terms(other).is_some_and(|terms| any(&lower, terms)),
        };
        checks.push(worded("request", kind, ok));
    }
    if expect.condolence {
        checks.push(worded("condolence", "sympathy", any(&lower, CONDOLENCE)));
    }
    if expect.plural {
        checks.push(worded("plural", "all subscriptions", any(&lower, PLURAL)));
    }
    if expect.queue_ack {
        let ok = answer.status == "queued" && any(&lower, QUEUE_PLACE);
        let got = format!("status {}; {}", answer.status, said());
        checks.push(Check::new("queue_ack", "place in the queue", got, ok));
    }
    if expect.languages_note {
        checks.push(worded(
            "languages_note",
            "Swedish and English named",
            languages_named,
        ));
    }
    if let Some(wanted) = &expect.reply_language {
        let detected = language::detect(&text).as_str();
        let got = format!("{detected}; {}", said());
        let ok = !text.is_empty() && detected == wanted.as_str();
        checks.push(Check::new("reply_language", wanted.as_str(), got, ok));
    }
    if let Some(fragments) = &expect.contains {
        let ok = fragments.iter().all(|f| lower.contains(&f.to_lowercase()));
        checks.push(worded("contains", &format!("{fragments:?}"), ok));
    }
    if let Some(fragments) = &expect.not_contains {
        let ok = !fragments.iter().any(|f| lower.contains(&f.to_lowercase()));
        checks.push(worded("not_contains", &format!("{fragments:?}"), ok));
    }
    if let Some(error) = answer.error {
        for check in &mut checks {
            check.passed = false;
            check.got = error.to_owned();
        }
    }
    checks
}

/// A `no_handoff` broken, or the chat waiting in another queue than `handoff:` names. A
/// handoff that did not happen at all is a missed one, not a wrong one.
pub fn wrong_handoff(expect: &Expect, answer: &Answer) -> bool {
    let queue = answer.handoff.and_then(|h| h["queue"].as_str());
    let elsewhere = expect.handoff.as_deref().is_some_and(|wanted| {
        answer.waiting_for_person() && queue.is_some_and(|got| got != wanted)
    });
    (expect.no_handoff && answer.status != "bot") || elsewhere
}

/// Where each secret shows up: `(secret, surface)` for every leak.
pub fn leaks<'a>(
    secrets: &'a [String],
    surfaces: &'a [super::client::Surface],
) -> Vec<(&'a str, &'a str)> {
    secrets
        .iter()
        .flat_map(|secret| {
            surfaces
                .iter()
                .filter(move |s| s.text.contains(secret.as_str()))
                .map(move |s| (secret.as_str(), s.name.as_str()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_request_fails_every_check_of_its_turn() {
        let expect = Expect {
            no_thanks: true,
            no_handoff: true,
            ..Expect::default()
        };
        let answer = Answer {
            messages: &[],
            error: Some("HTTP 500"),
            status: "bot",
            handoff: None,
            previous_guide: None,
            previous_step: None,
        };
        let checks = judge(&expect, &answer);
        assert_eq!(checks.len(), 2);
        assert!(checks.iter().all(|c| !c.passed && c.got == "HTTP 500"));
    }
}
