use serde::{Deserialize, Serialize};

use super::{queue_for, Topic};
use crate::domain::Intent;
use crate::domain::Postcode;
use crate::domain::Queue;

/// Who is answering the conversation right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConversationStatus {
    /// The bot answers.
    Bot,
    /// Waiting for a human agent; the bot stays quiet.
    Queued,
    /// A human agent holds the conversation.
    Agent,
    Closed,
}

impl ConversationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bot => "bot",
            Self::Queued => "queued",
            Self::Agent => "agent",
            Self::Closed => "closed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "bot" => Some(Self::Bot),
            "queued" => Some(Self::Queued),
            "agent" => Some(Self::Agent),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }
}

/// What the engine remembers between turns. Stored as JSON; every field has a default so that
/// older stored states keep loading when fields are added.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DialogueState {
    /// The area the customer picked or the bot understood, used to route a handoff.
    pub topic: Option<Topic>,
    /// The last intent the bot was sure of; routes a handoff more precisely than a topic.
    pub intent: Option<String>,
    /// The classifier's likeliest intents for the message that set `intent`, best first:
    /// a person taking over sees what else the bot thought it might be.
    pub intent_ranking: Vec<(String, f32)>,
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
    pub intent: String,
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

impl DialogueState {
    /// The queue a handoff from this conversation goes to: the one a guide named, else the one
    /// the understood intent or picked topic routes to.
    pub fn handoff_route(&self) -> Queue {
        self.handoff_queue.unwrap_or_else(|| {
            let intent = self.intent.as_deref().and_then(|i| Intent::parse(i).ok());
            queue_for(intent, self.topic)
        })
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
