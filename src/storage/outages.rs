//! SQL for outage notices.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::{Store, StoreError};
use crate::timestamp::Timestamp;

/// An outage notice as stored; `postcodes` is a JSON list of postcode prefixes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutageRow {
    pub id: String,
    pub service: String,
    pub postcodes_json: String,
    pub message_sv: String,
    pub message_en: String,
    pub starts_at: Timestamp,
    pub expected_end: Option<Timestamp>,
    pub created_by: String,
    pub created_at: Timestamp,
    pub ended_at: Option<Timestamp>,
}

fn timestamp(row: &AnyRow, column: &str) -> Result<Option<Timestamp>, StoreError> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|t| Timestamp::parse(&t).map_err(|e| StoreError::Corrupt(format!("{column}: {e}"))))
        .transpose()
}

fn required(row: &AnyRow, column: &str) -> Result<Timestamp, StoreError> {
    timestamp(row, column)?.ok_or_else(|| StoreError::Corrupt(format!("{column} is empty")))
}

fn outage_from_row(row: &AnyRow) -> Result<OutageRow, StoreError> {
    Ok(OutageRow {
        id: row.try_get("id")?,
        service: row.try_get("service")?,
        postcodes_json: row.try_get("postcodes")?,
        message_sv: row.try_get("message_sv")?,
        message_en: row.try_get("message_en")?,
        starts_at: required(row, "starts_at")?,
        expected_end: timestamp(row, "expected_end")?,
        created_by: row.try_get("created_by")?,
        created_at: required(row, "created_at")?,
        ended_at: timestamp(row, "ended_at")?,
    })
}

const COLUMNS: &str = "id, service, postcodes, message_sv, message_en, starts_at, expected_end, \
                       created_by, created_at, ended_at";

impl Store {
    pub async fn create_outage(&self, outage: &OutageRow) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO outage_notices ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        );
        sqlx::query(&sql)
            .bind(&outage.id)
            .bind(&outage.service)
            .bind(&outage.postcodes_json)
            .bind(&outage.message_sv)
            .bind(&outage.message_en)
            .bind(outage.starts_at.to_string())
            .bind(outage.expected_end.map(|t| t.to_string()))
            .bind(&outage.created_by)
            .bind(outage.created_at.to_string())
            .bind(outage.ended_at.map(|t| t.to_string()))
            .persistent(false)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Notices not ended yet, oldest first (including ones that start later).
    pub async fn open_outages(&self) -> Result<Vec<OutageRow>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM outage_notices WHERE ended_at IS NULL \
             ORDER BY starts_at, id"
        );
        let rows = sqlx::query(&sql).fetch_all(&self.reader).await?;
        rows.iter().map(outage_from_row).collect()
    }

    /// Ends a notice; `false` if there was no open notice with this id.
    pub async fn end_outage(&self, id: &str, now: Timestamp) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE outage_notices SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL",
        )
        .bind(id)
        .bind(now.to_string())
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
