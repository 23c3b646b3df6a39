//! Written cancellations: checked, stored with a receipt and a handoff in one transaction.

use rand::Rng;
use uuid::Uuid;

use super::service::{new_message, parse_locale, parse_state, stored};
use super::{ConversationError, Conversations, Message, Role};
use crate::auth::SecretToken;
use crate::dialogue::Queue;
use crate::domain::{CancellationForm, Locale};
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
}

impl From<CancellationRow> for CancellationReceipt {
    fn from(row: CancellationRow) -> Self {
        Self {
            reference: row.reference,
            received_at: row.received_at,
            receipt: row.receipt,
            created: false,
            message: None,
        }
    }
}

/// A reference people can read out and type: "SU-261201-7K4Q9M". Crockford's alphabet has no
/// I, L, O or U, so nothing is mistaken for a digit.
fn new_reference(now: Timestamp) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let t = now.as_offset_date_time();
    let mut rng = rand::thread_rng();
    let code: String = (0..6)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect();
    format!(
        "SU-{:02}{:02}{:02}-{code}",
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
    pub async fn review_cancellation(
        &self,
        id: &str,
        token: &SecretToken,
        form: &CancellationForm,
    ) -> Result<String, ConversationError> {
        let record = self.owned_conversation(id, token).await?;
        let locale = parse_locale(&record)?;
        Ok(self.engine.replies().cancellation_review(locale, form))
    }

    /// Stores a written cancellation with its receipt message and a handoff to the
    /// cancellation queue, all or nothing. The same form sent again returns the first receipt.
    #[tracing::instrument(skip_all, fields(conversation_id = %id))]
    pub async fn submit_cancellation(
        &self,
        id: &str,
        token: &SecretToken,
        form: &CancellationForm,
    ) -> Result<CancellationReceipt, ConversationError> {
        let mut turn = self.owned_turn(id, token).await?;
        let fingerprint = form.fingerprint();
        if let Some(earlier) = turn.cancellation_by_fingerprint(&fingerprint).await? {
            return Ok(earlier.into());
        }
        // One open cancellation per subscription: a second form for the same one (reworded,
        // or sent a thousand times by a script) gets the first receipt, so the queue holds
        // each customer's wish once and a real cancellation is never buried under copies.
        let open = turn.open_cancellations().await?;
        let subscription = same_subscription_key(&form.service);
        if let Some(earlier) = open
            .iter()
            .find(|c| same_subscription_key(&c.service) == subscription)
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
        let locale: Locale = parse_locale(&turn.conversation)?;
        let mut state = parse_state(&turn.conversation)?;
        let now = Timestamp::now();
        let reference = new_reference(now);
        let receipt = self.engine.replies().cancellation_receipt(
            locale,
            &reference,
            &now.to_receipt_phrase(locale),
            form,
        );
        let handoff_id = Uuid::now_v7().to_string();
        let row = CancellationRow {
            id: Uuid::now_v7().to_string(),
            conversation_id: id.to_owned(),
            reference: reference.clone(),
            fingerprint,
            service: form.service.clone(),
            full_name: form.full_name.as_str().to_owned(),
            customer_number: form.customer_number.as_ref().map(|n| n.as_str().to_owned()),
            email: form.email.as_ref().map(|e| e.as_str().to_owned()),
            end_date: form.end_date_text(),
            comment: form.comment.clone(),
            locale: locale.as_str().to_owned(),
            receipt: receipt.clone(),
            handoff_id: handoff_id.clone(),
            received_at: now,
        };
        turn.insert_cancellation(&row).await?;
        // The receipt is part of the conversation, so it is in every transcript download.
        let message = new_message(Role::System, receipt.clone(), None, now);
        state.cancellation_requested = true;
        state.walk = None;
        state.pending = None;
        let state_json =
            serde_json::to_string(&state).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let status = turn.conversation.status.clone();
        let seqs = turn
            .append(std::slice::from_ref(&message), &status, &state_json, now)
            .await?;
        turn.open_handoff(
            &handoff_id,
            Queue::Cancellation.as_str(),
            "written_cancellation",
            now,
        )
        .await?;
        let mail_allowed = match (&self.mail, &form.email) {
            (Some(_), Some(email)) => {
                turn.mails_to_since(email.as_str(), now.minus(MAIL_WINDOW))
                    .await?
                    < MAX_MAILS_PER_RECIPIENT
            }
            _ => false,
        };
        let mail = match (mail_allowed, &form.email) {
            (true, Some(email)) => Some(NewMail {
                id: Uuid::now_v7().to_string(),
                conversation_id: id.to_owned(),
                purpose: "cancellation_receipt",
                recipient: email.as_str().to_owned(),
                subject: self
                    .engine
                    .replies()
                    .cancellation_mail_subject(locale, &reference),
                body: self.engine.replies().cancellation_mail_body(
                    locale,
                    &reference,
                    &now.to_receipt_phrase(locale),
                ),
                created_at: now,
            }),
            _ => None,
        };
        if let Some(mail) = &mail {
            turn.queue_mail(mail).await?;
        }
        turn.commit().await?;
        if let (Some(wake), Some(_)) = (&self.mail, &mail) {
            wake.notify_one();
        }
        metrics::counter!("felsok_cancellations_received_total").increment(1);
        metrics::counter!("felsok_handoffs_opened_total", "queue" => "cancellation").increment(1);
        tracing::info!(%reference, "written cancellation received");
        Ok(CancellationReceipt {
            reference,
            received_at: now,
            receipt,
            created: true,
            message: Some(stored(message, seqs[0])?),
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
        let a = new_reference(now);
        assert!(a.starts_with("SU-261201-"), "{a}");
        assert_eq!(a.len(), "SU-261201-7K4Q9M".len());
        assert!(!a[10..].contains(['I', 'L', 'O', 'U']));
        assert_ne!(a, new_reference(now));
    }
}
