//! Conversations: the service that ties the dialogue engine to storage.
//!
//! HTTP handlers call this module with parsed input; it loads and locks the conversation,
//! asks the engine for the answer and stores everything of the turn in one transaction.

mod callback;
mod cancellation;
mod details;
mod handoffs;
mod later;
mod live;
mod message;
pub mod privacy;
mod service;
mod step_answer;
mod summary;
mod transcript;
mod unsure;
mod waiting;

pub use callback::CallbackReceipt;
pub use cancellation::{CancellationReceipt, WrittenRequest};
pub use details::CaseDetails;
pub use handoffs::{
    CallbackFacts, CancellationFacts, HandoffConflict, HandoffError, HandoffOutcome, HandoffPacket,
    ResolveRequest, Resolved,
};
pub(crate) use live::{ChangeFeed, Heard};
pub use live::{ChatFeed, ChatSnapshot, InboxChange, Update};
pub use message::{IntentScore, Message, Role};
pub use service::{
    ConversationError, ConversationView, Conversations, CustomerInput, StartConversation, Started,
    DEFAULT_MAX_MESSAGES,
};
pub use transcript::{Transcript, TranscriptLabels};
pub use waiting::{median, Waiting};
