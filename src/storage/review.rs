//! SQL for the editors' review inbox.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::decode::{decode, decode_optional, timestamp};
use super::{Store, StoreError, TurnTx};
use crate::domain::{Intent, Locale, MissKind, ReviewStatus};
use crate::timestamp::Timestamp;

/// A miss to remember with the turn that made it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMiss<'a> {
    /// The customer's message the miss is about.
    pub message_id: String,
    pub kind: MissKind,
    pub locale: Locale,
    pub intent: Option<Intent>,
    pub confidence: Option<f64>,
    pub guide_id: Option<&'a str>,
}

/// An item of the inbox, with the customer's (masked) words.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewRow {
    pub id: String,
    pub conversation_id: String,
    pub message_id: String,
    pub text: String,
    pub kind: MissKind,
    pub locale: Locale,
    pub intent: Option<Intent>,
    pub confidence: Option<f64>,
    pub guide_id: Option<String>,
    pub status: ReviewStatus,
    pub created_at: Timestamp,
}

/// Which items to read; every field narrows, `None` leaves it open.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewFilter {
    pub status: ReviewStatus,
    pub kind: Option<MissKind>,
    pub locale: Option<Locale>,
    pub intent: Option<Intent>,
    pub guide_id: Option<String>,
    /// From this time on, inclusive.
    pub since: Option<Timestamp>,
    /// Before this time.
    pub until: Option<Timestamp>,
    /// The newest this many.
    pub limit: i64,
}

/// An item's columns, with its message's text, as `review_from_row` reads them.
const REVIEW_COLUMNS: &str = "r.id, r.conversation_id, r.message_id, m.text, r.kind, r.locale, \
                              r.intent, r.confidence, r.guide_id, r.status, r.created_at";

fn review_from_row(row: &AnyRow) -> Result<ReviewRow, StoreError> {
    Ok(ReviewRow {
        id: row.try_get("id")?,
        conversation_id: row.try_get("conversation_id")?,
        message_id: row.try_get("message_id")?,
        text: row.try_get("text")?,
        kind: decode(row, "kind", MissKind::parse)?,
        locale: decode(row, "locale", |raw| Locale::parse(raw).ok())?,
        intent: decode_optional(row, "intent", |raw| Intent::parse(raw).ok())?,
        confidence: row.try_get("confidence")?,
        guide_id: row.try_get("guide_id")?,
        status: decode(row, "status", ReviewStatus::parse)?,
        created_at: timestamp(row, "created_at")?,
    })
}

/// Gives an open item its verdict; 0 when it was handled already (its first verdict stays).
async fn handle(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &str,
    status: ReviewStatus,
    by: &str,
    now: Timestamp,
) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "UPDATE review_items SET status = $1, handled_by = $2, handled_at = $3 \
         WHERE id = $4 AND status = $5",
    )
    .bind(status.as_str())
    .bind(by)
    .bind(now.to_string())
    .bind(id)
    .bind(ReviewStatus::Open.as_str())
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

impl TurnTx {
    /// Remembers the turn's misses; a message already in the inbox for the same reason is
    /// not added twice.
    pub async fn record_misses(
        &mut self,
        misses: &[NewMiss<'_>],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let conversation_id = self.conversation.id.clone();
        for miss in misses {
            sqlx::query(
                "INSERT INTO review_items (id, conversation_id, message_id, kind, locale, \
                 intent, confidence, guide_id, status, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (message_id, kind) DO NOTHING",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(&conversation_id)
            .bind(&miss.message_id)
            .bind(miss.kind.as_str())
            .bind(miss.locale.as_str())
            .bind(miss.intent.map(Intent::as_str))
            .bind(miss.confidence)
            .bind(miss.guide_id)
            .bind(ReviewStatus::Open.as_str())
            .bind(now.to_string())
            .execute(self.executor())
            .await?;
        }
        Ok(())
    }

    /// The customer's own words that opened the walk of `guide_id`: the last message they
    /// typed (not a button) up to the turn that showed the guide's first step, or `None` when
    /// the guide was opened some other way.
    pub async fn message_that_opened(
        &mut self,
        guide_id: &str,
    ) -> Result<Option<String>, StoreError> {
        let conversation_id = self.conversation.id.clone();
        // Every message of a turn carries the turn's time, and so does the turn's step event.
        let opened: Option<String> = sqlx::query_scalar(
            "SELECT MAX(created_at) FROM guide_step_events \
             WHERE conversation_id = $1 AND guide_id = $2 AND event = 'shown' AND step = \
             (SELECT MIN(step) FROM guide_step_events \
              WHERE conversation_id = $1 AND guide_id = $2 AND event = 'shown')",
        )
        .bind(&conversation_id)
        .bind(guide_id)
        .fetch_one(self.executor())
        .await?;
        let Some(opened) = opened else {
            return Ok(None);
        };
        Ok(sqlx::query_scalar(
            "SELECT id FROM messages WHERE conversation_id = $1 AND role = 'customer' \
             AND action_id IS NULL AND created_at <= $2 ORDER BY seq DESC LIMIT 1",
        )
        .bind(&conversation_id)
        .bind(opened)
        .fetch_optional(self.executor())
        .await?)
    }
}

impl Store {
    /// The newest items that match, newest first.
    pub async fn review_items(&self, filter: &ReviewFilter) -> Result<Vec<ReviewRow>, StoreError> {
        let mut sql = format!(
            "SELECT {REVIEW_COLUMNS} FROM review_items r JOIN messages m ON m.id = r.message_id \
             WHERE r.status = $1"
        );
        let mut binds: Vec<String> = vec![filter.status.as_str().to_owned()];
        let mut narrow = |column: &str, op: &str, value: String| {
            binds.push(value);
            sql.push_str(&format!(" AND r.{column} {op} ${}", binds.len()));
        };
        if let Some(kind) = filter.kind {
            narrow("kind", "=", kind.as_str().to_owned());
        }
        if let Some(locale) = filter.locale {
            narrow("locale", "=", locale.as_str().to_owned());
        }
        if let Some(intent) = filter.intent {
            narrow("intent", "=", intent.as_str().to_owned());
        }
        if let Some(guide) = &filter.guide_id {
            narrow("guide_id", "=", guide.clone());
        }
        if let Some(since) = filter.since {
            narrow("created_at", ">=", since.to_string());
        }
        if let Some(until) = filter.until {
            narrow("created_at", "<", until.to_string());
        }
        sql.push_str(&format!(
            " ORDER BY r.created_at DESC, r.id DESC LIMIT ${}",
            binds.len() + 1
        ));
        let mut query = sqlx::query(&sql);
        for value in &binds {
            query = query.bind(value);
        }
        let rows = query.bind(filter.limit).fetch_all(&self.reader).await?;
        rows.iter().map(review_from_row).collect()
    }

    /// Marks open items as handled by `by`; returns how many were still open. Items already
    /// handled keep what was done with them first.
    pub async fn handle_review_items(
        &self,
        ids: &[String],
        status: ReviewStatus,
        by: &str,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        let mut tx = self.writer.begin().await?;
        let mut changed = 0;
        for id in ids {
            changed += handle(&mut tx, id, status, by, now).await?;
        }
        tx.commit().await?;
        Ok(changed)
    }
}

/// An example an editor taught, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct TaughtRow {
    /// The training set's version this example made.
    pub seq: i64,
    pub text: String,
    pub language: Locale,
    pub intent: Intent,
    pub author: String,
    pub created_at: Timestamp,
}

fn taught_from_row(row: &AnyRow) -> Result<TaughtRow, StoreError> {
    Ok(TaughtRow {
        seq: row.try_get("seq")?,
        text: row.try_get("text")?,
        language: decode(row, "language", |raw| Locale::parse(raw).ok())?,
        intent: decode(row, "intent", |raw| Intent::parse(raw).ok())?,
        author: row.try_get("author")?,
        created_at: timestamp(row, "created_at")?,
    })
}

impl Store {
    /// The items with these ids that are still open, with their texts.
    pub async fn open_review_items(&self, ids: &[String]) -> Result<Vec<ReviewRow>, StoreError> {
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            let row = sqlx::query(&format!(
                "SELECT {REVIEW_COLUMNS} FROM review_items r \
                 JOIN messages m ON m.id = r.message_id WHERE r.id = $1 AND r.status = $2"
            ))
            .bind(id)
            .bind(ReviewStatus::Open.as_str())
            .fetch_optional(&self.reader)
            .await?;
            if let Some(row) = row {
                found.push(review_from_row(&row)?);
            }
        }
        Ok(found)
    }

    /// Keeps each item's message as a training example of `intent` (one example a distinct
    /// text) and marks the items taught, in one transaction. Returns how many items were
    /// still open; an item another editor handled meanwhile teaches nothing.
    pub async fn teach_intent(
        &self,
        items: &[ReviewRow],
        intent: Intent,
        author: &str,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        let mut tx = self.writer.begin().await?;
        let mut taught = 0;
        let mut texts = std::collections::HashSet::new();
        for item in items {
            let changed = handle(&mut tx, &item.id, ReviewStatus::Taught, author, now).await?;
            taught += changed;
            if changed == 0 || !texts.insert((item.locale, item.text.trim().to_lowercase())) {
                continue;
            }
            sqlx::query(
                "INSERT INTO taught_examples (conversation_id, message_id, text, language, \
                 intent, author, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&item.conversation_id)
            .bind(&item.message_id)
            .bind(item.text.trim())
            .bind(item.locale.as_str())
            .bind(intent.as_str())
            .bind(author)
            .bind(now.to_string())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(taught)
    }

    /// Every example taught, oldest first.
    pub async fn taught_examples(&self) -> Result<Vec<TaughtRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, text, language, intent, author, created_at FROM taught_examples \
             ORDER BY seq",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(taught_from_row).collect()
    }
}
