use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::dialogue::{ActionButton, GuideStepRef, ReplyRole};
use crate::domain::{Intent, Locale};
use crate::storage::{MessageRecord, StoreError};
use crate::timestamp::Timestamp;

pub use crate::domain::Role;

impl From<ReplyRole> for Role {
    fn from(role: ReplyRole) -> Self {
        match role {
            ReplyRole::Bot => Self::Bot,
            ReplyRole::System => Self::System,
        }
    }
}

/// What the bot understood a message to be about, and how sure it was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IntentScore {
    pub name: Intent,
    pub confidence: f64,
    /// What the intent is about, in the agent's language. Set on handoff packets, so the
    /// agent page names intents as the summary does instead of keeping its own table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl IntentScore {
    pub fn new(name: Intent, confidence: f64) -> Self {
        Self {
            name,
            confidence,
            label: None,
        }
    }

    /// The score with its label in `locale`.
    pub fn labelled(mut self, locale: Locale) -> Self {
        self.label = Some(self.name.label(locale).to_owned());
        self
    }
}

/// One message of a conversation, as the contract fixes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Message {
    pub id: String,
    pub role: Role,
    pub text: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    pub actions: Vec<ActionButton>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<IntentScore>,
    /// On a message that shows a troubleshooting step: which guide and step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guide_step: Option<GuideStepRef>,
}

impl TryFrom<MessageRecord> for Message {
    type Error = StoreError;

    fn try_from(record: MessageRecord) -> Result<Self, Self::Error> {
        let role = record.role;
        Ok(Self {
            id: record.id,
            role,
            text: record.text,
            created_at: record.created_at,
            actions: serde_json::from_str(&record.actions_json)
                .map_err(|e| StoreError::Corrupt(format!("actions: {e}")))?,
            intent: record
                .intent
                .map(|(name, confidence)| IntentScore::new(name, confidence)),
            guide_step: record
                .guide_step_json
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e| StoreError::Corrupt(format!("guide_step: {e}")))?,
        })
    }
}
