//! SQL for webhook deliveries: handoff events written with the change they report, delivered
//! afterwards, and kept as the delivery log.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::{Store, StoreError, TurnTx};
use crate::timestamp::Timestamp;

/// One event on its way to the help desk, or delivered.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct WebhookDelivery {
    pub id: String,
    /// `handoff.created`, `handoff.claimed`, `handoff.released`, `handoff.moved` or
    /// `handoff.resolved`.
    pub event: String,
    pub handoff_id: String,
    /// The JSON body, exactly as signed and sent.
    #[serde(skip)]
    pub payload: String,
    /// `pending`, `delivered` or `failed` (given up).
    pub status: String,
    pub attempts: i64,
    #[schema(value_type = String, format = DateTime)]
    pub next_attempt_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// The desk's HTTP status on the last attempt, when it answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_status: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub delivered_at: Option<Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

const COLUMNS: &str = "id, event, handoff_id, payload, status, attempts, next_attempt_at, \
                       last_error, response_status, delivered_at, created_at";

fn time(row: &AnyRow, column: &str) -> Result<Option<Timestamp>, StoreError> {
    let raw: Option<String> = row.try_get(column)?;
    raw.map(|t| Timestamp::parse(&t))
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}

fn from_row(row: &AnyRow) -> Result<WebhookDelivery, StoreError> {
    let required = |column: &str| {
        time(row, column)?.ok_or_else(|| StoreError::Corrupt(format!("{column} is empty")))
    };
    Ok(WebhookDelivery {
        id: row.try_get("id")?,
        event: row.try_get("event")?,
        handoff_id: row.try_get("handoff_id")?,
        payload: row.try_get("payload")?,
        status: row.try_get("status")?,
        attempts: row.try_get("attempts")?,
        next_attempt_at: required("next_attempt_at")?,
        last_error: row.try_get("last_error")?,
        response_status: row.try_get("response_status")?,
        delivered_at: time(row, "delivered_at")?,
        created_at: required("created_at")?,
    })
}

impl TurnTx {
    /// Records a handoff event for the webhook in this turn, when one is configured. The
    /// payload carries ids and routing only: the desk fetches the rest with an agent token,
    /// so no personal data sits in a delivery log.
    pub(super) async fn record_handoff_event(
        &mut self,
        event: &str,
        handoff_id: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        if !self.webhooks {
            return Ok(());
        }
        let Some(handoff) = self.handoff(handoff_id).await? else {
            return Ok(());
        };
        let id = uuid::Uuid::now_v7().to_string();
        let payload = serde_json::json!({
            "delivery_id": id,
            "event": event,
            "occurred_at": now,
            "handoff": {
                "id": handoff.id,
                "conversation_id": handoff.conversation_id,
                "queue": handoff.queue,
                "reason": handoff.reason,
                "status": handoff.status,
                "outcome": handoff.outcome,
                "url": format!("/api/v1/agent/handoffs/{}", handoff.id),
            },
        });
        sqlx::query(
            "INSERT INTO webhook_deliveries (id, event, handoff_id, payload, status, attempts, \
             next_attempt_at, created_at) VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)",
        )
        .bind(&id)
        .bind(event)
        .bind(handoff_id)
        .bind(payload.to_string())
        .bind(now.to_string())
        .execute(self.executor())
        .await?;
        Ok(())
    }
}

impl Store {
    /// The oldest pending deliveries, due or not: the sender goes through them in order and
    /// stops at the first that is not due, so that events reach the desk in order.
    pub async fn pending_webhooks(&self, limit: i64) -> Result<Vec<WebhookDelivery>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM webhook_deliveries WHERE status = 'pending' \
             ORDER BY created_at, id LIMIT $1"
        );
        let rows = sqlx::query(&sql)
            .bind(limit)
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Takes a delivery for one attempt until `lease_until`; of several replicas, one wins.
    pub async fn claim_webhook(
        &self,
        delivery: &WebhookDelivery,
        lease_until: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET next_attempt_at = $1, attempts = attempts + 1 \
             WHERE id = $2 AND status = 'pending' AND next_attempt_at = $3",
        )
        .bind(lease_until.to_string())
        .bind(&delivery.id)
        .bind(delivery.next_attempt_at.to_string())
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records an attempt: delivered, retried at `retry_at`, or given up.
    pub async fn webhook_attempted(
        &self,
        id: &str,
        outcome: WebhookAttempt<'_>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let (status, next, error, delivered) = match outcome.error {
            None => ("delivered", None, None, Some(now.to_string())),
            Some(error) => match outcome.retry_at {
                Some(at) => ("pending", Some(at.to_string()), Some(error), None),
                None => ("failed", None, Some(error), None),
            },
        };
        sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, next_attempt_at = COALESCE($2, \
             next_attempt_at), last_error = $3, response_status = $4, delivered_at = $5 \
             WHERE id = $6",
        )
        .bind(status)
        .bind(next)
        .bind(error)
        .bind(outcome.response_status)
        .bind(delivered)
        .bind(id)
        .persistent(false)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// The latest deliveries, newest first: the log an admin reads.
    pub async fn webhook_deliveries(&self, limit: i64) -> Result<Vec<WebhookDelivery>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM webhook_deliveries ORDER BY created_at DESC, id DESC LIMIT $1"
        );
        let rows = sqlx::query(&sql)
            .bind(limit)
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(from_row).collect()
    }
}

/// How one delivery attempt went.
#[derive(Debug, Clone, Copy)]
pub struct WebhookAttempt<'a> {
    /// `None` when the desk answered 2xx.
    pub error: Option<&'a str>,
    pub response_status: Option<i64>,
    /// When to try again after a failure; `None` gives up.
    pub retry_at: Option<Timestamp>,
}
