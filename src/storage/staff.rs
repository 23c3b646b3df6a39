//! SQL for staff tokens: agents, editors and admins.

use sqlx::Row;

use super::{Store, StoreError};
use crate::timestamp::Timestamp;

/// A staff member's token as stored (only its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRow {
    pub id: String,
    pub name: String,
    pub role: String,
}

impl Store {
    pub async fn create_staff_token(
        &self,
        id: &str,
        name: &str,
        role: &str,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO staff_tokens (id, name, role, token_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(name)
        .bind(role)
        .bind(token_hash)
        .bind(now.to_string())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// The staff member holding the token with this hash, unless it was revoked.
    pub async fn staff_by_token_hash(&self, hash: &str) -> Result<Option<StaffRow>, StoreError> {
        let row = sqlx::query(
            "SELECT id, name, role FROM staff_tokens \
             WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(hash)
        .fetch_optional(&self.reader)
        .await?;
        row.map(|row| {
            Ok(StaffRow {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                role: row.try_get("role")?,
            })
        })
        .transpose()
    }
}
