//! Delivers handoff events to a help desk's webhook: JSON POSTs signed with HMAC-SHA256,
//! retried with growing pauses, every attempt recorded. Every replica runs a sender; a claim
//! makes sure each delivery is attempted by one at a time.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::storage::{Store, StoreError, WebhookAttempt, WebhookDelivery};
use crate::timestamp::Timestamp;

/// How many times an event is tried before it is marked failed.
pub const MAX_ATTEMPTS: i64 = 10;
/// How long the desk has to answer one attempt.
const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a claimed delivery is left to one sender before another may retry it.
const LEASE: Duration = Duration::from_secs(60);
/// How often due deliveries are looked for when no change wakes the sender.
const POLL: Duration = Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("FELSOK_WEBHOOK_URL needs FELSOK_WEBHOOK_SECRET (16 characters or more) to sign with")]
    NoSecret,
    #[error("FELSOK_WEBHOOK_URL must be an http:// or https:// URL")]
    BadUrl,
    #[error("could not set up the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
}

/// The header carrying the signature: `sha256=` and the hex HMAC of the exact body.
pub const SIGNATURE_HEADER: &str = "x-felsok-signature";

/// `sha256=<hex>` of the body under the secret; desks compute the same to check it.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// The pause after the `attempt`-th failure: 2 s, 4 s, 8 s, … at most an hour. Desks want
/// events soon, so this starts sooner than the mail outbox does.
pub fn backoff(attempt: i64) -> Duration {
    let exponent = u32::try_from(attempt.saturating_sub(1).clamp(0, 12)).unwrap_or(12);
    Duration::from_secs(2 * 2_u64.pow(exponent)).min(Duration::from_secs(3600))
}

#[derive(Debug, Clone)]
pub struct Webhook {
    url: String,
    secret: Vec<u8>,
    client: reqwest::Client,
}

impl Webhook {
    pub fn new(url: &str, secret: Option<&str>) -> Result<Self, WebhookError> {
        let secret = secret
            .filter(|s| s.chars().count() >= 16)
            .ok_or(WebhookError::NoSecret)?;
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(WebhookError::BadUrl);
        }
        Ok(Self {
            url: url.to_owned(),
            secret: secret.as_bytes().to_vec(),
            client: reqwest::Client::builder().timeout(TIMEOUT).build()?,
        })
    }

    /// One attempt: `Ok(status)` for a 2xx answer, otherwise what went wrong.
    async fn post(&self, delivery: &WebhookDelivery) -> Result<u16, (String, Option<u16>)> {
        let body = delivery.payload.as_bytes().to_vec();
        let response = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .header("x-felsok-event", &delivery.event)
            .header("x-felsok-delivery", &delivery.id)
            .header(SIGNATURE_HEADER, signature(&self.secret, &body))
            .body(body)
            .send()
            .await
            // Without the URL: its query may carry the desk's API key, and this text is
            // logged and kept in the delivery log.
            .map_err(|e| (format!("no answer: {}", e.without_url()), None))?;
        let status = response.status();
        if status.is_success() {
            Ok(status.as_u16())
        } else {
            Err((format!("answered {status}"), Some(status.as_u16())))
        }
    }
}

/// Attempts what is due now, oldest first; returns how many were delivered.
pub async fn deliver_due(store: &Store, webhook: &Webhook) -> Result<usize, StoreError> {
    let now = Timestamp::now();
    let mut delivered = 0;
    for delivery in store.pending_webhooks(50).await? {
        // An earlier event waiting for its retry (or being sent by another replica) holds
        // the later ones back: the desk sees events in the order they happened.
        if delivery.next_attempt_at > now
            || !store.claim_webhook(&delivery, now.plus(LEASE)).await?
        {
            break;
        }
        let attempt = delivery.attempts + 1;
        let result = webhook.post(&delivery).await;
        let now = Timestamp::now();
        match result {
            Ok(status) => {
                let outcome = WebhookAttempt {
                    error: None,
                    response_status: Some(i64::from(status)),
                    retry_at: None,
                };
                store.webhook_attempted(&delivery.id, outcome, now).await?;
                metrics::counter!("felsok_webhooks_delivered_total").increment(1);
                delivered += 1;
            }
            Err((error, status)) => {
                let retry_at = (attempt < MAX_ATTEMPTS).then(|| now.plus(backoff(attempt)));
                let outcome = WebhookAttempt {
                    error: Some(&error),
                    response_status: status.map(i64::from),
                    retry_at,
                };
                store.webhook_attempted(&delivery.id, outcome, now).await?;
                metrics::counter!("felsok_webhook_failures_total").increment(1);
                tracing::warn!(
                    delivery_id = %delivery.id, event = %delivery.event, attempt,
                    gave_up = retry_at.is_none(), %error, "webhook not delivered"
                );
                // Later events wait for this one, so the desk sees them in order.
                break;
            }
        }
    }
    Ok(delivered)
}

/// Runs until the task is aborted: delivers after every change and every few seconds.
pub async fn run(store: Store, webhook: Webhook) {
    tracing::info!("webhook sender started");
    let mut changes = store.changes().subscribe();
    loop {
        if let Err(e) = deliver_due(&store, &webhook).await {
            tracing::warn!(error = %e, "could not read the webhook deliveries");
        }
        tokio::select! {
            _ = changes.recv() => {}
            () = tokio::time::sleep(POLL) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hex_hmac_of_the_body() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_secs(2));
        assert_eq!(backoff(3), Duration::from_secs(8));
        assert_eq!(backoff(40), Duration::from_secs(3600));
    }

    #[test]
    fn a_webhook_needs_a_secret_and_a_web_url() {
        assert!(matches!(
            Webhook::new("https://desk.example.se/hook", None),
            Err(WebhookError::NoSecret)
        ));
        assert!(matches!(
            Webhook::new("https://desk.example.se/hook", Some("kort")),
            Err(WebhookError::NoSecret)
        ));
        assert!(matches!(
            Webhook::new("ftp://desk", Some("a-long-enough-secret")),
            Err(WebhookError::BadUrl)
        ));
        assert!(Webhook::new("https://desk.example.se/hook", Some("a-long-enough-secret")).is_ok());
    }
}
