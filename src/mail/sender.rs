//! Delivers the outbox: every replica runs a sender; a claim makes sure only one sends each
//! mail, and failures are retried with growing pauses before the mail is marked failed.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use super::Mailer;
use crate::storage::{OutboxMail, Store, StoreError};
use crate::timestamp::Timestamp;

/// How many times a mail is tried before it is marked failed.
pub const MAX_ATTEMPTS: i64 = 8;
/// How long a claimed mail is left to one sender before another may retry it.
const LEASE: Duration = Duration::from_secs(120);
/// How often the outbox is looked at when nothing wakes the sender.
const POLL: Duration = Duration::from_secs(5);

/// The pause after the `attempt`-th failure: 30 s, 1 min, 2 min, … at most an hour.
pub fn backoff(attempt: i64) -> Duration {
    let exponent = u32::try_from(attempt.saturating_sub(1).clamp(0, 7)).unwrap_or(7);
    Duration::from_secs(30 * 2_u64.pow(exponent)).min(Duration::from_secs(3600))
}

/// Sends what is due now; returns how many mails were sent.
pub async fn deliver_due(store: &Store, mailer: &Mailer) -> Result<usize, StoreError> {
    let now = Timestamp::now();
    let mut sent = 0;
    for mail in store.due_mail(now, 20).await? {
        if !store.claim_mail(&mail, now.plus(LEASE)).await? {
            continue; // another replica has it
        }
        if deliver(store, mailer, &mail).await? {
            sent += 1;
        }
    }
    Ok(sent)
}

async fn deliver(store: &Store, mailer: &Mailer, mail: &OutboxMail) -> Result<bool, StoreError> {
    let attempt = mail.attempts + 1;
    match mailer
        .send(&mail.recipient, &mail.subject, &mail.body)
        .await
    {
        Ok(()) => {
            store.mail_sent(&mail.id, Timestamp::now()).await?;
            metrics::counter!("felsok_mail_sent_total", "purpose" => mail.purpose.clone())
                .increment(1);
            tracing::info!(mail_id = %mail.id, purpose = %mail.purpose, "mail sent");
            Ok(true)
        }
        Err(e) => {
            let retry_at =
                (attempt < MAX_ATTEMPTS).then(|| Timestamp::now().plus(backoff(attempt)));
            store
                .mail_failed(&mail.id, &e.to_string(), retry_at)
                .await?;
            metrics::counter!("felsok_mail_failures_total").increment(1);
            // The address is personal data: the log names the mail, not the recipient.
            tracing::warn!(
                mail_id = %mail.id, attempt, gave_up = retry_at.is_none(), error = %e,
                "mail not sent"
            );
            Ok(false)
        }
    }
}

/// Runs until the task is aborted: delivers whenever woken and every few seconds.
pub async fn run(store: Store, mailer: Mailer, wake: Arc<Notify>) {
    tracing::info!(server = mailer.server(), "mail sender started");
    loop {
        if let Err(e) = deliver_due(&store, &mailer).await {
            tracing::warn!(error = %e, "could not read the mail outbox");
        }
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(POLL) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_secs(30));
        assert_eq!(backoff(2), Duration::from_secs(60));
        assert_eq!(backoff(4), Duration::from_secs(240));
        assert_eq!(backoff(50), Duration::from_secs(3600));
    }
}
