//! Vocabulary values read back from their stored names.
//!
//! A name the code does not know is a corrupt row, reported as such, never quietly read as
//! some default: a handoff whose status cannot be read must not look "queued".

use sqlx::any::AnyRow;
use sqlx::Row;

use super::StoreError;
use crate::timestamp::Timestamp;

/// The value named in a `NOT NULL` text column.
pub(super) fn decode<T>(
    row: &AnyRow,
    column: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<T, StoreError> {
    let raw: String = row.try_get(column)?;
    parse(&raw).ok_or_else(|| StoreError::Corrupt(format!("{column} {raw:?}")))
}

/// The value named in a nullable text column, `None` when it is `NULL`.
pub(super) fn decode_optional<T>(
    row: &AnyRow,
    column: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<Option<T>, StoreError> {
    let raw: Option<String> = row.try_get(column)?;
    raw.map(|raw| parse(&raw).ok_or_else(|| StoreError::Corrupt(format!("{column} {raw:?}"))))
        .transpose()
}

/// The time in a `NOT NULL` text column.
pub(super) fn timestamp(row: &AnyRow, column: &str) -> Result<Timestamp, StoreError> {
    let text: String = row.try_get(column)?;
    Timestamp::parse(&text).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}
