use serde::{Deserialize, Serialize};

use super::Topic;

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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DialogueState {
    /// The area the customer picked or the bot understood, used to route a handoff.
    pub topic: Option<Topic>,
    /// The last intent the bot was sure of; routes a handoff more precisely than a topic.
    pub intent: Option<String>,
    /// Messages in a row the bot could not place; after two it offers a person first.
    pub unplaced_in_a_row: u32,
}
