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

/// A token as `felsok token list` shows it: who, what role, and whether it still works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffListing {
    pub id: String,
    pub name: String,
    pub role: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

impl Store {
    /// Every staff token ever made, oldest first; revoked ones stay listed.
    pub async fn staff_tokens(&self) -> Result<Vec<StaffListing>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, role, created_at, revoked_at FROM staff_tokens \
             ORDER BY created_at, id",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StaffListing {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    role: row.try_get("role")?,
                    created_at: row.try_get("created_at")?,
                    revoked_at: row.try_get("revoked_at")?,
                })
            })
            .collect()
    }

    /// Revokes a token at once; false when there is no such token or it was revoked before.
    pub async fn revoke_staff_token(&self, id: &str, now: Timestamp) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE staff_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(now.to_string())
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

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
