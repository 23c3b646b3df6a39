//! A customer's right to see and to erase their data, and the retention period that forgets
//! old conversations on its own.

use serde::Serialize;
use utoipa::ToSchema;

use super::service::{parse_customer, ConversationError};
use super::Message;
use crate::dialogue::DialogueState;
use crate::domain::{
    Channel, ConversationStatus, CustomerDetails, HandoffOutcome, HandoffReason, HandoffStatus,
    Locale, Queue,
};
use crate::storage::{DataSubject, Erased, Store, StoreError};
use crate::timestamp::Timestamp;

/// Everything kept about one customer, as a machine-readable document.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerExport {
    #[schema(value_type = String, format = DateTime)]
    pub exported_at: Timestamp,
    pub conversations: Vec<ExportedConversation>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedConversation {
    pub conversation_id: String,
    pub locale: Locale,
    pub channel: Channel,
    pub status: ConversationStatus,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    /// The details the customer gave: name, customer number, e-mail, postcode.
    #[schema(value_type = Object)]
    pub customer: CustomerDetails,
    pub messages: Vec<Message>,
    pub handoffs: Vec<ExportedHandoff>,
    pub cancellations: Vec<ExportedCancellation>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedHandoff {
    pub id: String,
    pub queue: Queue,
    pub reason: HandoffReason,
    pub status: HandoffStatus,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub resolved_at: Option<Timestamp>,
    pub outcome: Option<HandoffOutcome>,
    /// The agent's closing note.
    pub note: Option<String>,
    /// The number the customer asked to be called back on.
    pub callback_phone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedCancellation {
    pub reference: String,
    pub service: String,
    pub full_name: String,
    pub customer_number: Option<String>,
    pub email: Option<String>,
    pub end_date: Option<String>,
    pub comment: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub received_at: Timestamp,
    pub receipt: String,
}

/// How many conversations a retention sweep erases per slice.
const SWEEP_SLICE: i64 = 200;

/// Every conversation of `subject`, with its messages, handoffs and cancellations.
#[tracing::instrument(skip_all)]
pub async fn export(
    store: &Store,
    subject: &DataSubject,
) -> Result<CustomerExport, ConversationError> {
    let mut conversations = Vec::new();
    for id in store.conversations_of_subject(subject).await? {
        let Some(record) = store.conversation(&id).await? else {
            continue;
        };
        let messages = store
            .messages(&id)
            .await?
            .into_iter()
            .map(Message::try_from)
            .collect::<Result<_, _>>()?;
        let handoffs = store
            .handoffs_of(&id)
            .await?
            .into_iter()
            .map(|h| ExportedHandoff {
                id: h.id,
                queue: h.queue,
                reason: h.reason,
                status: h.status,
                created_at: h.created_at,
                resolved_at: h.resolved_at,
                outcome: h.outcome,
                note: h.note,
                callback_phone: h.callback.map(|c| c.phone),
            })
            .collect();
        let cancellations = store
            .cancellations_of(&id)
            .await?
            .into_iter()
            .map(|c| ExportedCancellation {
                reference: c.reference,
                service: c.service,
                full_name: c.full_name,
                customer_number: c.customer_number,
                email: c.email,
                end_date: c.end_date,
                comment: c.comment,
                received_at: c.received_at,
                receipt: c.receipt,
            })
            .collect();
        conversations.push(ExportedConversation {
            customer: parse_customer(&record)?,
            conversation_id: record.id,
            locale: record.locale,
            channel: record.channel,
            status: record.status,
            created_at: record.created_at,
            updated_at: record.updated_at,
            messages,
            handoffs,
            cancellations,
        });
    }
    tracing::info!(
        conversations = conversations.len(),
        "customer data exported"
    );
    Ok(CustomerExport {
        exported_at: Timestamp::now(),
        conversations,
    })
}

/// Erases every conversation of `subject`, keeping only written cancellations.
#[tracing::instrument(skip_all)]
pub async fn erase(store: &Store, subject: &DataSubject) -> Result<Erased, ConversationError> {
    let mut erased = Erased::default();
    for id in store.conversations_of_subject(subject).await? {
        erased += erase_one(store, &id).await?;
    }
    store.flush_erased().await;
    Ok(erased)
}

/// Erases conversations nobody has touched for `retention` (none waiting for an agent).
pub async fn forget_idle(
    store: &Store,
    retention: std::time::Duration,
) -> Result<Erased, ConversationError> {
    let cutoff = Timestamp::now().minus(retention);
    let mut erased = Erased::default();
    loop {
        let ids = store.conversations_idle_since(cutoff, SWEEP_SLICE).await?;
        if ids.is_empty() {
            break;
        }
        for id in &ids {
            erased += erase_one(store, id).await?;
        }
        if (ids.len() as i64) < SWEEP_SLICE {
            break;
        }
    }
    if erased != Erased::default() {
        store.compact().await?;
        tracing::info!(
            deleted = erased.deleted,
            kept_for_cancellations = erased.kept_for_cancellations,
            "conversations past the retention period erased"
        );
    }
    Ok(erased)
}

async fn erase_one(store: &Store, id: &str) -> Result<Erased, ConversationError> {
    let blank = serde_json::to_string(&DialogueState::default())
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(store
        .erase_conversation(id, &blank, Timestamp::now())
        .await?)
}
