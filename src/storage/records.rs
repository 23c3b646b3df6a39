//! Rows as the storage layer reads and writes them.

use crate::domain::{
    Channel, ConversationStatus, HandoffOutcome, HandoffReason, HandoffStatus, Intent, Locale,
    Queue, Role,
};
use crate::timestamp::Timestamp;

/// A conversation about to be created.
#[derive(Debug, Clone)]
pub struct NewConversation<'a> {
    pub id: &'a str,
    pub token_hash: &'a str,
    pub locale: Locale,
    pub channel: Channel,
    pub status: ConversationStatus,
    pub state_json: &'a str,
    pub customer_json: Option<&'a str>,
    pub created_at: Timestamp,
}

/// A conversation as stored, without its messages.
#[derive(Debug, Clone)]
pub struct ConversationRecord {
    pub id: String,
    pub token_hash: String,
    pub locale: Locale,
    pub channel: Channel,
    pub status: ConversationStatus,
    pub state_json: String,
    pub customer_json: Option<String>,
    pub last_seq: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A message about to be appended; `seq` is assigned by the storage layer.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub id: String,
    pub role: Role,
    pub text: String,
    /// The buttons, as JSON: what they are is the dialogue's business, not storage's.
    pub actions_json: String,
    pub action_id: Option<String>,
    pub intent: Option<(Intent, f64)>,
    /// The guide step shown, as JSON.
    pub guide_step_json: Option<String>,
    pub reply_to: Option<String>,
    pub client_message_id: Option<String>,
    pub created_at: Timestamp,
}

/// A stored message.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageRecord {
    pub id: String,
    pub seq: i64,
    pub role: Role,
    pub text: String,
    pub actions_json: String,
    pub action_id: Option<String>,
    pub intent: Option<(Intent, f64)>,
    pub guide_step_json: Option<String>,
    pub created_at: Timestamp,
}

/// A request for a person, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoffRecord {
    pub id: String,
    pub conversation_id: String,
    pub queue: Queue,
    pub reason: HandoffReason,
    pub status: HandoffStatus,
    pub created_at: Timestamp,
    /// The staff member who claimed it: id and display name.
    pub claimed_by: Option<(String, String)>,
    pub claimed_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub outcome: Option<HandoffOutcome>,
    pub note: Option<String>,
    /// The latest call-back the customer asked for while waiting.
    pub callback: Option<CallbackRecord>,
}

/// A call-back request as stored: the number in E.164 and the window, in UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackRecord {
    pub phone: String,
    pub from: Timestamp,
    pub to: Timestamp,
    pub requested_at: Timestamp,
}

/// One step event of a guided walk-through: `shown`, `worked`, `failed` or `skipped`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepEventRow<'a> {
    pub guide_id: &'a str,
    pub guide_version: i64,
    /// 1-based, as editors count steps.
    pub step: i64,
    pub event: &'a str,
}
