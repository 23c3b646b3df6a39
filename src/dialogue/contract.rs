//! What goes into the dialogue engine and what comes out of one turn: the contract between
//! the engine, which is pure, and the conversation service, which does the I/O around it.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Action, ActionButton, ConversationStatus, DialogueState};
use crate::classifier::Reading;
use crate::domain::{HandoffReason, Intent, Locale, Postcode, Queue};
use crate::knowledge::{GuideEntry, GuideId, KnowledgeBase, Outage};
use crate::timestamp::Timestamp;

/// What the customer sent in one turn.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// Free text, with what the classifier understood of it (`None` when no model is loaded).
    Text(&'a str, Option<&'a Understanding>),
    Action(Action),
}

/// The classifier's reading of a message, as the engine needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Understanding {
    pub intent: Intent,
    pub confidence: f32,
    /// Whether the intent is sure enough to act on.
    pub confident: bool,
    /// The customer seems to want to end a subscription.
    pub cancellation: bool,
    /// The likeliest intents with their confidence, best first (at most three).
    pub ranking: Vec<(Intent, f32)>,
    /// How the message answers a step, and its tone.
    pub reading: Reading,
    /// Other problems raised in the same message, in the order mentioned, when it raised
    /// more than one.
    pub also: Vec<super::Later>,
}

impl Understanding {
    /// Whether the message was read as `intent`.
    pub fn is(&self, intent: Intent) -> bool {
        self.intent == intent
    }
}

/// Who speaks a reply: the bot answers, `System` is for notices about the conversation itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplyRole {
    Bot,
    System,
}

/// One message the engine wants to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub role: ReplyRole,
    pub text: String,
    pub actions: Vec<ActionButton>,
    /// What the bot understood, on answers to free text.
    pub intent: Option<(Intent, f32)>,
    /// The guide step this message shows, if it shows one.
    pub guide_step: Option<GuideStepRef>,
}

/// Which step of which guide a message shows, so clients can draw progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct GuideStepRef {
    pub guide_id: String,
    /// From 1.
    pub step: u32,
    /// How many steps the guide has.
    pub steps: u32,
    pub title: String,
    /// The step's parts, so a client can draw the card without reading the text. Absent on
    /// messages stored before steps carried them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parts: Option<super::StepParts>,
}

/// Something that happened to a guide step in this turn, kept for statistics and handoffs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepEvent {
    pub guide_id: String,
    pub version: i64,
    /// From 1.
    pub step: u32,
    /// `shown`, `worked`, `failed` or `skipped`.
    pub event: &'static str,
}

/// Looks up live guides by id.
pub trait GuideLookup: Send + Sync {
    fn guide(&self, id: &str) -> Option<Arc<GuideEntry>>;
}

/// No guides at all, for conversations without a knowledge base.
pub(super) struct NoGuides;

impl GuideLookup for KnowledgeBase {
    fn guide(&self, id: &str) -> Option<Arc<GuideEntry>> {
        GuideId::parse(id).ok().and_then(|id| self.get(&id))
    }
}

impl GuideLookup for NoGuides {
    fn guide(&self, _: &str) -> Option<Arc<GuideEntry>> {
        None
    }
}

/// Everything the engine knows when it answers one message.
pub struct Context<'a> {
    pub locale: Locale,
    pub status: ConversationStatus,
    pub state: &'a DialogueState,
    pub guides: &'a dyn GuideLookup,
    /// The guide that best fits this message, when it is free text about a problem.
    pub suggestion: Option<Arc<GuideEntry>>,
    /// Outage notices not yet ended.
    pub outages: &'a [Outage],
    /// The postcode from the customer's details, if they gave one.
    pub customer_postcode: Option<&'a Postcode>,
    pub now: Timestamp,
    /// The written requests this conversation sent, and those the message names by
    /// reference, with what has become of them; looked up only when the message asks.
    pub requests: &'a [super::RequestStatus],
}

/// A request to put the conversation in front of a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoffRequest {
    pub queue: Queue,
    pub reason: HandoffReason,
}

/// The outcome of one turn: what to send, and what to remember.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    pub replies: Vec<Reply>,
    pub state: DialogueState,
    pub status: ConversationStatus,
    pub handoff: Option<HandoffRequest>,
    pub step_events: Vec<StepEvent>,
    /// What the bot handled badly this turn, for the editors' review inbox.
    pub misses: Vec<super::Miss>,
    /// The customer's words this turn, for the guide steps they may already answer.
    pub(super) words: Option<String>,
}
