//! Written requests to leave, cancellations and withdrawals (ångerrätt): checked, stored with
//! a receipt and a handoff in one transaction.

use rand::Rng;
use uuid::Uuid;

use super::service::{new_message, parse_state, stored};
use super::{ConversationError, Conversations, Message, Role};
use crate::auth::SecretToken;
use crate::domain::{
    iso_date, CancellationForm, HandoffReason, Locale, Queue, RequestKind, WithdrawalForm,
};
use crate::storage::{CancellationRow, NewMail, StoreError};
use crate::timestamp::Timestamp;

/// What the customer gets back: the proof of what they sent.
#[derive(Debug, Clone)]
pub struct CancellationReceipt {
    pub reference: String,
    pub received_at: Timestamp,
    pub receipt: String,
    /// False when the same request had been sent before: nothing new was stored.
    pub created: bool,
    /// The receipt as a chat message, when it was just created.
    pub message: Option<Message>,
    /// For a withdrawal, `YYYY-MM-DD`: the last day of the withdrawal period.
    pub last_day: Option<String>,
}

/// What the customer sends in writing to leave.
#[derive(Debug, Clone, Copy)]
pub enum WrittenRequest<'a> {
    Cancellation(&'a CancellationForm),
    Withdrawal(&'a WithdrawalForm),
}

impl<'a> WrittenRequest<'a> {
    fn kind(self) -> RequestKind {
        match self {
            Self::Cancellation(_) => RequestKind::Cancellation,
            Self::Withdrawal(_) => RequestKind::Withdrawal,
        }
    }

    /// Readable at a glance which it is: SU for uppsägning, ÅN for ångerrätt.
    fn reference_prefix(self) -> &'static str {
        match self {
            Self::Cancellation(_) => "SU",
            Self::Withdrawal(_) => "ÅN",
        }
    }

    fn fingerprint(self) -> String {
        match self {
            Self::Cancellation(form) => form.fingerprint(),
            Self::Withdrawal(form) => form.fingerprint(),
        }
    }

    /// What is being left, in the customer's words.
    fn subject(self) -> &'a str {
        match self {
            Self::Cancellation(form) => &form.service,
            Self::Withdrawal(form) => &form.contract,
        }
    }

    fn email(self) -> Option<&'a crate::domain::Email> {
        match self {
            Self::Cancellation(form) => form.email.as_ref(),
            Self::Withdrawal(form) => form.email.as_ref(),
        }
    }

    fn last_day(self) -> Option<String> {
        match self {
            Self::Cancellation(_) => None,
            Self::Withdrawal(form) => Some(iso_date(form.last_day())),
        }
    }
}

impl From<CancellationRow> for CancellationReceipt {
    fn from(row: CancellationRow) -> Self {
        Self {
            reference: row.reference,
            received_at: row.received_at,
            receipt: row.receipt,
            created: false,
            message: None,
            last_day: row
                .contract_date
                .as_deref()
                .and_then(crate::domain::last_withdrawal_day_of),
        }
    }
}

/// A reference people can read out and type: "SU-261201-7K4Q9M". Crockford's alphabet has no
/// I, L, O or U, so nothing is mistaken for a digit.
fn new_reference(prefix: &str, now: Timestamp) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let t = now.as_offset_date_time();
    let mut rng = rand::thread_rng();
    let code: String = (0..6)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect();
    format!(
        "{prefix}-{:02}{:02}{:02}-{code}",
        t.year() % 100,
        u8::from(t.month()),
        t.day()
    )
}

/// Different subscriptions one conversation may have open cancellations for at once: a
/// household's broadband, TV, landline and a few mobiles.
pub const MAX_OPEN_CANCELLATIONS: usize = 8;

/// Receipt copies one e-mail address gets at most within [`MAIL_WINDOW`]: enough for a
/// household's cancellations, too few to use the form to flood someone's inbox.
const MAX_MAILS_PER_RECIPIENT: i64 = 3;
const MAIL_WINDOW: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// A subscription as customers name it, without case, punctuation or spacing differences:
/// "Bredband 250/100" and "bredband 250 / 100" are the same one.
fn same_subscription_key(service: &str) -> String {
    service
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The row for a request, before its receipt is written.
fn request_row(
    request: WrittenRequest<'_>,
    conversation_id: &str,
    reference: &str,
    fingerprint: String,
    locale: Locale,
    now: Timestamp,
) -> PendingRow {
    let (full_name, customer_number, email, comment) = match request {
        WrittenRequest::Cancellation(f) => (&f.full_name, &f.customer_number, &f.email, &f.comment),
        WrittenRequest::Withdrawal(f) => (&f.full_name, &f.customer_number, &f.email, &f.comment),
    };
    let (end_date, contract_date, on_behalf) = match request {
        WrittenRequest::Cancellation(f) => (f.end_date_text(), None, f.on_behalf.as_ref()),
        WrittenRequest::Withdrawal(f) => (None, Some(iso_date(f.contract_date)), None),
    };
    PendingRow(CancellationRow {
        id: Uuid::now_v7().to_string(),
        conversation_id: conversation_id.to_owned(),
        kind: request.kind(),
        reference: reference.to_owned(),
        fingerprint,
        service: request.subject().to_owned(),
        full_name: full_name.as_str().to_owned(),
        customer_number: customer_number.as_ref().map(|n| n.as_str().to_owned()),
        email: email.as_ref().map(|e| e.as_str().to_owned()),
        end_date,
        comment: comment.clone(),
        locale: locale.as_str().to_owned(),
        receipt: String::new(),
        handoff_id: String::new(),
        received_at: now,
        contract_date,
        holder_name: on_behalf.map(|o| o.holder_name.as_str().to_owned()),
        relation: on_behalf.map(|o| o.relation.as_str().to_owned()),
        service_ends_on: None,
        last_invoice_on: None,
    })
}

/// A request's row that still lacks its receipt and handoff.
struct PendingRow(CancellationRow);

impl PendingRow {
    fn with_receipt(self, receipt: String, handoff_id: String) -> CancellationRow {
        CancellationRow {
            receipt,
            handoff_id,
            ..self.0
        }
    }
}

impl Conversations {
    /// Checks the token before anything else, so that a wrong token gets 404 whatever the form
    /// holds, and nobody learns about a conversation that is not theirs.
    pub async fn ensure_owner(
        &self,
        id: &str,
        token: &SecretToken,
    ) -> Result<(), ConversationError> {
        self.owned_conversation(id, token).await.map(drop)
    }

    /// The text the customer confirms before sending (the first of two steps). Stores nothing.
    pub async fn review_request(
        &self,
        id: &str,
        token: &SecretToken,
        request: WrittenRequest<'_>,
    ) -> Result<String, ConversationError> {
        let record = self.owned_conversation(id, token).await?;
        let locale = record.locale;
        let replies = self.engine.replies();
        Ok(match request {
            WrittenRequest::Cancellation(form) => replies.cancellation_review(locale, form),
            WrittenRequest::Withdrawal(form) => replies.withdrawal_review(locale, form),
        })
    }

    /// Stores a written cancellation or withdrawal with its receipt message and a handoff to
    /// the cancellation queue, all or nothing. The same form sent again returns the first
    /// receipt.
    #[tracing::instrument(skip_all, fields(conversation_id = %id, kind = request.kind().as_str()))]
    pub async fn submit_request(
        &self,
        id: &str,
        token: &SecretToken,
        request: WrittenRequest<'_>,
    ) -> Result<CancellationReceipt, ConversationError> {
        let mut turn = self.owned_turn(id, token).await?;
        let fingerprint = request.fingerprint();
        if let Some(earlier) = turn.cancellation_by_fingerprint(&fingerprint).await? {
            return Ok(earlier.into());
        }
        // One open cancellation per subscription: a second form for the same one (reworded,
        // or sent a thousand times by a script) gets the first receipt, so the queue holds
        // each customer's wish once and a real cancellation is never buried under copies.
        let open = turn.open_cancellations().await?;
        let subscription = same_subscription_key(request.subject());
        if let Some(earlier) = open
            .iter()
            .find(|c| c.kind == request.kind() && same_subscription_key(&c.service) == subscription)
        {
            return Ok(earlier.clone().into());
        }
        if open.len() >= MAX_OPEN_CANCELLATIONS {
            return Err(ConversationError::TooManyCancellations {
                max: MAX_OPEN_CANCELLATIONS,
            });
        }
        if turn.conversation.last_seq >= self.max_messages {
            return Err(ConversationError::Full {
                max_messages: self.max_messages,
            });
        }
        let locale: Locale = turn.conversation.locale;
        let mut state = parse_state(&turn.conversation)?;
        let now = Timestamp::now();
        let reference = new_reference(request.reference_prefix(), now);
        let received = now.to_receipt_phrase(locale);
        let replies = self.engine.replies();
        let receipt = match request {
            WrittenRequest::Cancellation(form) => {
                replies.cancellation_receipt(locale, &reference, &received, form)
            }
            WrittenRequest::Withdrawal(form) => {
                replies.withdrawal_receipt(locale, &reference, &received, form)
            }
        };
        let handoff_id = Uuid::now_v7().to_string();
        let row = request_row(request, id, &reference, fingerprint, locale, now)
            .with_receipt(receipt.clone(), handoff_id.clone());
        turn.insert_cancellation(&row).await?;
        // The receipt is part of the conversation, so it is in every transcript download.
        let message = new_message(Role::System, receipt.clone(), None, now);
        state.cancellation_requested = true;
        state.walk = None;
        state.pending = None;
        let state_json =
            serde_json::to_string(&state).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let status = turn.conversation.status;
        let seqs = turn
            .append(std::slice::from_ref(&message), status, &state_json, now)
            .await?;
        turn.open_handoff(
            &handoff_id,
            Queue::Cancellation,
            HandoffReason::for_request(request.kind()),
            now,
        )
        .await?;
        let mail_allowed = match (&self.mail, request.email()) {
            (Some(_), Some(email)) => {
                turn.mails_to_since(email.as_str(), now.minus(MAIL_WINDOW))
                    .await?
                    < MAX_MAILS_PER_RECIPIENT
            }
            _ => false,
        };
        let mail = match (mail_allowed, request.email()) {
            (true, Some(email)) => {
                let (purpose, subject, body) = match request {
                    WrittenRequest::Cancellation(_) => (
                        "cancellation_receipt",
                        replies.cancellation_mail_subject(locale, &reference),
                        replies.cancellation_mail_body(locale, &reference, &received),
                    ),
                    WrittenRequest::Withdrawal(_) => (
                        "withdrawal_receipt",
                        replies.withdrawal_mail_subject(locale, &reference),
                        replies.withdrawal_mail_body(locale, &reference, &received),
                    ),
                };
                Some(NewMail {
                    id: Uuid::now_v7().to_string(),
                    conversation_id: id.to_owned(),
                    purpose,
                    recipient: email.as_str().to_owned(),
                    subject,
                    body,
                    created_at: now,
                })
            }
            _ => None,
        };
        if let Some(mail) = &mail {
            turn.queue_mail(mail).await?;
        }
        turn.commit().await?;
        if let (Some(wake), Some(_)) = (&self.mail, &mail) {
            wake.notify_one();
        }
        metrics::counter!("felsok_cancellations_received_total", "kind" => request.kind().as_str())
            .increment(1);
        metrics::counter!("felsok_handoffs_opened_total", "queue" => "cancellation").increment(1);
        tracing::info!(%reference, kind = request.kind().as_str(), "written request received");
        Ok(CancellationReceipt {
            reference,
            received_at: now,
            receipt,
            created: true,
            message: Some(stored(message, seqs[0])?),
            last_day: request.last_day(),
        })
    }

    /// A receipt on its own, for its conversation's owner.
    pub async fn cancellation_receipt(
        &self,
        id: &str,
        token: &SecretToken,
        reference: &str,
    ) -> Result<CancellationReceipt, ConversationError> {
        self.owned_conversation(id, token).await?;
        self.store
            .cancellation(id, reference)
            .await?
            .map(Into::into)
            .ok_or(ConversationError::CancellationNotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subscription_named_differently_is_the_same_one() {
        assert_eq!(
            same_subscription_key("Bredband 250/100"),
            same_subscription_key("bredband 250 / 100 ")
        );
        assert_ne!(
            same_subscription_key("Mobil 070-1234567"),
            same_subscription_key("Mobil 070-7654321")
        );
    }

    #[test]
    fn references_are_short_readable_and_dated() {
        let now = Timestamp::parse("2026-12-01T10:00:00Z").unwrap();
        let a = new_reference("SU", now);
        assert!(a.starts_with("SU-261201-"), "{a}");
        assert_eq!(a.len(), "SU-261201-7K4Q9M".len());
        assert!(!a[10..].contains(['I', 'L', 'O', 'U']));
        assert_ne!(a, new_reference("SU", now));
        assert!(new_reference("ÅN", now).starts_with("ÅN-261201-"));
    }
}
