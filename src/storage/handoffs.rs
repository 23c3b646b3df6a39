//! SQL for the agents' side of handoffs: the queue, claiming and resolving.
//!
//! Claims and resolutions run inside a turn ([`TurnTx`]) on the handoff's conversation, so they
//! are serialised with the customer's own messages, and the conditional `UPDATE` decides which
//! of two agents claiming at once wins.

use sqlx::{Any, Executor, Row};

use super::conversations::{handoff_from_row, HANDOFF_COLUMNS};
use super::{CallbackRecord, HandoffRecord, Store, StoreError, TurnTx};
use crate::domain::{HandoffOutcome, HandoffStatus, Queue};
use crate::timestamp::Timestamp;

/// Where a waiting customer stands: their queue, their place in it (from 1) and how long the
/// latest customers in that queue waited for an agent, in seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueStanding {
    pub queue: String,
    pub position: i64,
    pub recent_waits: Vec<f64>,
}

/// How many of the latest claims in a queue the wait estimate looks at.
const RECENT_CLAIMS: i64 = 20;

/// The customer's place among those waiting for a person (written cancellations are
/// back-office work and do not count as waiting).
async fn position<'c, E: Executor<'c, Database = Any>>(
    executor: E,
    conversation_id: &str,
) -> Result<Option<(String, i64)>, StoreError> {
    let row = sqlx::query(
        "SELECT h.queue, (SELECT COUNT(*) FROM handoffs q WHERE q.queue = h.queue \
         AND q.status = 'queued' AND (q.created_at < h.created_at \
         OR (q.created_at = h.created_at AND q.id <= h.id))) AS position \
         FROM handoffs h WHERE h.conversation_id = $1 AND h.status = 'queued' \
         AND h.queue <> 'cancellation' ORDER BY h.created_at DESC LIMIT 1",
    )
    .bind(conversation_id)
    .fetch_optional(executor)
    .await?;
    row.map(|row| Ok((row.try_get("queue")?, row.try_get("position")?)))
        .transpose()
}

/// Seconds from opening to claim of the latest `limit` claims, in one queue or in all.
pub(super) async fn recent_waits<'c, E: Executor<'c, Database = Any>>(
    executor: E,
    queue: Option<&str>,
    limit: i64,
) -> Result<Vec<f64>, StoreError> {
    let rows = sqlx::query(
        "SELECT created_at, claimed_at FROM handoffs WHERE claimed_at IS NOT NULL \
         AND ($1 IS NULL OR queue = $1) ORDER BY claimed_at DESC LIMIT $2",
    )
    .bind(queue)
    .bind(limit)
    .persistent(false)
    .fetch_all(executor)
    .await?;
    rows.iter()
        .map(|row| {
            let opened: String = row.try_get("created_at")?;
            let claimed: String = row.try_get("claimed_at")?;
            match (Timestamp::parse(&opened), Timestamp::parse(&claimed)) {
                (Ok(opened), Ok(claimed)) => Ok(claimed.seconds_since(opened)),
                _ => Err(StoreError::Corrupt("handoff times".to_owned())),
            }
        })
        .collect()
}

/// Which handoffs an agent lists. `None` means any.
#[derive(Debug, Clone, Copy, Default)]
pub struct HandoffFilter<'a> {
    pub status: Option<HandoffStatus>,
    pub queue: Option<Queue>,
    /// Only handoffs after this one in the list's order (oldest first): the next page.
    pub after: Option<&'a HandoffCursor>,
    /// The most to return; at most [`LIST_LIMIT`].
    pub limit: i64,
}

/// Where a page of the handoff list ended: the last handoff's opening time and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoffCursor {
    pub created_at: String,
    pub id: String,
}

impl HandoffCursor {
    /// As clients pass it back: opaque, URL-safe.
    pub fn encode(&self) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!("{}|{}", self.created_at, self.id))
    }

    pub fn decode(raw: &str) -> Option<Self> {
        use base64::Engine as _;
        if raw.len() > 200 {
            return None;
        }
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(raw)
            .ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (created_at, id) = text.split_once('|')?;
        Timestamp::parse(created_at).ok()?;
        Some(Self {
            created_at: created_at.to_owned(),
            id: id.to_owned(),
        })
    }
}

/// How a resolution is recorded.
#[derive(Debug, Clone, Copy)]
pub struct Resolution<'a> {
    pub staff_id: &'a str,
    pub outcome: HandoffOutcome,
    pub note: Option<&'a str>,
}

/// The most handoffs one page of the list returns, oldest first; the cursor reaches the rest.
pub const LIST_LIMIT: i64 = 500;

impl Store {
    #[tracing::instrument(skip_all)]
    pub async fn handoffs(
        &self,
        filter: HandoffFilter<'_>,
    ) -> Result<Vec<HandoffRecord>, StoreError> {
        let sql = format!(
            "SELECT {HANDOFF_COLUMNS} FROM handoffs \
             WHERE ($1 IS NULL OR status = $1) AND ($2 IS NULL OR queue = $2) \
             AND ($3 IS NULL OR created_at > $3 OR (created_at = $3 AND id > $4)) \
             ORDER BY created_at, id LIMIT $5"
        );
        let rows = sqlx::query(&sql)
            .bind(filter.status.map(HandoffStatus::as_str))
            .bind(filter.queue.map(Queue::as_str))
            .bind(filter.after.map(|c| c.created_at.as_str()))
            .bind(filter.after.map_or("", |c| c.id.as_str()))
            .bind(filter.limit.clamp(1, LIST_LIMIT))
            .persistent(false)
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(handoff_from_row).collect()
    }

    /// Where this conversation stands in its queue, if it waits for a person.
    #[tracing::instrument(skip_all)]
    pub async fn queue_standing(
        &self,
        conversation_id: &str,
    ) -> Result<Option<QueueStanding>, StoreError> {
        let Some((queue, position)) = position(&self.reader, conversation_id).await? else {
            return Ok(None);
        };
        let recent_waits = recent_waits(&self.reader, Some(&queue), RECENT_CLAIMS).await?;
        Ok(Some(QueueStanding {
            queue,
            position,
            recent_waits,
        }))
    }

    #[tracing::instrument(skip_all)]
    pub async fn handoff(&self, id: &str) -> Result<Option<HandoffRecord>, StoreError> {
        let sql = format!("SELECT {HANDOFF_COLUMNS} FROM handoffs WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(handoff_from_row).transpose()
    }
}

impl TurnTx {
    /// Where this conversation stands in its queue, counting a handoff opened in this turn.
    pub async fn queue_standing(&mut self) -> Result<Option<QueueStanding>, StoreError> {
        let conversation_id = self.conversation.id.clone();
        let Some((queue, position)) = position(self.executor(), &conversation_id).await? else {
            return Ok(None);
        };
        let recent_waits = recent_waits(self.executor(), Some(&queue), RECENT_CLAIMS).await?;
        Ok(Some(QueueStanding {
            queue,
            position,
            recent_waits,
        }))
    }

    /// The handoff as it is inside this turn (after any earlier change in it).
    pub async fn handoff(&mut self, id: &str) -> Result<Option<HandoffRecord>, StoreError> {
        let sql = format!(
            "SELECT {HANDOFF_COLUMNS} FROM handoffs WHERE id = $1 AND conversation_id = $2"
        );
        let conversation_id = self.conversation.id.clone();
        let row = sqlx::query(&sql)
            .bind(id)
            .bind(conversation_id)
            .fetch_optional(self.executor())
            .await?;
        row.as_ref().map(handoff_from_row).transpose()
    }

    /// Claims a queued handoff for a staff member. False when it was no longer queued.
    pub async fn claim_handoff(
        &mut self,
        id: &str,
        staff_id: &str,
        staff_name: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE handoffs SET status = 'claimed', claimed_by = $2, claimed_by_name = $3, \
             claimed_at = $4, updated_at = $4 WHERE id = $1 AND status = 'queued'",
        )
        .bind(id)
        .bind(staff_id)
        .bind(staff_name)
        .bind(now.to_string())
        .execute(self.executor())
        .await?;
        self.reported(done.rows_affected() == 1, "handoff.claimed", id, now)
            .await
    }

    /// Moves an open handoff to another queue, where it waits to be claimed again.
    pub async fn move_handoff(
        &mut self,
        id: &str,
        queue: Queue,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE handoffs SET queue = $2, status = 'queued', claimed_by = NULL, \
             claimed_by_name = NULL, claimed_at = NULL, updated_at = $3 \
             WHERE id = $1 AND status <> 'resolved'",
        )
        .bind(id)
        .bind(queue.as_str())
        .bind(now.to_string())
        .execute(self.executor())
        .await?;
        self.reported(done.rows_affected() == 1, "handoff.moved", id, now)
            .await
    }

    /// Puts a claimed handoff back in its queue, unclaimed. False unless this staff member
    /// held it.
    pub async fn release_handoff(
        &mut self,
        id: &str,
        staff_id: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE handoffs SET status = 'queued', claimed_by = NULL, claimed_by_name = NULL, \
             claimed_at = NULL, updated_at = $3 \
             WHERE id = $1 AND status = 'claimed' AND claimed_by = $2",
        )
        .bind(id)
        .bind(staff_id)
        .bind(now.to_string())
        .execute(self.executor())
        .await?;
        self.reported(done.rows_affected() == 1, "handoff.released", id, now)
            .await
    }

    /// Resolves a handoff the staff member holds. False when it was not theirs to resolve.
    pub async fn resolve_handoff(
        &mut self,
        id: &str,
        resolution: Resolution<'_>,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE handoffs SET status = 'resolved', outcome = $3, note = $4, resolved_at = $5, \
             updated_at = $5 WHERE id = $1 AND status = 'claimed' AND claimed_by = $2",
        )
        .bind(id)
        .bind(resolution.staff_id)
        .bind(resolution.outcome.as_str())
        .bind(resolution.note)
        .bind(now.to_string())
        .persistent(false)
        .execute(self.executor())
        .await?;
        self.reported(done.rows_affected() == 1, "handoff.resolved", id, now)
            .await
    }

    /// The handoff a person is working on or about to, not counting a written cancellation's,
    /// which is back-office work beside the chat.
    pub async fn open_handoff_of_conversation(
        &mut self,
    ) -> Result<Option<HandoffRecord>, StoreError> {
        let sql = format!(
            "SELECT {HANDOFF_COLUMNS} FROM handoffs WHERE conversation_id = $1 \
             AND status <> 'resolved' AND queue <> 'cancellation' \
             ORDER BY created_at DESC, id DESC LIMIT 1"
        );
        let conversation_id = self.conversation.id.clone();
        let row = sqlx::query(&sql)
            .bind(conversation_id)
            .fetch_optional(self.executor())
            .await?;
        row.as_ref().map(handoff_from_row).transpose()
    }

    /// Records the customer's call-back request on an open handoff, replacing an earlier one.
    pub async fn request_callback(
        &mut self,
        id: &str,
        callback: &CallbackRecord,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE handoffs SET callback_phone = $2, callback_from = $3, callback_to = $4, \
             callback_requested_at = $5, updated_at = $5 WHERE id = $1 AND status <> 'resolved'",
        )
        .bind(id)
        .bind(&callback.phone)
        .bind(callback.from.to_string())
        .bind(callback.to.to_string())
        .bind(callback.requested_at.to_string())
        .persistent(false)
        .execute(self.executor())
        .await?;
        self.reported(
            done.rows_affected() == 1,
            "handoff.callback_requested",
            id,
            callback.requested_at,
        )
        .await
    }

    /// Passes on whether a change happened, recording its event for the webhook if it did.
    async fn reported(
        &mut self,
        changed: bool,
        event: &str,
        id: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        if changed {
            self.record_handoff_event(event, id, now).await?;
        }
        Ok(changed)
    }
}
