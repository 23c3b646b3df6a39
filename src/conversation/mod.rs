//! Conversations: the service that ties the dialogue engine to storage.
//!
//! HTTP handlers call this module with parsed input; it loads and locks the conversation,
//! asks the engine for the answer and stores everything of the turn in one transaction.

mod callback;
mod cancellation;
mod later;
mod live;
mod message;
pub mod privacy;
mod service;
mod step_answer;
mod transcript;
mod unsure;
mod waiting;

pub use callback::{CallbackFacts, CallbackReceipt};
pub use cancellation::{CancellationReceipt, WrittenRequest};
pub(crate) use live::{ChangeFeed, Heard};
pub use live::{ChatFeed, ChatSnapshot, Update};
pub use message::{IntentScore, Message, Role};
pub(crate) use service::{new_message, parse_customer, parse_state, stored};
pub use service::{
    ConversationError, ConversationView, Conversations, CustomerInput, StartConversation, Started,
    DEFAULT_MAX_MESSAGES,
};
pub use transcript::{Transcript, TranscriptLabels};
pub use waiting::{median, Waiting};
