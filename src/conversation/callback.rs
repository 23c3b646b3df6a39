//! Call-back requests: a customer who would rather be phoned than wait in the chat. The request
//! joins the open handoff (or opens one: asking to be called is asking for a person) and is
//! confirmed in the conversation, all in one transaction.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::service::{new_message, parse_state, stored};
use super::{ConversationError, Conversations, Message, Role};
use crate::auth::SecretToken;
use crate::dialogue::ConversationStatus;
use crate::domain::{CallbackRequest, HandoffReason};
use crate::storage::{CallbackRecord, StoreError};
use crate::timestamp::Timestamp;

/// What the customer gets back.
#[derive(Debug, Clone)]
pub struct CallbackReceipt {
    pub callback: CallbackFacts,
    /// False when the same request had been sent before: nothing new was stored.
    pub created: bool,
    /// The confirmation (and, for a new handoff, the place in the queue) as chat messages.
    pub messages: Vec<Message>,
}

impl Conversations {
    #[tracing::instrument(skip_all, fields(conversation_id = %id))]
    pub async fn request_callback(
        &self,
        id: &str,
        token: &SecretToken,
        request: &CallbackRequest,
    ) -> Result<CallbackReceipt, ConversationError> {
        let mut turn = self.owned_turn(id, token).await?;
        let locale = turn.conversation.locale;
        let status = turn.conversation.status;
        let mut state = parse_state(&turn.conversation)?;
        let now = Timestamp::now();
        let record = CallbackRecord {
            phone: request.phone.as_str().to_owned(),
            from: request.window.from,
            to: request.window.to,
            requested_at: now,
        };
        let open = turn.open_handoff_of_conversation().await?;
        if let Some(earlier) = open.as_ref().and_then(|h| h.callback.as_ref()) {
            let same = earlier.phone == record.phone
                && earlier.from == record.from
                && earlier.to == record.to;
            if same {
                return Ok(CallbackReceipt {
                    callback: earlier.clone().into(),
                    created: false,
                    messages: Vec::new(),
                });
            }
        }
        let replies = self.engine.replies();
        let window = record.from.window_phrase(record.to, locale);
        let confirmation = replies.callback_confirmed(locale, &request.phone.display(), &window);
        let mut messages = vec![new_message(Role::System, confirmation, None, now)];
        let (handoff_id, status) = match open {
            Some(handoff) => (handoff.id, status),
            None => {
                let handoff_id = Uuid::now_v7().to_string();
                let queue = state.handoff_route();
                state.handoff_queue = None;
                state.walk = None;
                state.pending = None;
                let standing = self
                    .open_handoff_and_tell(
                        &mut turn,
                        &handoff_id,
                        queue,
                        HandoffReason::CallbackRequest,
                        locale,
                        now,
                    )
                    .await?;
                messages.extend(standing);
                (handoff_id, ConversationStatus::Queued)
            }
        };
        let state_json =
            serde_json::to_string(&state).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let seqs = turn.append(&messages, status, &state_json, now).await?;
        if !turn.request_callback(&handoff_id, &record).await? {
            return Err(StoreError::Corrupt("the open handoff vanished in the turn".into()).into());
        }
        turn.commit().await?;
        metrics::counter!("felsok_callbacks_requested_total").increment(1);
        // The number stays out of the log: it is personal data.
        tracing::info!(handoff_id = %handoff_id, "call-back requested");
        Ok(CallbackReceipt {
            callback: record.into(),
            created: true,
            messages: messages
                .into_iter()
                .zip(seqs)
                .map(|(message, seq)| stored(message, seq))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// When and where the customer wants to be phoned.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CallbackFacts {
    /// E.164, ready to dial: `+46701234567`.
    pub phone: String,
    #[schema(value_type = String, format = DateTime)]
    pub from: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub to: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub requested_at: Timestamp,
}

impl From<CallbackRecord> for CallbackFacts {
    fn from(c: CallbackRecord) -> Self {
        Self {
            phone: c.phone,
            from: c.from,
            to: c.to,
            requested_at: c.requested_at,
        }
    }
}
