//! SQL for the team's numbers. Counting is done by the database; only the median wait is
//! worked out in Rust, from the waits themselves.

use sqlx::Row;

use super::{Store, StoreError};

/// Raw counts, as the database has them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatsRow {
    pub conversations: i64,
    /// Conversations where the customer said a step worked, and that sent no written
    /// cancellation: a cancellation is never a problem the bot solved.
    pub resolved_by_customer_confirmation: i64,
    pub cancellations_received: i64,
    /// `(queue, reason, status, count)`.
    pub handoffs: Vec<(String, String, String, i64)>,
    /// Seconds from a handoff being opened to an agent claiming it, for the latest claims.
    pub waits_seconds: Vec<f64>,
}

/// How many recent claims the median wait is taken over.
const RECENT_CLAIMS: i64 = 1000;

impl Store {
    #[tracing::instrument(skip_all)]
    pub async fn stats(&self) -> Result<StatsRow, StoreError> {
        let conversations: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM conversations")
            .fetch_one(&self.reader)
            .await?;
        let resolved_by_customer_confirmation: i64 = sqlx::query_scalar(
            "SELECT COUNT(DISTINCT e.conversation_id) FROM guide_step_events e \
             WHERE e.event = 'worked' AND NOT EXISTS \
             (SELECT 1 FROM cancellation_requests c WHERE c.conversation_id = e.conversation_id)",
        )
        .fetch_one(&self.reader)
        .await?;
        let cancellations_received: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM cancellation_requests")
                .fetch_one(&self.reader)
                .await?;
        let handoffs = sqlx::query(
            "SELECT queue, reason, status, COUNT(*) AS n FROM handoffs \
             GROUP BY queue, reason, status ORDER BY queue, reason, status",
        )
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.try_get("queue")?,
                row.try_get("reason")?,
                row.try_get("status")?,
                row.try_get("n")?,
            ))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let waits_seconds =
            super::handoffs::recent_waits(&self.reader, None, RECENT_CLAIMS).await?;
        Ok(StatsRow {
            conversations,
            resolved_by_customer_confirmation,
            cancellations_received,
            handoffs,
            waits_seconds,
        })
    }
}
