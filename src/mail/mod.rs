//! E-mail copies of what customers must be able to keep, such as a cancellation receipt.
//!
//! Mail is never sent from inside a request. The request writes it to the outbox in the same
//! transaction as the thing it reports, and [`sender`] delivers it afterwards, retrying with
//! backoff. So a crash, a slow mail server or several replicas can delay a copy but never lose
//! or double it: the customer already holds the receipt in the chat either way.

pub mod sender;

use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Why mail could not be set up or sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the SMTP address is not usable ({0}); use smtp://HOST:PORT, add ?tls=required for STARTTLS, or smtps://HOST for TLS")]
    Url(String),
    #[error("the sender address {0:?} is not an e-mail address")]
    From(String),
    #[error("the recipient address is not an e-mail address")]
    Recipient,
    #[error("the mail could not be built: {0}")]
    Build(String),
    #[error("the SMTP server refused or could not be reached: {0}")]
    Smtp(String),
}

/// Sends mail through one SMTP server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The server's address without credentials, for logs.
    server: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("server", &self.server)
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// A mailer for `url` (`smtp://`, `smtp://…?tls=required` or `smtps://`, optionally with
    /// `user:password@`), sending as `from`.
    pub fn new(url: &str, from: &str) -> Result<Self, MailError> {
        let server = crate::storage::redact_url(url);
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError::Url(e.to_string()))?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|_| MailError::From(from.to_owned()))?;
        Ok(Self {
            transport,
            from,
            server,
        })
    }

    pub fn server(&self) -> &str {
        &self.server
    }

    /// Sends one plain-text mail.
    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), MailError> {
        let to = to.parse::<Mailbox>().map_err(|_| MailError::Recipient)?;
        // Quoted-printable keeps Swedish letters intact through any relay, 8-bit or not.
        let part = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .header(ContentTransferEncoding::QuotedPrintable)
            .body(body.to_owned());
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .singlepart(part)
            .map_err(|e| MailError::Build(e.to_string()))?;
        self.transport
            .send(message)
            .await
            .map(drop)
            .map_err(|e| MailError::Smtp(without_addresses(&e.to_string())))
    }
}

/// A server's answer with every e-mail address in it blanked: a rejection usually quotes the
/// recipient, and this text is logged and stored.
fn without_addresses(text: &str) -> String {
    text.split_inclusive(char::is_whitespace)
        .map(|word| {
            if word.contains('@') {
                let end = &word[word.trim_end().len()..];
                format!("<address>{end}")
            } else {
                word.to_owned()
            }
        })
        .collect()
}

#[cfg(test)]
mod address_tests {
    use super::without_addresses;

    #[test]
    fn a_rejection_keeps_its_reason_and_loses_the_address() {
        let text = without_addresses("550 5.1.1 <anna.svensson@example.se>: Recipient rejected");
        assert!(!text.contains("anna"), "{text}");
        assert!(
            text.starts_with("550 5.1.1 <address> Recipient rejected"),
            "{text}"
        );
    }
}
