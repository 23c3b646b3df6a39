//! SQL for written requests to leave: cancellations and withdrawals (ångerrätt).

use sqlx::any::AnyRow;
use sqlx::Row;

use super::decode::{decode, decode_optional};
use super::{Store, StoreError, TurnTx};
use crate::domain::{HandoffOutcome, HandoffStatus, RequestKind};
use crate::timestamp::Timestamp;

/// A written cancellation or withdrawal as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancellationRow {
    pub id: String,
    pub conversation_id: String,
    pub kind: RequestKind,
    pub reference: String,
    pub fingerprint: String,
    pub service: String,
    pub full_name: String,
    pub customer_number: Option<String>,
    pub email: Option<String>,
    pub end_date: Option<String>,
    pub comment: Option<String>,
    pub locale: String,
    pub receipt: String,
    pub handoff_id: String,
    pub received_at: Timestamp,
    /// `YYYY-MM-DD`, for a withdrawal: the day the contract was made.
    pub contract_date: Option<String>,
    /// For a cancellation sent for someone else: whose subscription it is, and why the
    /// writer may act for them (`estate`, `guardian`, `power_of_attorney`).
    pub holder_name: Option<String>,
    pub relation: Option<String>,
    /// `YYYY-MM-DD`, entered by the agent who confirmed it.
    pub service_ends_on: Option<String>,
    pub last_invoice_on: Option<String>,
}

/// A written request with what has become of it, for telling the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestWithStatus {
    pub request: CancellationRow,
    pub status: HandoffStatus,
    pub outcome: Option<HandoffOutcome>,
    pub note: Option<String>,
}

const COLUMNS: &str = "id, conversation_id, kind, reference, fingerprint, service, full_name, \
                       customer_number, email, end_date, comment, locale, receipt, handoff_id, \
                       received_at, contract_date, holder_name, relation, service_ends_on, \
                       last_invoice_on";

/// [`COLUMNS`] of the table aliased `c`, for joins.
fn prefixed_columns() -> String {
    COLUMNS
        .split(',')
        .map(|c| format!("c.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn from_row(row: &AnyRow) -> Result<CancellationRow, StoreError> {
    let received: String = row.try_get("received_at")?;
    Ok(CancellationRow {
        id: row.try_get("id")?,
        conversation_id: row.try_get("conversation_id")?,
        kind: RequestKind::from_stored(&row.try_get::<String, _>("kind")?),
        reference: row.try_get("reference")?,
        fingerprint: row.try_get("fingerprint")?,
        service: row.try_get("service")?,
        full_name: row.try_get("full_name")?,
        customer_number: row.try_get("customer_number")?,
        email: row.try_get("email")?,
        end_date: row.try_get("end_date")?,
        comment: row.try_get("comment")?,
        locale: row.try_get("locale")?,
        receipt: row.try_get("receipt")?,
        handoff_id: row.try_get("handoff_id")?,
        received_at: Timestamp::parse(&received)
            .map_err(|e| StoreError::Corrupt(format!("received_at: {e}")))?,
        contract_date: row.try_get("contract_date")?,
        holder_name: row.try_get("holder_name")?,
        relation: row.try_get("relation")?,
        service_ends_on: row.try_get("service_ends_on")?,
        last_invoice_on: row.try_get("last_invoice_on")?,
    })
}

fn with_status(row: &AnyRow) -> Result<RequestWithStatus, StoreError> {
    Ok(RequestWithStatus {
        request: from_row(row)?,
        status: decode(row, "handoff_status", HandoffStatus::parse)?,
        outcome: decode_optional(row, "handoff_outcome", HandoffOutcome::parse)?,
        note: row.try_get("handoff_note")?,
    })
}

impl TurnTx {
    /// The cancellation this conversation already sent with the same content, if any.
    pub async fn cancellation_by_fingerprint(
        &mut self,
        fingerprint: &str,
    ) -> Result<Option<CancellationRow>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM cancellation_requests \
             WHERE conversation_id = $1 AND fingerprint = $2"
        );
        let conversation_id = self.conversation.id.clone();
        let row = sqlx::query(&sql)
            .bind(conversation_id)
            .bind(fingerprint)
            .fetch_optional(self.executor())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// This conversation's cancellations that no agent has resolved yet.
    pub async fn open_cancellations(&mut self) -> Result<Vec<CancellationRow>, StoreError> {
        let columns = prefixed_columns();
        let sql = format!(
            "SELECT {columns} FROM cancellation_requests c \
             JOIN handoffs h ON h.id = c.handoff_id \
             WHERE c.conversation_id = $1 AND h.status <> 'resolved' \
             ORDER BY c.received_at, c.id"
        );
        let conversation_id = self.conversation.id.clone();
        let rows = sqlx::query(&sql)
            .bind(conversation_id)
            .persistent(false)
            .fetch_all(self.executor())
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn insert_cancellation(&mut self, c: &CancellationRow) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO cancellation_requests ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
             $17, $18, $19, $20)"
        );
        sqlx::query(&sql)
            .bind(&c.id)
            .bind(&c.conversation_id)
            .bind(c.kind.as_str())
            .bind(&c.reference)
            .bind(&c.fingerprint)
            .bind(&c.service)
            .bind(&c.full_name)
            .bind(&c.customer_number)
            .bind(&c.email)
            .bind(&c.end_date)
            .bind(&c.comment)
            .bind(&c.locale)
            .bind(&c.receipt)
            .bind(&c.handoff_id)
            .bind(c.received_at.to_string())
            .bind(&c.contract_date)
            .bind(&c.holder_name)
            .bind(&c.relation)
            .bind(&c.service_ends_on)
            .bind(&c.last_invoice_on)
            .persistent(false)
            .execute(self.executor())
            .await?;
        Ok(())
    }

    /// Records when a confirmed request ends the service and when the last invoice comes,
    /// in the same transaction as the agent's resolution.
    pub async fn set_request_end(
        &mut self,
        handoff_id: &str,
        service_ends_on: &str,
        last_invoice_on: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE cancellation_requests SET service_ends_on = $1, last_invoice_on = $2 \
             WHERE handoff_id = $3",
        )
        .bind(service_ends_on)
        .bind(last_invoice_on)
        .bind(handoff_id)
        .persistent(false)
        .execute(self.executor())
        .await?;
        Ok(())
    }
}

/// The handoff's columns that say what became of a request.
const STATUS_JOIN: &str = "h.status AS handoff_status, h.outcome AS handoff_outcome, \
                           h.note AS handoff_note FROM cancellation_requests c \
                           JOIN handoffs h ON h.id = c.handoff_id";

impl Store {
    /// A conversation's written requests, and those named by `references` wherever they were
    /// sent, each with what has become of it: what a customer asking "has it arrived?" is
    /// told about.
    pub async fn requests_with_status(
        &self,
        conversation_id: &str,
        references: &[String],
    ) -> Result<Vec<RequestWithStatus>, StoreError> {
        let mut sql = format!(
            "SELECT {}, {STATUS_JOIN} WHERE c.conversation_id = $1",
            prefixed_columns()
        );
        for i in 0..references.len() {
            sql.push_str(&format!(" OR c.reference = ${}", i + 2));
        }
        sql.push_str(" ORDER BY c.received_at, c.id");
        let mut query = sqlx::query(&sql).persistent(false).bind(conversation_id);
        for reference in references {
            query = query.bind(reference);
        }
        let rows = query.fetch_all(&self.reader).await?;
        rows.iter().map(with_status).collect()
    }

    pub async fn cancellation(
        &self,
        conversation_id: &str,
        reference: &str,
    ) -> Result<Option<CancellationRow>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM cancellation_requests \
             WHERE conversation_id = $1 AND reference = $2"
        );
        let row = sqlx::query(&sql)
            .bind(conversation_id)
            .bind(reference)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// The written cancellation an agent's handoff is about, if it is one.
    pub async fn cancellation_for_handoff(
        &self,
        handoff_id: &str,
    ) -> Result<Option<CancellationRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM cancellation_requests WHERE handoff_id = $1");
        let row = sqlx::query(&sql)
            .bind(handoff_id)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    pub async fn cancellations_of(
        &self,
        conversation_id: &str,
    ) -> Result<Vec<CancellationRow>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM cancellation_requests WHERE conversation_id = $1 \
             ORDER BY received_at"
        );
        let rows = sqlx::query(&sql)
            .bind(conversation_id)
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// The cancellations sent from several conversations, for listings.
    pub async fn cancellations_of_many(
        &self,
        conversation_ids: &[&str],
    ) -> Result<Vec<CancellationRow>, StoreError> {
        if conversation_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM cancellation_requests WHERE conversation_id IN ({}) \
             ORDER BY received_at",
            super::conversations::placeholders(conversation_ids.len())
        );
        let mut query = sqlx::query(&sql).persistent(false);
        for id in conversation_ids {
            query = query.bind(*id);
        }
        let rows = query.fetch_all(&self.reader).await?;
        rows.iter().map(from_row).collect()
    }
}
