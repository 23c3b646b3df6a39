//! Finding and erasing one person's data, and forgetting old conversations.
//!
//! Erasing keeps exactly what the law asks to be kept: a written cancellation (who cancelled
//! what, when, and the receipt) stays with a bare conversation row to hang on; everything else
//! the customer or an agent wrote goes.

use futures::TryStreamExt;
use sqlx::Row;

use super::{Store, StoreError};
use crate::timestamp::Timestamp;

/// Whose data: a customer number, an e-mail address or a conversation id (any of them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataSubject {
    pub customer_number: Option<String>,
    pub email: Option<String>,
    pub conversation_id: Option<String>,
}

impl DataSubject {
    pub fn is_empty(&self) -> bool {
        self.customer_number.is_none() && self.email.is_none() && self.conversation_id.is_none()
    }

    /// Whether a stored customer number or e-mail address names this subject. Customer
    /// numbers are compared without spaces, dashes, dots or slashes ("123 456" is "123456"),
    /// addresses without regard to letter case.
    fn names(&self, customer_number: Option<&str>, email: Option<&str>) -> bool {
        let number_matches = match (&self.customer_number, customer_number) {
            (Some(wanted), Some(stored)) => {
                let wanted = bare_number(wanted);
                !wanted.is_empty() && wanted == bare_number(stored)
            }
            _ => false,
        };
        let email_matches = match (&self.email, email) {
            (Some(wanted), Some(stored)) => wanted.trim().eq_ignore_ascii_case(stored.trim()),
            _ => false,
        };
        number_matches || email_matches
    }
}

fn bare_number(number: &str) -> String {
    number
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// What an erasure did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Erased {
    /// Conversations removed entirely.
    pub deleted: u64,
    /// Conversations emptied but kept for the written cancellations they hold.
    pub kept_for_cancellations: u64,
}

impl std::ops::AddAssign for Erased {
    fn add_assign(&mut self, other: Self) {
        self.deleted += other.deleted;
        self.kept_for_cancellations += other.kept_for_cancellations;
    }
}

/// The token hash of an erased conversation: no token hashes to it, so nobody can open it.
const ERASED_TOKEN: &str = "erased";

impl Store {
    /// The ids of every conversation that belongs to `subject`, each once.
    pub async fn conversations_of_subject(
        &self,
        subject: &DataSubject,
    ) -> Result<Vec<String>, StoreError> {
        let mut ids = Vec::new();
        if let Some(id) = &subject.conversation_id {
            let found: Option<String> =
                sqlx::query_scalar("SELECT id FROM conversations WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.reader)
                    .await?;
            ids.extend(found);
        }
        if subject.customer_number.is_some() || subject.email.is_some() {
            // Customer numbers are written in many ways and the details are JSON in a text
            // column, so the rows are read and compared here: an admin's occasional request,
            // streamed rather than loaded whole.
            let mut rows = sqlx::query(
                "SELECT id, customer FROM conversations WHERE customer IS NOT NULL \
                 ORDER BY created_at",
            )
            .fetch(&self.reader);
            while let Some(row) = rows.try_next().await? {
                let customer: String = row.try_get("customer")?;
                let Ok(details) = serde_json::from_str::<serde_json::Value>(&customer) else {
                    continue;
                };
                if subject.names(
                    details["customer_number"].as_str(),
                    details["email"].as_str(),
                ) {
                    ids.push(row.try_get("id")?);
                }
            }
            drop(rows);
            let mut rows = sqlx::query(
                "SELECT conversation_id, customer_number, email FROM cancellation_requests \
                 ORDER BY received_at",
            )
            .fetch(&self.reader);
            while let Some(row) = rows.try_next().await? {
                let number: Option<String> = row.try_get("customer_number")?;
                let email: Option<String> = row.try_get("email")?;
                if subject.names(number.as_deref(), email.as_deref()) {
                    ids.push(row.try_get("conversation_id")?);
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        ids.retain(|id| seen.insert(id.clone()));
        Ok(ids)
    }

    /// Conversations last touched before `cutoff` and not waiting for an agent: the ones a
    /// retention period lets go. At most `limit`, so a sweep works in slices.
    pub async fn conversations_idle_since(
        &self,
        cutoff: Timestamp,
        limit: i64,
    ) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.id FROM conversations c \
             WHERE c.updated_at < $1 AND c.token_hash <> $2 \
             AND NOT EXISTS (SELECT 1 FROM handoffs h WHERE h.conversation_id = c.id \
                             AND h.status IN ('queued', 'claimed')) \
             ORDER BY c.updated_at LIMIT $3",
        )
        .bind(cutoff.to_string())
        .bind(ERASED_TOKEN)
        .bind(limit)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| r.try_get("id").map_err(StoreError::from))
            .collect()
    }

    /// Erases one conversation in one transaction: removed entirely, or, when it holds a
    /// written cancellation, emptied of everything but that cancellation and its handoff.
    /// `blank_state` is the dialogue state an emptied conversation is left with.
    pub async fn erase_conversation(
        &self,
        id: &str,
        blank_state: &str,
        now: Timestamp,
    ) -> Result<Erased, StoreError> {
        let mut tx = self.writer.begin().await?;
        let cancellations: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM cancellation_requests WHERE conversation_id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        // Webhook payloads carry the transcript; they hang on the handoff, not the conversation.
        sqlx::query(
            "DELETE FROM webhook_deliveries WHERE handoff_id IN \
             (SELECT id FROM handoffs WHERE conversation_id = $1)",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        for table in [
            "review_items",
            "taught_examples",
            "messages",
            "guide_step_events",
            "mail_outbox",
        ] {
            sqlx::query(&format!("DELETE FROM {table} WHERE conversation_id = $1"))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let erased = if cancellations == 0 {
            sqlx::query("DELETE FROM handoffs WHERE conversation_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let gone = sqlx::query("DELETE FROM conversations WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            Erased {
                deleted: gone.rows_affected(),
                kept_for_cancellations: 0,
            }
        } else {
            sqlx::query(
                "UPDATE handoffs SET note = NULL, callback_phone = NULL, callback_from = NULL, \
                 callback_to = NULL, callback_requested_at = NULL WHERE conversation_id = $1",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE conversations SET customer = NULL, state = $2, status = 'closed', \
                 token_hash = $3, updated_at = $4 WHERE id = $1",
            )
            .bind(id)
            .bind(blank_state)
            .bind(ERASED_TOKEN)
            .bind(now.to_string())
            .execute(&mut *tx)
            .await?;
            Erased {
                deleted: 0,
                kept_for_cancellations: 1,
            }
        };
        if self.backend == super::Backend::Postgres {
            // Open live streams on other replicas end when they hear of the change.
            sqlx::query("SELECT COUNT(*) FROM (SELECT pg_notify($1, $2)) AS notified")
                .bind(super::changes::CHANNEL)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.changes.publish(id);
        Ok(erased)
    }

    /// Moves everything in SQLite's write-ahead log into the database file, where
    /// `secure_delete` has overwritten the erased rows, and empties the log, which still held
    /// them. PostgreSQL's own vacuum reclaims its dead rows. Run once after a batch of
    /// erasures, not after each.
    pub async fn flush_erased(&self) {
        if self.backend != super::Backend::Sqlite {
            return;
        }
        // A reader in the middle of a query can hold the log for a moment; try again briefly.
        for _ in 0..20 {
            match sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_one(&self.writer)
                .await
            {
                Ok(row) => {
                    let busy: i64 = row.try_get(0).unwrap_or(1);
                    if busy == 0 {
                        return;
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "could not checkpoint the log after an erase");
                    return;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        tracing::warn!("the log could not be emptied after an erase; it will be at the next one");
    }

    /// Rebuilds the SQLite file so that no free page keeps anything erased; run after the
    /// retention sweep has erased conversations.
    pub async fn compact(&self) -> Result<(), StoreError> {
        if self.backend == super::Backend::Sqlite {
            sqlx::query("VACUUM").execute(&self.writer).await?;
            self.flush_erased().await;
        }
        Ok(())
    }
}
