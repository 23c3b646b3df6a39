//! Live updates: what changed in a conversation since a subscriber last looked.

use std::sync::Arc;

use tokio::sync::{broadcast, watch};

use super::handoffs::HandoffError;
use super::service::parse_status;
use super::{ConversationError, Conversations, HandoffPacket, Message};
use crate::auth::SecretToken;
use crate::dialogue::ConversationStatus;
use crate::domain::Locale;

/// What is new in one conversation.
#[derive(Debug, Clone)]
pub struct Update {
    /// Each new message with its place in the conversation, which streams send as the
    /// event id, so a client reconnecting with `Last-Event-ID` misses nothing.
    pub messages: Vec<(i64, Message)>,
    pub status: ConversationStatus,
}

/// A change as an agent's inbox sees it: the conversation's handoffs and its latest message.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InboxChange {
    pub conversation_id: String,
    pub handoffs: Vec<HandoffPacket>,
    pub last_message: Option<Message>,
}

impl Conversations {
    /// Conversations as they change, and a receiver that fires when the service stops.
    pub fn subscribe(&self) -> (broadcast::Receiver<Arc<str>>, watch::Receiver<bool>) {
        let changes = self.store.changes();
        (changes.subscribe(), changes.closing())
    }

    /// For the owner: where the conversation stands now (its last message and status).
    pub async fn position(
        &self,
        id: &str,
        token: &SecretToken,
    ) -> Result<(i64, ConversationStatus), ConversationError> {
        let record = self.owned_conversation(id, token).await?;
        Ok((record.last_seq, parse_status(&record)?))
    }

    /// The messages after `seq` and the status now. The caller has checked ownership.
    pub async fn update_since(&self, id: &str, seq: i64) -> Result<Update, ConversationError> {
        let record = self
            .store
            .conversation(id)
            .await?
            .ok_or(ConversationError::NotFound)?;
        let messages = self
            .store
            .messages_after(id, seq)
            .await?
            .into_iter()
            .map(|record| {
                let seq = record.seq;
                Message::try_from(record).map(|m| (seq, m))
            })
            .collect::<Result<_, _>>()?;
        Ok(Update {
            messages,
            status: parse_status(&record)?,
        })
    }

    /// A conversation's change as an agent sees it; `None` when no person is involved in it.
    pub async fn inbox_change(
        &self,
        conversation_id: &str,
        agent_locale: Locale,
    ) -> Result<Option<InboxChange>, HandoffError> {
        let records = self.store.handoffs_of(conversation_id).await?;
        if records.is_empty() {
            return Ok(None);
        }
        let mut handoffs = Vec::with_capacity(records.len());
        for record in records {
            handoffs.push(self.packet(record, agent_locale, false).await?);
        }
        let last_seq = self
            .store
            .conversation(conversation_id)
            .await?
            .map_or(0, |c| c.last_seq);
        let last_message = self
            .store
            .messages_after(conversation_id, last_seq - 1)
            .await?
            .pop()
            .map(Message::try_from)
            .transpose()?;
        Ok(Some(InboxChange {
            conversation_id: conversation_id.to_owned(),
            handoffs,
            last_message,
        }))
    }
}
