//! Types that are valid by construction ("parse, don't validate").
//!
//! Everything a client sends passes through one of these `parse` functions at the HTTP edge;
//! past that edge the rest of the code can trust the values.

mod callback;
mod cancellation;
mod channel;
mod client_message_id;
mod conversation;
mod customer;
mod form_fields;
mod handoff;
mod intent;
mod locale;
mod message_text;
mod plain_text;
mod postcode;
mod queue;
mod request_kind;
mod review;
pub mod secrets;
mod vocabulary;
mod withdrawal;

pub use callback::{CallWindow, CallbackRequest, PhoneNumber};
pub use cancellation::{CancellationFields, CancellationForm, OnBehalf, Relation};
pub use channel::Channel;
pub use client_message_id::ClientMessageId;
pub use conversation::{ConversationStatus, Role};
pub use customer::{CustomerDetails, CustomerNumber, Email, FullName};
pub use form_fields::{iso_date, parse_iso_date};
pub use handoff::{HandoffOutcome, HandoffReason, HandoffStatus};
pub use intent::{intent_serde, Intent, UnknownIntent};
pub use locale::Locale;
pub use message_text::MessageText;
pub use plain_text::{PlainText, TextError};
pub use postcode::Postcode;
pub use queue::Queue;
pub use request_kind::RequestKind;
pub use review::{MissKind, ReviewStatus};
pub use withdrawal::{
    last_withdrawal_day, last_withdrawal_day_of, WithdrawalFields, WithdrawalForm, WITHDRAWAL_DAYS,
};

/// Why a client-supplied value was refused. `field` names the JSON field, `code` is stable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: &'static str,
    pub code: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            code,
            message: message.into(),
        }
    }
}
