//! SQL for conversations, messages and the handoffs a turn opens.

use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Row, Transaction};

use super::decode::{decode, decode_optional, timestamp};
use super::{
    CallbackRecord, ConversationRecord, HandoffRecord, MessageRecord, NewConversation, NewMessage,
    StepEventRow, Store, StoreError,
};
use crate::domain::{
    Channel, ConversationStatus, HandoffOutcome, HandoffReason, HandoffStatus, Intent, Locale,
    Queue, Role,
};
use crate::timestamp::Timestamp;

const CONVERSATION_COLUMNS: &str = "id, token_hash, locale, channel, status, state, customer, \
                                    last_seq, created_at, updated_at";
const MESSAGE_COLUMNS: &str =
    "id, seq, role, text, actions, action_id, intent_name, intent_confidence, guide_step, \
     created_at";

fn conversation_from_row(row: &AnyRow) -> Result<ConversationRecord, StoreError> {
    Ok(ConversationRecord {
        id: row.try_get("id")?,
        token_hash: row.try_get("token_hash")?,
        locale: decode(row, "locale", |raw| Locale::parse(raw).ok())?,
        channel: decode(row, "channel", |raw| Channel::parse(raw).ok())?,
        status: decode(row, "status", ConversationStatus::parse)?,
        state_json: row.try_get("state")?,
        customer_json: row.try_get("customer")?,
        last_seq: row.try_get("last_seq")?,
        created_at: timestamp(row, "created_at")?,
        updated_at: timestamp(row, "updated_at")?,
    })
}

pub(super) const HANDOFF_COLUMNS: &str =
    "id, conversation_id, queue, reason, status, created_at, claimed_by, claimed_by_name, \
     claimed_at, resolved_at, outcome, note, callback_phone, callback_from, callback_to, \
     callback_requested_at";

fn optional_timestamp(row: &AnyRow, column: &str) -> Result<Option<Timestamp>, StoreError> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|t| Timestamp::parse(&t).map_err(|e| StoreError::Corrupt(format!("{column}: {e}"))))
        .transpose()
}

fn callback_from_row(row: &AnyRow) -> Result<Option<CallbackRecord>, StoreError> {
    let phone: Option<String> = row.try_get("callback_phone")?;
    let Some(phone) = phone else {
        return Ok(None);
    };
    let time = |column| {
        optional_timestamp(row, column)?
            .ok_or_else(|| StoreError::Corrupt(format!("{column} missing")))
    };
    Ok(Some(CallbackRecord {
        phone,
        from: time("callback_from")?,
        to: time("callback_to")?,
        requested_at: time("callback_requested_at")?,
    }))
}

pub(super) fn handoff_from_row(row: &AnyRow) -> Result<HandoffRecord, StoreError> {
    let claimed_by: Option<String> = row.try_get("claimed_by")?;
    let claimed_by_name: Option<String> = row.try_get("claimed_by_name")?;
    Ok(HandoffRecord {
        id: row.try_get("id")?,
        conversation_id: row.try_get("conversation_id")?,
        queue: decode(row, "queue", Queue::parse)?,
        reason: decode(row, "reason", HandoffReason::parse)?,
        status: decode(row, "status", HandoffStatus::parse)?,
        created_at: timestamp(row, "created_at")?,
        claimed_by: claimed_by.zip(claimed_by_name),
        claimed_at: optional_timestamp(row, "claimed_at")?,
        resolved_at: optional_timestamp(row, "resolved_at")?,
        outcome: decode_optional(row, "outcome", HandoffOutcome::parse)?,
        note: row.try_get("note")?,
        callback: callback_from_row(row)?,
    })
}

fn message_from_row(row: &AnyRow) -> Result<MessageRecord, StoreError> {
    let intent_name: Option<String> = row.try_get("intent_name")?;
    let intent_confidence: Option<f64> = row.try_get("intent_confidence")?;
    Ok(MessageRecord {
        id: row.try_get("id")?,
        seq: row.try_get("seq")?,
        role: decode(row, "role", Role::parse)?,
        text: row.try_get("text")?,
        actions_json: row.try_get("actions")?,
        action_id: row.try_get("action_id")?,
        intent: intent_name.zip(intent_confidence).and_then(
            |(name, confidence)| match Intent::parse(&name) {
                Ok(intent) => Some((intent, confidence)),
                // An intent retired since the message was stored: the message stays
                // readable, without what it was read as.
                Err(_) => {
                    tracing::warn!(intent = %name, "a stored message names an unknown intent");
                    None
                }
            },
        ),
        guide_step_json: row.try_get("guide_step")?,
        created_at: timestamp(row, "created_at")?,
    })
}

// Not a persistent prepared statement: through sqlx's `Any` driver, PostgreSQL would keep the
// parameter types of the first execution, and a NULL confidence there types the parameter
// so that a later real float is refused ("incorrect binary data format").
async fn insert_messages(
    tx: &mut Transaction<'static, Any>,
    conversation_id: &str,
    first_seq: i64,
    messages: &[NewMessage],
) -> Result<(), StoreError> {
    for (offset, message) in (0_i64..).zip(messages) {
        let (intent_name, intent_confidence) = message.intent.map(|(i, c)| (i.as_str(), c)).unzip();
        sqlx::query(
            "INSERT INTO messages (id, conversation_id, seq, role, text, actions, action_id, \
             intent_name, intent_confidence, reply_to, client_message_id, created_at, \
             guide_step) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(&message.id)
        .bind(conversation_id)
        .bind(first_seq + offset)
        .bind(message.role.as_str())
        .bind(&message.text)
        .bind(&message.actions_json)
        .bind(&message.action_id)
        .bind(intent_name)
        .bind(intent_confidence)
        .bind(&message.reply_to)
        .bind(&message.client_message_id)
        .bind(message.created_at.to_string())
        .bind(&message.guide_step_json)
        .persistent(false)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Creates a conversation with its first messages, atomically.
    #[tracing::instrument(skip_all)]
    pub async fn create_conversation(
        &self,
        conversation: &NewConversation<'_>,
        messages: &[NewMessage],
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        let created_at = conversation.created_at.to_string();
        sqlx::query(
            "INSERT INTO conversations (id, token_hash, locale, channel, status, state, \
             customer, last_seq, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        )
        .bind(conversation.id)
        .bind(conversation.token_hash)
        .bind(conversation.locale.as_str())
        .bind(conversation.channel.as_str())
        .bind(conversation.status.as_str())
        .bind(conversation.state_json)
        .bind(conversation.customer_json)
        .bind(messages.len() as i64)
        .bind(&created_at)
        .execute(&mut *tx)
        .await?;
        insert_messages(&mut tx, conversation.id, 1, messages).await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    pub async fn conversation(&self, id: &str) -> Result<Option<ConversationRecord>, StoreError> {
        let sql = format!("SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(conversation_from_row).transpose()
    }

    /// Several conversations at once, for listings; missing ids are left out.
    #[tracing::instrument(skip_all, fields(count = ids.len()))]
    pub async fn conversations_with_ids(
        &self,
        ids: &[&str],
    ) -> Result<Vec<ConversationRecord>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id IN ({})",
            placeholders(ids.len())
        );
        let mut query = sqlx::query(&sql).persistent(false);
        for id in ids {
            query = query.bind(*id);
        }
        let rows = query.fetch_all(&self.reader).await?;
        rows.iter().map(conversation_from_row).collect()
    }

    /// The messages of several conversations, each conversation's in order, for listings.
    #[tracing::instrument(skip_all, fields(count = ids.len()))]
    pub async fn messages_of_many(
        &self,
        ids: &[&str],
    ) -> Result<std::collections::HashMap<String, Vec<MessageRecord>>, StoreError> {
        let mut by_conversation: std::collections::HashMap<String, Vec<MessageRecord>> =
            std::collections::HashMap::new();
        if ids.is_empty() {
            return Ok(by_conversation);
        }
        let sql = format!(
            "SELECT conversation_id, {MESSAGE_COLUMNS} FROM messages \
             WHERE conversation_id IN ({}) ORDER BY conversation_id, seq",
            placeholders(ids.len())
        );
        let mut query = sqlx::query(&sql).persistent(false);
        for id in ids {
            query = query.bind(*id);
        }
        for row in query.fetch_all(&self.reader).await? {
            let conversation_id: String = row.try_get("conversation_id")?;
            by_conversation
                .entry(conversation_id)
                .or_default()
                .push(message_from_row(&row)?);
        }
        Ok(by_conversation)
    }

    /// All messages of a conversation, in the order they were written.
    #[tracing::instrument(skip_all)]
    pub async fn messages(&self, conversation_id: &str) -> Result<Vec<MessageRecord>, StoreError> {
        fetch_messages(&self.reader, conversation_id).await
    }

    /// Whether a customer message with this client message id is stored already.
    #[tracing::instrument(skip_all)]
    pub async fn has_client_message(
        &self,
        conversation_id: &str,
        client_message_id: &str,
    ) -> Result<bool, StoreError> {
        let found: Option<String> = sqlx::query_scalar(
            "SELECT id FROM messages WHERE conversation_id = $1 AND client_message_id = $2",
        )
        .bind(conversation_id)
        .bind(client_message_id)
        .fetch_optional(&self.reader)
        .await?;
        Ok(found.is_some())
    }

    /// The messages after `seq`, in order: what a live subscriber has not seen yet.
    pub async fn messages_after(
        &self,
        conversation_id: &str,
        seq: i64,
    ) -> Result<Vec<MessageRecord>, StoreError> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND seq > $2 \
             ORDER BY seq"
        );
        let rows = sqlx::query(&sql)
            .bind(conversation_id)
            .bind(seq)
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(message_from_row).collect()
    }

    #[tracing::instrument(skip_all)]
    pub async fn handoffs_of(
        &self,
        conversation_id: &str,
    ) -> Result<Vec<HandoffRecord>, StoreError> {
        let sql = format!(
            "SELECT {HANDOFF_COLUMNS} FROM handoffs WHERE conversation_id = $1 \
             ORDER BY created_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(conversation_id)
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(handoff_from_row).collect()
    }

    /// Starts a read-modify-write turn on one conversation, holding it against concurrent
    /// turns until the returned transaction ends. `None` when there is no such conversation.
    #[tracing::instrument(skip_all)]
    pub async fn begin_turn(&self, id: &str) -> Result<Option<TurnTx>, StoreError> {
        let mut tx = self.writer.begin().await?;
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = $1{}",
            self.backend.lock_clause()
        );
        let row = sqlx::query(&sql).bind(id).fetch_optional(&mut *tx).await?;
        match row {
            Some(row) => Ok(Some(TurnTx {
                conversation: conversation_from_row(&row)?,
                tx,
                backend: self.backend,
                changes: self.changes.clone(),
                webhooks: self.webhooks,
            })),
            None => Ok(None),
        }
    }
}

async fn fetch_messages(
    pool: &AnyPool,
    conversation_id: &str,
) -> Result<Vec<MessageRecord>, StoreError> {
    let sql =
        format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 ORDER BY seq");
    let rows = sqlx::query(&sql)
        .bind(conversation_id)
        .fetch_all(pool)
        .await?;
    rows.iter().map(message_from_row).collect()
}

/// One turn's transaction on a locked conversation. Dropping it without `commit` rolls back.
pub struct TurnTx {
    pub conversation: ConversationRecord,
    tx: Transaction<'static, Any>,
    backend: super::Backend,
    changes: super::Changes,
    pub(super) webhooks: bool,
}

impl TurnTx {
    /// The transaction, for other storage modules' statements in this turn.
    pub(super) fn executor(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    /// The replies already given to the customer message that carried this client message id,
    /// or `None` if no such message was stored.
    pub async fn replies_to_client_message(
        &mut self,
        client_message_id: &str,
    ) -> Result<Option<Vec<MessageRecord>>, StoreError> {
        let original: Option<String> = sqlx::query_scalar(
            "SELECT id FROM messages WHERE conversation_id = $1 AND client_message_id = $2",
        )
        .bind(&self.conversation.id)
        .bind(client_message_id)
        .fetch_optional(&mut *self.tx)
        .await?;
        let Some(original) = original else {
            return Ok(None);
        };
        let sql =
            format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE reply_to = $1 ORDER BY seq");
        let rows = sqlx::query(&sql)
            .bind(original)
            .fetch_all(&mut *self.tx)
            .await?;
        rows.iter()
            .map(message_from_row)
            .collect::<Result<_, _>>()
            .map(Some)
    }

    /// The conversation goes on in another language (the customer switched to it).
    pub async fn set_locale(&mut self, locale: Locale) -> Result<(), StoreError> {
        sqlx::query("UPDATE conversations SET locale = $2 WHERE id = $1")
            .bind(&self.conversation.id)
            .bind(locale.as_str())
            .execute(&mut *self.tx)
            .await?;
        self.conversation.locale = locale;
        Ok(())
    }

    /// Appends messages after the last one and saves the conversation's new status and state.
    pub async fn append(
        &mut self,
        messages: &[NewMessage],
        status: ConversationStatus,
        state_json: &str,
        now: Timestamp,
    ) -> Result<Vec<i64>, StoreError> {
        let first = self.conversation.last_seq + 1;
        insert_messages(&mut self.tx, &self.conversation.id, first, messages).await?;
        let last_seq = self.conversation.last_seq + messages.len() as i64;
        sqlx::query(
            "UPDATE conversations SET status = $2, state = $3, last_seq = $4, updated_at = $5 \
             WHERE id = $1",
        )
        .bind(&self.conversation.id)
        .bind(status.as_str())
        .bind(state_json)
        .bind(last_seq)
        .bind(now.to_string())
        .execute(&mut *self.tx)
        .await?;
        self.conversation.last_seq = last_seq;
        Ok((first..=last_seq).collect())
    }

    /// Opens a handoff for this conversation.
    pub async fn open_handoff(
        &mut self,
        id: &str,
        queue: Queue,
        reason: HandoffReason,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO handoffs (id, conversation_id, queue, reason, status, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, 'queued', $5, $5)",
        )
        .bind(id)
        .bind(&self.conversation.id)
        .bind(queue.as_str())
        .bind(reason.as_str())
        .bind(now.to_string())
        .execute(&mut *self.tx)
        .await?;
        self.record_handoff_event("handoff.created", id, now).await
    }

    /// Records what the customer was shown of a guide and what they answered.
    pub async fn record_step_events(
        &mut self,
        events: &[StepEventRow<'_>],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        for event in events {
            sqlx::query(
                "INSERT INTO guide_step_events (id, conversation_id, guide_id, guide_version, \
                 step, event, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(&self.conversation.id)
            .bind(event.guide_id)
            .bind(event.guide_version)
            .bind(event.step)
            .bind(event.event)
            .bind(now.to_string())
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    /// Commits the turn and tells live subscribers, here and (through `NOTIFY`, sent only
    /// if the commit succeeds) on every other replica.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        if self.backend == super::Backend::Postgres {
            // `pg_notify` returns `void`, which the `Any` driver cannot decode: count instead.
            sqlx::query("SELECT COUNT(*) FROM (SELECT pg_notify($1, $2)) AS notified")
                .bind(super::changes::CHANNEL)
                .bind(&self.conversation.id)
                .execute(&mut *self.tx)
                .await?;
        }
        self.tx.commit().await?;
        self.changes.publish(&self.conversation.id);
        Ok(())
    }
}

/// `$1, $2, …, $n`: bind parameters for an `IN` list, in the form both engines accept.
pub(super) fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
