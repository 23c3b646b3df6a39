use serde::{Deserialize, Serialize};

use super::{queue_for, Topic};
use crate::domain::Intent;
use crate::domain::Postcode;
use crate::domain::Queue;

pub use crate::domain::ConversationStatus;

/// What the engine remembers between turns. Stored as JSON; every field has a default so that
/// older stored states keep loading when fields are added.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DialogueState {
    /// The area the customer picked or the bot understood, used to route a handoff.
    pub topic: Option<Topic>,
    /// The last intent the bot was sure of; routes a handoff more precisely than a topic.
    #[serde(deserialize_with = "crate::domain::intent_serde::known_or_none")]
    pub intent: Option<Intent>,
    /// The classifier's likeliest intents for the message that set `intent`, best first:
    /// a person taking over sees what else the bot thought it might be.
    #[serde(deserialize_with = "crate::domain::intent_serde::known_ranking")]
    pub intent_ranking: Vec<(Intent, f32)>,
    /// Messages in a row the bot could not place; after two it offers a person first.
    pub unplaced_in_a_row: u32,
    /// Messages in a row the classifier was unsure of; after two a person takes over.
    pub unsure_in_a_row: u32,
    /// The guide being walked through, if any.
    pub walk: Option<Walk>,
    /// Every step answered so far, in order: what a person taking over sees as "tried".
    pub steps_tried: Vec<StepTried>,
    /// Guides started in this conversation: a guide is never walked twice, so no step is
    /// shown again.
    pub guides_started: Vec<String>,
    /// The postcode the customer gave in this chat.
    pub postcode: Option<Postcode>,
    /// A question the bot is waiting for an answer to.
    pub pending: Option<Pending>,
    /// The queue a guide named for its handoff, which routes better than the intent.
    pub handoff_queue: Option<Queue>,
    /// Outage notices already told in this chat: said once, not again for every question.
    pub outages_told: Vec<String>,
    /// The customer sent a written cancellation in this chat. Such a chat is never counted
    /// as resolved by the bot.
    pub cancellation_requested: bool,
    /// The customer said they want to cancel, at any point: whoever takes the conversation
    /// sees it at once, so nobody answers a wish to leave with anything but the written way.
    pub cancellation_wish: bool,
    /// Someone close to the customer has died: every later cancellation reply speaks of the
    /// estate, not of the customer's own subscription.
    pub for_an_estate: bool,
    /// Messages so far that showed the customer upset: the first is heard and a person
    /// offered, the second brings one.
    pub upset_signs: u32,
    /// The last turn spoke of a password, PIN or code ("vänta, jag letar fram pinkoden", or a
    /// step that asks for one): the customer's next message may be that code alone, and is
    /// masked as one.
    pub secret_expected: bool,
    /// Other problems the customer raised in the same message as the one being helped with,
    /// in the order mentioned: taken up when the first is done, never lost.
    #[serde(deserialize_with = "later_with_known_intents")]
    pub later: Vec<Later>,
    /// The question about the chat the last turn answered: "och i mellandagarna?" right
    /// after the opening hours asks about them again.
    pub last_request: Option<super::ChatRequest>,
    /// The customer wants to withdraw from a contract just made (ångerrätt): whoever takes
    /// the conversation sees it at once, as with a wish to cancel.
    pub withdrawal_wish: bool,
    /// The day the customer said they made the contract they want to withdraw from.
    pub contract_made_on: Option<time::Date>,
    /// The customer acts for someone else as guardian or with a power of attorney (a death
    /// is [`Self::for_an_estate`]).
    pub acting_for: Option<crate::domain::Relation>,
}

/// A problem raised beside another, waiting its turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Later {
    pub intent: Intent,
    /// The guide for it, found from the words that raised it: "och mobilen då?" later says
    /// too little to find one by itself.
    pub guide_id: Option<String>,
    /// The customer's own words for it (already masked), quoted back when it is taken up:
    /// "Viaplay laddar inte" tells them they were heard better than "a TV problem".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub said: Option<String>,
    /// The step (from 0) its guide was left at, when the customer turned to another problem
    /// half-way ("the bill first"): taken up again, the guide goes on from there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_at: Option<usize>,
}

/// A problem waiting its turn whose intent has left the vocabulary since it was stored is
/// dropped, not the whole state with it.
fn later_with_known_intents<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<Later>, D::Error> {
    let raw: Vec<serde_json::Value> = Deserialize::deserialize(deserializer)?;
    Ok(raw
        .into_iter()
        .filter_map(|value| serde_json::from_value(value).ok())
        .collect())
}

impl DialogueState {
    /// The queue a handoff from this conversation goes to: the one a guide named, else the one
    /// the understood intent or picked topic routes to.
    pub fn handoff_route(&self) -> Queue {
        self.handoff_queue
            .unwrap_or_else(|| queue_for(self.intent, self.topic))
    }
}

/// Where a customer is in a guide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Walk {
    pub guide_id: String,
    pub version: i64,
    /// The step shown last, from 0.
    pub step: usize,
}

/// What a customer answered to one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepOutcome {
    Worked,
    Failed,
    Skipped,
    /// Not asked: the customer had already said that what the step checks holds.
    #[serde(rename = "ruled_out")]
    RuledOut,
}

impl StepOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Worked => "worked",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
            Self::RuledOut => "ruled_out",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepTried {
    pub guide_id: String,
    /// From 1, as people count.
    pub step: u32,
    pub title: String,
    pub outcome: StepOutcome,
    /// What the customer wrote about the step, when they answered in words (already
    /// masked): "94 mbit med sladd" tells the person who takes over more than "did not help".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub said: Option<String>,
}

/// Questions the bot asked and waits on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Pending {
    /// Asked for a postcode to check for an outage; `guide_id` is the guide to start after.
    Postcode {
        service: String,
        guide_id: Option<String>,
    },
    /// Told of an outage; the customer may still want to troubleshoot with this guide.
    AfterOutage { guide_id: Option<String> },
    /// A guide worked and the bot asked whether to take up the problem raised beside it:
    /// the next message that is not about something else starts it.
    TakeUpLater,
    /// The written way to cancel was just offered: the next message is most likely a
    /// question about the cancellation ("vad händer med sista fakturan?"), not a new fault.
    AfterCancellationOffer,
    /// The right of withdrawal was just explained: a day said next ("i måndags") is when
    /// the contract was made.
    AfterWithdrawalOffer,
    /// A message in a language the bot does not speak was answered with the languages it
    /// does: the next message in one of them most likely tells the problem again.
    AfterLanguagesNote,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_state_naming_a_retired_intent_still_loads_without_it() {
        let stored = serde_json::json!({
            "intent": "fax_problem",
            "intent_ranking": [["fax_problem", 0.6], ["wifi_problem", 0.3]],
            "later": [
                {"intent": "fax_problem", "guide_id": null},
                {"intent": "tv_problem", "guide_id": "tv-no-signal-sv"},
            ],
            "upset_signs": 1,
        });
        let state: DialogueState = serde_json::from_value(stored).unwrap();
        assert_eq!(state.intent, None);
        assert_eq!(state.intent_ranking, [(Intent::WifiProblem, 0.3)]);
        assert_eq!(state.later.len(), 1);
        assert_eq!(state.later[0].intent, Intent::TvProblem);
        assert_eq!(state.upset_signs, 1);
        let again: DialogueState =
            serde_json::from_str(&serde_json::to_string(&state).unwrap()).unwrap();
        assert_eq!(again, state);
    }
}
