//! SQL for guides and their history.
//!
//! `guides` holds what is live; `guide_revisions` holds every save and deletion for good, so
//! editors can read any earlier version and replicas can follow each other's changes by `seq`.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::decode::timestamp;
use super::{Store, StoreError};
use crate::timestamp::Timestamp;

/// A live guide as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuideRow {
    pub id: String,
    pub source: String,
    pub version: i64,
    pub updated_at: Timestamp,
}

/// One save (with its source) or deletion (without) of a guide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionRow {
    pub seq: i64,
    pub guide_id: String,
    pub version: i64,
    pub source: Option<String>,
    pub author: String,
    pub created_at: Timestamp,
}

/// A guide to save: already validated by the caller.
#[derive(Debug, Clone, Copy)]
pub struct GuideToSave<'a> {
    pub id: &'a str,
    pub language: &'a str,
    pub title: &'a str,
    pub source: &'a str,
}

fn revision_from_row(row: &AnyRow) -> Result<RevisionRow, StoreError> {
    Ok(RevisionRow {
        seq: row.try_get("seq")?,
        guide_id: row.try_get("guide_id")?,
        version: row.try_get("version")?,
        source: row.try_get("source")?,
        author: row.try_get("author")?,
        created_at: timestamp(row, "created_at")?,
    })
}

const REVISION_COLUMNS: &str = "seq, guide_id, version, source, author, created_at";

impl Store {
    /// Every live guide.
    #[tracing::instrument(skip_all)]
    pub async fn live_guides(&self) -> Result<Vec<GuideRow>, StoreError> {
        let rows = sqlx::query("SELECT id, source, version, updated_at FROM guides ORDER BY id")
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(GuideRow {
                    id: row.try_get("id")?,
                    source: row.try_get("source")?,
                    version: row.try_get("version")?,
                    updated_at: timestamp(row, "updated_at")?,
                })
            })
            .collect()
    }

    /// The newest revision's `seq`, 0 when no guide was ever saved.
    pub async fn latest_guide_revision(&self) -> Result<i64, StoreError> {
        let seq: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM guide_revisions")
            .fetch_one(&self.reader)
            .await?;
        Ok(seq.unwrap_or(0))
    }

    /// Revisions after `seq`, oldest first.
    pub async fn guide_revisions_since(&self, seq: i64) -> Result<Vec<RevisionRow>, StoreError> {
        let sql =
            format!("SELECT {REVISION_COLUMNS} FROM guide_revisions WHERE seq > $1 ORDER BY seq");
        let rows = sqlx::query(&sql).bind(seq).fetch_all(&self.reader).await?;
        rows.iter().map(revision_from_row).collect()
    }

    /// A guide's history, newest first.
    pub async fn guide_history(&self, guide_id: &str) -> Result<Vec<RevisionRow>, StoreError> {
        let sql = format!(
            "SELECT {REVISION_COLUMNS} FROM guide_revisions WHERE guide_id = $1 \
             ORDER BY version DESC"
        );
        let rows = sqlx::query(&sql)
            .bind(guide_id)
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(revision_from_row).collect()
    }

    /// Saves a new version of a guide (the first, or the next after any earlier one, deleted or
    /// not) and makes it the live one, atomically. Returns the revision.
    #[tracing::instrument(skip_all, fields(guide_id = guide.id))]
    pub async fn save_guide(
        &self,
        guide: GuideToSave<'_>,
        author: &str,
        now: Timestamp,
    ) -> Result<RevisionRow, StoreError> {
        let mut tx = self.writer.begin().await?;
        let next: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM guide_revisions WHERE guide_id = $1",
        )
        .bind(guide.id)
        .fetch_one(&mut *tx)
        .await?;
        // Two replicas saving the same guide at once: the second insert breaks the unique
        // (guide_id, version) pair and its whole save rolls back, to be retried by the editor.
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO guide_revisions (guide_id, version, source, author, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING seq",
        )
        .bind(guide.id)
        .bind(next)
        .bind(guide.source)
        .bind(author)
        .bind(now.to_string())
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO guides (id, language, title, source, version, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (id) DO UPDATE SET language = excluded.language, \
             title = excluded.title, source = excluded.source, version = excluded.version, \
             updated_at = excluded.updated_at",
        )
        .bind(guide.id)
        .bind(guide.language)
        .bind(guide.title)
        .bind(guide.source)
        .bind(next)
        .bind(now.to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(RevisionRow {
            seq,
            guide_id: guide.id.to_owned(),
            version: next,
            source: Some(guide.source.to_owned()),
            author: author.to_owned(),
            created_at: now,
        })
    }

    /// Takes a guide out of use, keeping its history. `None` if it was not live.
    #[tracing::instrument(skip_all, fields(guide_id))]
    pub async fn delete_guide(
        &self,
        guide_id: &str,
        author: &str,
        now: Timestamp,
    ) -> Result<Option<RevisionRow>, StoreError> {
        let mut tx = self.writer.begin().await?;
        let removed = sqlx::query("DELETE FROM guides WHERE id = $1")
            .bind(guide_id)
            .execute(&mut *tx)
            .await?;
        if removed.rows_affected() == 0 {
            return Ok(None);
        }
        let next: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM guide_revisions WHERE guide_id = $1",
        )
        .bind(guide_id)
        .fetch_one(&mut *tx)
        .await?;
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO guide_revisions (guide_id, version, source, author, created_at) \
             VALUES ($1, $2, NULL, $3, $4) RETURNING seq",
        )
        .bind(guide_id)
        .bind(next)
        .bind(author)
        .bind(now.to_string())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(RevisionRow {
            seq,
            guide_id: guide_id.to_owned(),
            version: next,
            source: None,
            author: author.to_owned(),
            created_at: now,
        }))
    }

    /// Step statistics of one guide: `(step, event, count)`, steps numbered from 1.
    pub async fn guide_step_counts(
        &self,
        guide_id: &str,
    ) -> Result<Vec<(i64, String, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT step, event, COUNT(*) AS n FROM guide_step_events WHERE guide_id = $1 \
             GROUP BY step, event ORDER BY step, event",
        )
        .bind(guide_id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get("step")?,
                    row.try_get("event")?,
                    row.try_get("n")?,
                ))
            })
            .collect()
    }
}
