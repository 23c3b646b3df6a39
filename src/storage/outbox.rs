//! SQL for the mail outbox: e-mail written with the change it reports, delivered afterwards.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::{Store, StoreError, TurnTx};
use crate::timestamp::Timestamp;

/// Where a mail is on its way out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailStatus {
    Pending,
    Sent,
    /// Gave up after the last retry; kept so that staff can see it and act.
    Failed,
}

impl MailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pending" => Some(Self::Pending),
            "sent" => Some(Self::Sent),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// A mail to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    pub id: String,
    pub conversation_id: String,
    /// What the mail is, e.g. `cancellation_receipt`.
    pub purpose: &'static str,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: Timestamp,
}

/// A mail in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMail {
    pub id: String,
    pub conversation_id: String,
    pub purpose: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub status: MailStatus,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
    pub sent_at: Option<Timestamp>,
}

const COLUMNS: &str = "id, conversation_id, purpose, recipient, subject, body, status, attempts, \
                       next_attempt_at, last_error, sent_at";

fn time(row: &AnyRow, column: &str) -> Result<Timestamp, StoreError> {
    let raw: String = row.try_get(column)?;
    Timestamp::parse(&raw).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}

fn from_row(row: &AnyRow) -> Result<OutboxMail, StoreError> {
    let status: String = row.try_get("status")?;
    let sent_at: Option<String> = row.try_get("sent_at")?;
    Ok(OutboxMail {
        id: row.try_get("id")?,
        conversation_id: row.try_get("conversation_id")?,
        purpose: row.try_get("purpose")?,
        recipient: row.try_get("recipient")?,
        subject: row.try_get("subject")?,
        body: row.try_get("body")?,
        status: MailStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("mail status {status:?}")))?,
        attempts: row.try_get("attempts")?,
        next_attempt_at: time(row, "next_attempt_at")?,
        last_error: row.try_get("last_error")?,
        sent_at: sent_at
            .map(|t| Timestamp::parse(&t))
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("sent_at: {e}")))?,
    })
}

impl TurnTx {
    /// Queues a mail in this turn's transaction: it exists exactly when the turn does.
    /// How many mails were queued to `recipient` since `since`, from any conversation.
    pub async fn mails_to_since(
        &mut self,
        recipient: &str,
        since: Timestamp,
    ) -> Result<i64, StoreError> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM mail_outbox WHERE lower(recipient) = lower($1) \
             AND created_at >= $2",
        )
        .bind(recipient)
        .bind(since.to_string())
        .persistent(false)
        .fetch_one(self.executor())
        .await?;
        Ok(count)
    }

    pub async fn queue_mail(&mut self, mail: &NewMail) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO mail_outbox (id, conversation_id, purpose, recipient, subject, body, \
             status, attempts, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7)",
        )
        .bind(&mail.id)
        .bind(&mail.conversation_id)
        .bind(mail.purpose)
        .bind(&mail.recipient)
        .bind(&mail.subject)
        .bind(&mail.body)
        .bind(mail.created_at.to_string())
        .persistent(false)
        .execute(self.executor())
        .await?;
        Ok(())
    }
}

impl Store {
    /// Pending mail whose time has come, oldest first.
    pub async fn due_mail(
        &self,
        now: Timestamp,
        limit: i64,
    ) -> Result<Vec<OutboxMail>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM mail_outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(now.to_string())
            .bind(limit)
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Takes a mail for one delivery attempt until `lease_until`. Of several replicas that
    /// see the same mail, exactly one gets `true`: the update only matches the time it read.
    pub async fn claim_mail(
        &self,
        mail: &OutboxMail,
        lease_until: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE mail_outbox SET next_attempt_at = $1, attempts = attempts + 1 \
             WHERE id = $2 AND status = 'pending' AND next_attempt_at = $3",
        )
        .bind(lease_until.to_string())
        .bind(&mail.id)
        .bind(mail.next_attempt_at.to_string())
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn mail_sent(&self, id: &str, at: Timestamp) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE mail_outbox SET status = 'sent', sent_at = $1, last_error = NULL WHERE id = $2",
        )
        .bind(at.to_string())
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Records a failed attempt: retried at `retry_at`, or given up when that is `None`.
    pub async fn mail_failed(
        &self,
        id: &str,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        let (status, next) = match retry_at {
            Some(at) => (MailStatus::Pending, Some(at.to_string())),
            None => (MailStatus::Failed, None),
        };
        sqlx::query(
            "UPDATE mail_outbox SET status = $1, last_error = $2, \
             next_attempt_at = COALESCE($3, next_attempt_at) WHERE id = $4",
        )
        .bind(status.as_str())
        .bind(error)
        .bind(next)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Every mail about one conversation, oldest first.
    pub async fn mail_of(&self, conversation_id: &str) -> Result<Vec<OutboxMail>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM mail_outbox WHERE conversation_id = $1 ORDER BY created_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(conversation_id)
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(from_row).collect()
    }
}
